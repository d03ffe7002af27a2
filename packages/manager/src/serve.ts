import { createServer as createNetServer, isIP, type Server as NetServer } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, formatTcpAddress, messages, nodeTls } from '@mpts/proxy/wire';
import { builtinTypes } from './builtin-types.js';
import { addRegistrations, findManagerClass, registryOf, type ManagerClass } from './register.js';
import { Server, type DebugInfo } from './server.js';
import type { TypeRegistry } from './type-registry.js';
import { authkeyFrom } from './remote.js';

/** Where and how `Manager.serve()` listens (Python's `BaseManager(address, authkey).get_server()`). */
export interface ServeOptions {
  /** The interface to bind: `127.0.0.1`, `::1`, `0.0.0.0` (every IPv4 one), `::`... @default '127.0.0.1' */
  host?: string;
  /** The TCP port; 0 picks a free one (read it back from `address`). @default 0 */
  port?: number;
  /** A Unix socket path to listen on instead of TCP. */
  path?: string;
  /** The secret every client must prove it knows (bytes, or a string taken as UTF-8). */
  authkey?: Uint8Array | string;
  /**
   * A file holding the authkey, instead of `authkey`: its bytes, exactly as stored (a trailing
   * newline is part of the key), as `mpts serve --authkey-file` reads it.
   */
  authkeyFile?: string;
  /**
   * Serve over TLS: at least `cert` and `key` (PEM). Clients then connect with `tls` options
   * that trust this certificate (`ca`). Add `requestCert` and `ca` to require client certificates.
   */
  tls?: TlsOptions;
  /** The largest frame, in bytes, a client may send. @default 64 MiB */
  maxFrameSize?: number;
  /** Seconds a connection has to authenticate (TLS handshake included) once its turn comes. @default 4 */
  handshakeTimeout?: number;
  /**
   * Connections authenticating (TLS handshake included) at once; more wait their turn, and
   * while they wait the oldest gives way after half the handshake timeout. @default 64
   */
  maxUnauthenticated?: number;
  /** Connections authenticating at once from one IP address. @default 16 */
  maxUnauthenticatedPerHost?: number;
  /** Seconds of silence from a client before the server checks it with a heartbeat. @default 10 */
  heartbeatInterval?: number;
  /** Seconds of silence after which a client is taken for lost: its locks are released. @default 30 */
  heartbeatTimeout?: number;
  /** Bytes of replies a client has not read yet past which its requests wait. @default 4 MiB */
  maxReplyBacklog?: number;
  /**
   * Also serve CPython's own manager clients (Python 3.12 or later) on this address:
   * `SyncManager(address=(host, port), authkey=key).connect()` in Python then shares objects
   * with mpts's clients. Nothing a Python client sends is executed (docs/python-clients.md).
   * @default false
   */
  pythonClients?: boolean;
  /**
   * Modules to import before serving (paths or URLs): the modules whose top level calls
   * `Manager.register(...)` (or a subclass's), so their factories run in this process.
   */
  register?: readonly (string | URL)[];
  /**
   * The manager class whose registered types to serve, or its name (a class that registered
   * types in this process, once the `register` modules are imported). `SubManager.serve()` sets
   * it. @default with `register` modules, the one class they registered on; else none (the
   * built-in types only)
   */
  manager?: ManagerClass | string;
  /** The type table to serve, for full control. @default the built-in types plus the manager class's registrations */
  types?: TypeRegistry;
  /** Where warnings go. @default a line on stderr */
  warn?: (message: string) => void;
}

/**
 * A manager server running in this process, as Python's `Server.serve_forever()`: the process
 * holds the shared objects, and clients anywhere connect with `Manager.connect(address)`.
 * A process that serves should do nothing else that blocks its event loop.
 */
export class ManagerServer implements AsyncDisposable {
  private stopped = false;
  private readonly done: Promise<void>;
  private finish!: () => void;

  private constructor(
    /** The server itself (its `objects`, `debugInfo()`). */
    readonly server: Server,
    /** Where clients connect: `tcp://host:port`, `tcp://[::1]:port`, or a socket path. */
    readonly address: string,
    /** The TCP port bound (useful with `port: 0`), if TCP. */
    readonly port: number | undefined,
    readonly tls: boolean,
  ) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    server.onShutdownRequested = () => void this.close();
  }

  /** Starts listening; see `Manager.serve()`. */
  static async start(options: ServeOptions): Promise<ManagerServer> {
    const authkey = authkeyFrom(options);
    if (authkey === undefined || authkey === null || Buffer.from(authkey).length === 0) {
      throw new TypeError(messages.serveNeedsAuthkey);
    }
    for (const module of options.register ?? []) await import(moduleUrl(module));
    let types = options.types;
    if (types === undefined) {
      types = builtinTypes();
      const managerClass = findManagerClass(options.manager, (options.register ?? []).length > 0);
      if (managerClass !== undefined) addRegistrations(types, registryOf(managerClass).values());
    }
    if (options.pythonClients && options.tls) throw new TypeError(messages.pythonClientsWithoutTls);
    const handshakeMs = options.handshakeTimeout === undefined ? DEFAULT_HANDSHAKE_TIMEOUT_MS : options.handshakeTimeout * 1000;
    const server = new Server({
      authkey: Buffer.from(authkey),
      types,
      maxFrameSize: options.maxFrameSize,
      handshakeTimeout: handshakeMs,
      maxUnauthenticated: options.maxUnauthenticated,
      maxUnauthenticatedPerHost: options.maxUnauthenticatedPerHost,
      heartbeatInterval: seconds(options.heartbeatInterval),
      heartbeatTimeout: seconds(options.heartbeatTimeout),
      maxReplyBacklog: options.maxReplyBacklog,
      pythonClients: options.pythonClients,
    });
    const netServer: NetServer = options.tls
      ? nodeTls().createServer({ ...options.tls, handshakeTimeout: handshakeMs })
      : createNetServer();
    // A TLS handshake that fails or runs past the deadline ends its connection (Node leaves
    // it open once anyone listens for the error).
    netServer.on('tlsClientError', (_error: Error, socket: { destroy(): void }) => socket.destroy());
    if (options.path !== undefined) {
      await server.listen({ path: options.path }, netServer);
      return new ManagerServer(server, options.path, undefined, options.tls !== undefined);
    }
    const host = options.host ?? '127.0.0.1';
    const listening = await server.listen({ host, port: options.port ?? 0 }, netServer);
    const bound = listening.address();
    const port = typeof bound === 'object' && bound !== null ? bound.port : options.port ?? 0;
    // Once bound, so that with port 0 it names the port clients would reach.
    if (!options.tls && !isLoopback(host)) {
      (options.warn ?? ((message: string) => process.stderr.write(`${message}\n`)))(insecureWarning(host, port));
    }
    return new ManagerServer(server, formatTcpAddress(host, port), port, options.tls !== undefined);
  }

  /**
   * Serves until the server is closed: by `close()`, by a client's shutdown command, or (with
   * `signals`, the default) by SIGINT or SIGTERM, which stop it gracefully.
   */
  async serveForever(options: { signals?: boolean } = {}): Promise<void> {
    const signals = options.signals ?? true;
    const onSignal = () => void this.close();
    if (signals) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }
    try {
      await this.done;
    } finally {
      if (signals) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    }
  }

  /** Resolves once the server has stopped. */
  get closed(): Promise<void> {
    return this.done;
  }

  /** Stops listening and closes every client connection. Idempotent. */
  async close(): Promise<void> {
    if (this.stopped) return this.done;
    this.stopped = true;
    await this.server.close();
    this.finish();
  }

  numberOfObjects(): number {
    return this.server.objects.size;
  }

  debugInfo(): DebugInfo {
    return this.server.debugInfo();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Seconds as milliseconds, as the server counts them. */
function seconds(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1000;
}

/** Whether `host` is reachable from this machine only. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare.startsWith('::ffff:127.');
}

function insecureWarning(host: string, port: number): string {
  return [
    `mpts: WARNING: serving on ${formatTcpAddress(host, port)}, reachable from other hosts, without TLS.`,
    '  The authkey handshake keeps out anyone who lacks the key, but every call, value and reply',
    '  then crosses the network in clear text, where anyone on the path can read or alter it.',
    '  Serve with TLS (tls: { cert, key }, or mpts serve --tls-cert/--tls-key), over a VPN or SSH',
    '  tunnel, or bind 127.0.0.1.',
  ].join('\n');
}

/** A module path or URL, as `import()` takes it. */
export function moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (isAbsolute(module) || module.startsWith('.') || existsSync(module)) return pathToFileURL(resolve(module)).href;
  // A URL (file:, data:...) or a package name.
  return module;
}
