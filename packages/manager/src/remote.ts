import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import {
  type ConnectionOptions,
  connectionPool,
  formatTcpAddress,
  messages,
  parseAddress,
} from '@mpts/proxy/wire';

/** How `Manager.connect()` reaches a manager served elsewhere (Python's `BaseManager(address, authkey).connect()`). */
export interface ConnectOptions {
  /** The secret the server was started with. @default the one already known for this address */
  authkey?: Uint8Array | string;
  /**
   * A file holding the authkey, instead of `authkey`: its bytes, exactly as stored (a trailing
   * newline is part of the key). `mpts serve` and `mpts inspect --authkey-file` read it the same way.
   */
  authkeyFile?: string;
  /**
   * Connect over TLS: `true` trusts the system's certificate authorities; an object adds Node's
   * `tls.connect` options, typically `ca` (the server's self-signed certificate) and `servername`.
   * `Process` children of this process get the plain-data part of them (not functions such as
   * `checkServerIdentity`), so the proxies they are given connect over TLS too.
   */
  tls?: boolean | TlsConnectionOptions;
  /** The largest frame, in bytes, accepted from the server. @default 64 MiB */
  maxFrameSize?: number;
  /** A Redis URL (`@mpts/redis`): seconds what a process holds outlives its last renewal. @default 15 */
  lease?: number;
  /** A Redis URL: the first part of every key. @default 'mpts' */
  prefix?: string;
  /** A Redis URL: the Sentinels (`'host:26379'`, `{ host, port }`); the URL's host names the master group. */
  sentinels?: readonly (string | { host: string; port?: number })[];
  /** A `rediss://` URL: a PEM file of the CA that signed the server's certificate. */
  tlsCa?: string;
}

/** Where to connect: an address string, or a host and port (or a socket path) with the options. */
export type ConnectTarget =
  | string
  | (ConnectOptions & { host: string; port: number })
  | (ConnectOptions & { path: string });

/**
 * Works out the address of a remote manager and how to reach it (authkey, TLS). The caller tells
 * this process's connection pool (`connectionPool.setOptions`) once the manager accepted the authkey,
 * so a wrong one never replaces the right one.
 */
export function prepareRemote(
  target: ConnectTarget,
  options: ConnectOptions = {},
): { address: string; authkey: Buffer; connectionOptions: ConnectionOptions } {
  const merged: ConnectOptions = typeof target === 'string' ? options : { ...target, ...options };
  const address = typeof target === 'string'
    ? normalize(target)
    : 'path' in target ? target.path : formatTcpAddress(target.host, target.port);
  const known = connectionPool.authkeyFor(address);
  const given = authkeyFrom(merged);
  if (given === undefined && known === undefined) {
    throw new TypeError(messages.connectNeedsAuthkey(address));
  }
  const authkey = Buffer.from(given ?? known!);
  const connectionOptions: ConnectionOptions = { authkey, maxFrameSize: merged.maxFrameSize };
  // Plain data (not a socket-opening function), so Process children can be given the same.
  if (merged.tls) connectionOptions.tls = merged.tls === true ? {} : merged.tls;
  return { address, authkey, connectionOptions };
}

/** `host:port` and `[::1]:port` are accepted for `tcp://...`; anything else is a socket path. */
function normalize(address: string): string {
  if (address.startsWith('tcp://')) {
    const parsed = parseAddress(address);
    return parsed.kind === 'tcp' ? formatTcpAddress(parsed.host, parsed.port) : address;
  }
  if (/^(\[[^\]]+\]|[^/:\s]+):\d+$/.test(address)) return normalize(`tcp://${address}`);
  return address;
}

/**
 * The authkey of `authkey` or `authkeyFile` (one or the other, not both). A key file's bytes are
 * the key, exactly: nothing is trimmed, so write it without a trailing newline (`printf %s`,
 * `head -c 32 /dev/urandom`). An empty file is refused.
 */
export function authkeyFrom(options: { authkey?: Uint8Array | string; authkeyFile?: string }): Uint8Array | string | undefined {
  if (options.authkeyFile === undefined) return options.authkey;
  if (options.authkey !== undefined) throw new TypeError(messages.authkeyAndFile);
  return readAuthkeyFile(options.authkeyFile);
}

/** The bytes of an authkey file, as they are (see `authkeyFrom`). */
function readAuthkeyFile(file: string): Buffer {
  const key = readFileSync(file);
  if (key.length === 0) throw new TypeError(messages.emptyAuthkeyFile(file));
  return key;
}
