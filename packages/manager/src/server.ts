import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import {
  answerChallenge,
  codecConnectionAddress,
  Command,
  decode,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_FRAME_SIZE,
  encodeFrame,
  FAILURE,
  FrameDecoder,
  frameBytes,
  HANDSHAKE_MAX_FRAME,
  isWelcome,
  makeChallenge,
  messages,
  Op,
  ProtocolError,
  rebuildProxy,
  RemoteError,
  Reply,
  SELF_ADDRESS,
  setTokenHooks,
  verifyAnswer,
  WELCOME,
  type TokenData,
} from '@mpts/proxy/wire';
import { applyAsCall } from './call-context.js';
import { ClientSession } from './client-session.js';
import { ObjectRegistry, type ObjectEntry } from './object-registry.js';
import { objectSpec } from './register.js';
import { ForeignToken, ServerRef } from './server-ref.js';
import type { Servant } from './servant.js';
import type { TypeRegistry, TypeSpec } from './type-registry.js';

export interface ServerOptions {
  readonly authkey: Uint8Array;
  readonly types: TypeRegistry;
  /** The largest frame a client may send, in bytes. @default 64 MiB */
  readonly maxFrameSize?: number | undefined;
  /** Milliseconds a new connection has to authenticate. @default 10000 */
  readonly handshakeTimeout?: number | undefined;
  /** Connections still authenticating at once; more are closed at once. @default 64 */
  readonly maxUnauthenticated?: number | undefined;
}

/** What `debugInfo()` reports: every object, every client, who holds and who waits. */
export interface DebugInfo {
  objects: {
    id: number;
    typeId: string;
    refcount: number;
    heldBy: Record<string, number>;
    str: string;
    state: Record<string, unknown>;
  }[];
  clients: { id: number; label: string; references: number; waiting: number }[];
  /** The typeIds this server can create. */
  types?: string[];
  /** The server process and where it listens. */
  server?: { pid: number; addresses: string[]; startedAt: string };
}

/**
 * The manager's server: accepts connections, authenticates them, and serves calls on the shared
 * objects. It never blocks (DESIGN D4): a call that must wait is a pending reply.
 *
 * Ownership of references: a reply that contains a shared object (a `ServerRef`) counts one
 * reference for the client it is sent to, as it is encoded; the client's proxy owns it.
 */
export class Server {
  readonly objects = new ObjectRegistry();
  private readonly clients = new Set<ClientSession>();
  private readonly netServers: NetServer[] = [];
  private readonly maxFrameSize: number;
  private readonly handshakeTimeout: number;
  private readonly maxUnauthenticated: number;
  private unauthenticated = 0;
  /** TLS connections whose TLS handshake runs, by peer: the slot each holds. */
  private readonly tlsHandshakes = new Map<string, () => void>();
  private replyingTo: ClientSession | undefined;
  /** Set while decoding a request: whether it carried proxies, and whether one was stale. */
  private decodedRefs = false;
  private staleRef: number | undefined;
  /** servant → its entry, so a factory that returns a shared object (`getQueue`) reuses it. */
  private readonly entryOf = new WeakMap<object, ObjectEntry>();
  private readonly startedAt = new Date().toISOString();
  /** Called when a client asks the manager to shut down, after the reply is sent. */
  onShutdownRequested: (() => void) | undefined;

  constructor(private readonly options: ServerOptions) {
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.handshakeTimeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.maxUnauthenticated = options.maxUnauthenticated ?? 64;
    setTokenHooks({
      // A client in the same process (Manager.connect next to Manager.serve) decodes its replies
      // under its connection's address; the server decodes requests under none.
      read: (data) => (codecConnectionAddress() === undefined ? this.readToken(data) : rebuildProxy(data)),
      written: (carrier) => {
        if (carrier instanceof ServerRef && this.replyingTo) this.objects.incref(this.replyingTo, carrier.id);
      },
    });
  }

  /** Starts accepting connections on a Unix socket path or a TCP host and port. */
  listen(where: { path: string } | { host: string; port: number }, netServer: NetServer = createServer()): Promise<NetServer> {
    // A TLS server also emits 'connection' for the raw TCP socket under the TLS one: only the
    // decrypted stream may be served. Its TLS handshake counts as authenticating already.
    if (netServer instanceof TlsServer) {
      netServer.on('connection', (raw: Socket) => this.admitTls(raw));
      netServer.on('secureConnection', (socket: Socket) => this.accept(socket, this.tlsSlot(socket)));
    } else {
      netServer.on('connection', (socket: Socket) => this.accept(socket));
    }
    this.netServers.push(netServer);
    return new Promise((resolve, reject) => {
      netServer.once('error', reject);
      const ready = () => {
        netServer.off('error', reject);
        resolve(netServer);
      };
      if ('path' in where) netServer.listen(where.path, ready);
      else netServer.listen(where.port, where.host, ready);
    });
  }

  /** Stops listening and closes every client connection. */
  async close(): Promise<void> {
    for (const client of this.clients) client.socket.destroy();
    await Promise.all(this.netServers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  debugInfo(): DebugInfo {
    const labels = new Map([...this.clients].map((client) => [client, client.label]));
    const objects = [...this.objects.values()].map((entry) => {
      const heldBy: Record<string, number> = {};
      for (const [client, label] of labels) {
        const count = client.refs.get(entry.id);
        if (count) heldBy[label] = count;
      }
      return {
        id: entry.id,
        typeId: entry.spec.typeId,
        refcount: entry.refcount,
        heldBy,
        str: describe(entry.servant, 75),
        state: entry.servant.debugState?.() ?? {},
      };
    });
    const clients = [...this.clients].map((client) => ({
      id: client.id,
      label: client.label,
      references: [...client.refs.values()].reduce((sum, count) => sum + count, 0),
      waiting: client.waits.size,
    }));
    const addresses = this.netServers.map((server) => server.address()).filter((a) => a !== null)
      .map((a) => (typeof a === 'string' ? a : a.family === 'IPv6' ? `tcp://[${a.address}]:${a.port}` : `tcp://${a.address}:${a.port}`));
    return {
      objects,
      clients,
      types: this.options.types.typeIds(),
      server: { pid: process.pid, addresses, startedAt: this.startedAt },
    };
  }

  /**
   * A slot among the connections still authenticating (`maxUnauthenticated`), or undefined
   * when they are all taken. Giving it back is idempotent.
   */
  private takeSlot(): (() => void) | undefined {
    if (this.unauthenticated >= this.maxUnauthenticated) return undefined;
    this.unauthenticated++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.unauthenticated--;
    };
  }

  /**
   * A raw TCP connection to a TLS server: its TLS handshake takes a slot, as the authkey
   * handshake of a plain one does, which `accept` keeps until it authenticates.
   */
  private admitTls(raw: Socket): void {
    const slot = this.takeSlot();
    if (slot === undefined) {
      raw.destroy();
      return;
    }
    const peer = peerOf(raw);
    if (peer === undefined) {
      // A socket path has no peer to match the TLS socket by: only its authkey handshake counts.
      slot();
      return;
    }
    this.tlsHandshakes.set(peer, slot);
    raw.once('close', () => {
      slot();
      if (this.tlsHandshakes.get(peer) === slot) this.tlsHandshakes.delete(peer);
    });
  }

  /** The slot a TLS connection took while its TLS handshake ran. */
  private tlsSlot(socket: Socket): (() => void) | undefined {
    const peer = peerOf(socket);
    const slot = peer === undefined ? undefined : this.tlsHandshakes.get(peer);
    if (slot !== undefined) this.tlsHandshakes.delete(peer!);
    return slot;
  }

  private accept(socket: Socket, heldSlot?: () => void): void {
    const slot = heldSlot ?? this.takeSlot();
    if (slot === undefined) {
      socket.destroy();
      return;
    }
    socket.setNoDelay?.(true);
    const client = new ClientSession(socket);
    const authkey = this.options.authkey;
    const challenge = makeChallenge();
    let step = 0;
    let authenticated = false;
    const deadline = setTimeout(() => socket.destroy(), this.handshakeTimeout);
    const endHandshake = () => {
      clearTimeout(deadline);
      slot();
    };
    const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME, (frame) => {
      if (authenticated) {
        this.onFrame(client, frame);
        return;
      }
      // The server's half of the handshake in auth.ts, one step per frame. Nothing else is
      // read, decoded or dispatched before it is done.
      if (step === 0) {
        if (!verifyAnswer(authkey, challenge, frame)) {
          socket.end(frameBytes(FAILURE));
          socket.destroySoon();
          step = -1;
          return;
        }
        socket.write(frameBytes(WELCOME));
        step = 1;
      } else if (step === 1) {
        const answer = answerChallenge(authkey, frame);
        if (answer === undefined) return void socket.destroy();
        socket.write(frameBytes(answer));
        step = 2;
      } else if (step === 2) {
        if (!isWelcome(frame)) return void socket.destroy();
        authenticated = true;
        endHandshake();
        decoder.setMaxFrameSize(this.maxFrameSize);
        this.clients.add(client);
      }
    });
    socket.on('data', (chunk: Buffer) => {
      if (step === -1) return;
      try {
        decoder.push(chunk);
      } catch (error) {
        this.fatal(client, error);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (!authenticated) endHandshake();
      this.clientGone(client);
    });
    socket.write(frameBytes(challenge));
  }

  /** Tells a client why its connection ends, then ends it; everyone else carries on. */
  private fatal(client: ClientSession, error: unknown): void {
    if (client.closed) return;
    const message = error instanceof Error ? error.message : String(error);
    client.writer.write(encodeFrame([Reply.fatal, 0, message]));
    client.writer.flush();
    client.socket.end();
    client.socket.destroySoon();
    this.clientGone(client);
  }

  /**
   * A client's connection ended: its waits are dropped and its references given back. Its
   * holdings learn whether it said goodbye first; a lost client's locks are released (D6).
   */
  private clientGone(client: ClientSession): void {
    if (client.closed) return;
    client.closed = true;
    this.clients.delete(client);
    for (const waiter of [...client.waits.values()]) waiter.drop();
    const lost = !client.saidGoodbye;
    for (const holding of [...client.holdings]) holding.clientGone(client, lost);
    client.holdings.clear();
    this.objects.dropClient(client);
  }

  private onFrame(client: ClientSession, frame: Buffer): void {
    if (client.closed) return;
    let message: unknown;
    this.decodedRefs = false;
    this.staleRef = undefined;
    try {
      message = decode(frame);
    } catch (error) {
      this.fatal(client, new ProtocolError(`a frame is not valid msgpack: ${(error as Error).message}`));
      return;
    }
    if (!Array.isArray(message) || typeof message[0] !== 'number' || typeof message[1] !== 'number') {
      this.fatal(client, new ProtocolError('a message is not an [op, requestId, ...] array'));
      return;
    }
    const requestId = message[1];
    if (this.staleRef !== undefined) {
      this.replyError(client, requestId, new RemoteError(messages.unknownObject(this.staleRef)));
      return;
    }
    try {
      this.dispatch(client, message, requestId);
    } catch (error) {
      this.replyError(client, requestId, error);
    }
  }

  private dispatch(client: ClientSession, message: unknown[], requestId: number): void {
    switch (message[0]) {
      case Op.call: {
        const [, , objectId, method, args] = message;
        if (typeof method !== 'string' || !Array.isArray(args)) throw new ProtocolError('malformed call');
        this.call(client, requestId, this.objects.get(objectId as number), method, args);
        return;
      }
      case Op.create: {
        const [, , typeId, args] = message;
        if (typeof typeId !== 'string' || !Array.isArray(args)) throw new ProtocolError('malformed create');
        const spec = this.options.types.get(typeId);
        let servant: Servant;
        try {
          servant = spec.create(...args);
          if (typeof servant !== 'object' || servant === null) {
            throw new TypeError(`the factory of '${typeId}' returned ${servant === null ? 'null' : typeof servant}, not an object`);
          }
        } catch (error) {
          // As in Python, a constructor's failure is the manager's, not a method's: RemoteError.
          throw asRemoteError(error);
        }
        const entry = this.adopt(spec, servant);
        if (this.decodedRefs) this.objects.markHoldsRefs(entry);
        this.replyOk(client, requestId, entry.ref);
        return;
      }
      case Op.incref:
        this.objects.incref(client, message[2] as number);
        this.replyOk(client, requestId, null);
        return;
      case Op.decref: {
        const count = message[3] ?? 1;
        if (typeof message[2] !== 'number' || typeof count !== 'number' || !(count >= 1)) {
          throw new ProtocolError('malformed decref');
        }
        this.objects.decref(client, message[2], count);
        return;
      }
      case Op.cancel:
        client.waits.get(message[2] as number)?.cancel();
        return;
      case Op.goodbye:
        client.saidGoodbye = true;
        return;
      case Op.heartbeat:
        return;
      case Op.command:
        this.command(client, requestId, message[2], message[3]);
        return;
      default:
        throw new ProtocolError(`unknown operation ${String(message[0])}`);
    }
  }

  private call(client: ClientSession, requestId: number, entry: ObjectEntry, method: string, args: unknown[]): void {
    let result: unknown;
    if (method === '#str') {
      result = describe(entry.servant);
    } else if (method === '#getvalue') {
      result = entry.servant.getValue?.();
    } else {
      const exposed = entry.methods.get(method);
      if (exposed === undefined) throw new RemoteError(messages.notExposed(method, entry.spec.typeId));
      if (args.length < exposed.min || args.length > exposed.max) {
        throw new TypeError(messages.wrongArgumentCount(method, exposed.min, exposed.max, args.length));
      }
      result = applyAsCall({ client, requestId }, exposed.fn, entry.servant, args);
      if (this.decodedRefs) this.objects.markHoldsRefs(entry);
      this.objects.containerChanged(entry);
      const wrapAs = entry.spec.methodToTypeId.size > 0 ? entry.spec.methodToTypeId.get(method) : undefined;
      if (wrapAs !== undefined) {
        // Python's method_to_typeid: the result becomes a shared object of its own, sent as a proxy.
        result = result instanceof Promise ? result.then((value) => this.wrap(wrapAs, value)) : this.wrap(wrapAs, result);
      }
    }
    if (result instanceof Promise) {
      result.then(
        (value) => this.replyOk(client, requestId, value),
        (error) => this.replyError(client, requestId, error),
      );
    } else {
      this.replyOk(client, requestId, result);
    }
  }

  /** The entry of a servant: the one it already has (a shared object), or a new one. */
  private adopt(spec: TypeSpec, servant: Servant): ObjectEntry {
    const known = this.entryOf.get(servant);
    if (known !== undefined && this.objects.find(known.id) === known) return known;
    const entry = this.objects.add(objectSpec(spec, servant), servant);
    this.entryOf.set(servant, entry);
    return entry;
  }

  /** A method's result, made a shared object of `typeId` (its reference goes with the reply). */
  private wrap(typeId: string, value: unknown): ServerRef {
    const spec = this.options.types.get(typeId);
    const servant = spec.wrapsResults ? value : spec.create(value);
    if (typeof servant !== 'object' || servant === null) {
      throw new TypeError(`a result to wrap as '${typeId}' must be an object, not ${servant === null ? 'null' : typeof servant}`);
    }
    return this.adopt(spec, servant as Servant).ref;
  }

  private command(client: ClientSession, requestId: number, name: unknown, args: unknown): void {
    switch (name) {
      case Command.ping:
        if (Array.isArray(args) && typeof args[0] === 'string') client.label = `client ${client.id} (${args[0].slice(0, 64)})`;
        this.replyOk(client, requestId, 'pong');
        return;
      case Command.numberOfObjects:
        this.replyOk(client, requestId, this.objects.size);
        return;
      case Command.debugInfo:
        this.replyOk(client, requestId, this.debugInfo());
        return;
      case Command.shutdown:
        this.replyOk(client, requestId, null);
        client.writer.flush();
        setImmediate(() => this.onShutdownRequested?.());
        return;
      default:
        throw new RemoteError(`unknown command '${String(name)}'`);
    }
  }

  private replyOk(client: ClientSession, requestId: number, value: unknown): void {
    this.replyingTo = client;
    try {
      client.replyOk(requestId, value);
    } catch (error) {
      // Python's #UNSERIALIZABLE: the result could not be encoded.
      client.replyError(requestId, new RemoteError(`Unserializable message: ${(error as Error).message}`));
    } finally {
      this.replyingTo = undefined;
    }
  }

  private replyError(client: ClientSession, requestId: number, error: unknown): void {
    client.replyError(requestId, error);
  }

  private readToken(data: TokenData): unknown {
    if (data.address !== SELF_ADDRESS) return new ForeignToken(data);
    const entry = this.objects.find(data.id);
    if (entry === undefined) {
      this.staleRef = data.id;
      return null;
    }
    this.decodedRefs = true;
    return entry.ref;
  }
}

/** Who is on the other end of a TCP connection (undefined for a socket path). */
function peerOf(socket: Socket): string | undefined {
  return socket.remotePort === undefined ? undefined : `${socket.remoteAddress}|${socket.remotePort}`;
}

/**
 * Python's `str()` of a shared object. With `limit`, a preview of at most that many characters
 * that costs about as much, whatever the object's size (the built-in servants take the limit;
 * others are cut after rendering), and that shows an error instead of throwing it.
 */
function describe(servant: Servant, limit?: number): string {
  const str = (servant as { str?(limit?: number): string }).str;
  if (limit === undefined) return str?.call(servant) ?? `<${servant.constructor.name}>`;
  try {
    return (str?.call(servant, limit) ?? `<${servant.constructor.name}>`).slice(0, limit);
  } catch (error) {
    return `<${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}>`.slice(0, limit);
  }
}

function asRemoteError(error: unknown): RemoteError {
  if (error instanceof RemoteError) return error;
  const remote = new RemoteError(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  if (error instanceof Error) remote.remoteStack = error.stack;
  return remote;
}
