import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { Admission, type Ticket } from './admission.js';
import { Backpressure, DEFAULT_MAX_REPLY_BACKLOG } from './backpressure.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_HEARTBEAT_TIMEOUT_MS, Liveness } from './liveness.js';
import {
  answerChallenge,
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
  refusal,
  messages,
  Op,
  ProtocolError,
  RemoteError,
  ValueError,
  Reply,
  SELF_ADDRESS,
  MAX_NESTING,
  nestsDeeperThan,
  keepNegativeZeros,
  type CodecContext,
  verifyAnswer,
  WELCOME,
  type TokenData,
} from '@mpts/proxy/wire';
import { randomBytes } from 'node:crypto';
import { applyAsCall } from './call-context.js';
import { Handoff } from './handoff.js';
import { peekRequestId } from './peek-request-id.js';
import { ClientSession } from './client-session.js';
import { ObjectRegistry, type ObjectEntry } from './object-registry.js';
import { ForeignToken, ServerRef } from './server-ref.js';
import type { Servant } from './servant.js';
import type { TypeRegistry, TypeSpec } from './type-registry.js';

export interface ServerOptions {
  readonly authkey: Uint8Array;
  readonly types: TypeRegistry;
  /** The largest frame a client may send, in bytes. @default 64 MiB */
  readonly maxFrameSize?: number | undefined;
  /** Milliseconds a connection has to authenticate once its turn comes (see admission.ts). @default 4000 */
  readonly handshakeTimeout?: number | undefined;
  /** Connections authenticating at once (TLS handshakes included); more wait their turn. @default 64 */
  readonly maxUnauthenticated?: number | undefined;
  /** Connections authenticating at once from one IP address. @default 16 */
  readonly maxUnauthenticatedPerHost?: number | undefined;
  /** Milliseconds of silence from a client before the server checks it with a heartbeat. @default 10000 */
  readonly heartbeatInterval?: number | undefined;
  /** Milliseconds of silence after which a client is taken for lost (see liveness.ts). @default 30000 */
  readonly heartbeatTimeout?: number | undefined;
  /**
   * Bytes of replies waiting to be sent to one client past which the server reads no more of
   * its requests until they drain. @default 4 MiB
   */
  readonly maxReplyBacklog?: number | undefined;
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
  /** This server's identity, in every token it makes: a restarted server refuses old tokens. */
  readonly instance = randomBytes(8).toString('hex');
  readonly objects = new ObjectRegistry(this.instance);
  private readonly clients = new Set<ClientSession>();
  private readonly netServers: NetServer[] = [];
  private readonly maxFrameSize: number;
  private readonly admission: Admission;
  private readonly heartbeat: { interval: number; timeout: number };
  private readonly maxReplyBacklog: number;
  /** Raw connections to a TLS port whose TLS handshake runs: their admission, and how to refuse them. */
  private readonly tlsPending = new WeakMap<Socket, { ticket: Ticket; refuse: (reason: string) => void }>();
  /** Set while decoding a request: whether it carried proxies, and why it cannot be served. */
  private decodedRefs = false;
  private refused: Error | undefined;
  /** Set while encoding a reply: the references it carries, counted once it is encoded. */
  private replyRefs: ServerRef[] | undefined;
  /**
   * How requests are decoded (DESIGN D5): a token of this server becomes the `ServerRef` of a
   * living object of this instance, any other a `ForeignToken`; shared memory is refused.
   */
  private readonly requestCodec: CodecContext = {
    acceptsTransfers: false,
    readToken: (data) => this.readToken(data),
    refuse: (error) => {
      this.refused ??= error;
    },
  };
  /** How replies are encoded: each reference to one of this server's objects is collected. */
  private readonly replyCodec: CodecContext = {
    acceptsTransfers: false,
    readToken: () => {
      throw new Error('a reply codec never decodes');
    },
    wroteToken: (carrier) => {
      if (carrier instanceof ServerRef && this.objects.owns(carrier)) this.replyRefs?.push(carrier);
    },
    refuse(error) {
      throw error;
    },
  };
  /** servant → its entry, so a factory that returns a shared object (`getQueue`) reuses it. */
  private readonly entryOf = new WeakMap<object, ObjectEntry>();
  private readonly startedAt = new Date().toISOString();
  /** Called when a client asks the manager to shut down, after the reply is sent. */
  onShutdownRequested: (() => void) | undefined;

  constructor(private readonly options: ServerOptions) {
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    const maxUnauthenticated = options.maxUnauthenticated ?? 64;
    this.admission = new Admission({
      maxUnauthenticated,
      maxUnauthenticatedPerHost: options.maxUnauthenticatedPerHost ?? Math.min(16, maxUnauthenticated),
      handshakeTimeout: options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    });
    this.heartbeat = {
      interval: options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      timeout: options.heartbeatTimeout ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    };
    this.maxReplyBacklog = options.maxReplyBacklog ?? DEFAULT_MAX_REPLY_BACKLOG;
  }

  /**
   * Starts accepting connections on a Unix socket path or a TCP host and port; resolves the
   * server that listens (for its address).
   */
  listen(where: { path: string } | { host: string; port: number }, netServer: NetServer = createServer()): Promise<NetServer> {
    let listening = netServer;
    if (netServer instanceof TlsServer) {
      // A TLS server starts every connection's TLS handshake at once. Instead a plain server
      // accepts them, paused, and hands each to the TLS server when admission gives it its turn:
      // the TLS handshake is part of authenticating.
      const tlsServer = netServer;
      listening = createServer({ pauseOnConnect: true });
      listening.on('connection', (raw: Socket) => this.admitTls(raw, tlsServer));
      tlsServer.on('secureConnection', (socket: Socket) => this.secured(socket));
    } else {
      netServer.on('connection', (socket: Socket) => this.admit(socket));
    }
    this.netServers.push(listening);
    return new Promise((resolve, reject) => {
      listening.once('error', reject);
      const ready = () => {
        listening.off('error', reject);
        resolve(listening);
      };
      if ('path' in where) listening.listen(where.path, ready);
      else listening.listen(where.port, where.host, ready);
    });
  }

  /** Stops listening and closes every client connection. */
  async close(): Promise<void> {
    this.admission.close();
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
        typeId: entry.ref.typeId,
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

  /** A plain connection: admission (admission.ts) decides when it may authenticate. */
  private admit(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    // A client says nothing before the challenge: bytes while it waits break the protocol.
    // (Reading meanwhile also notices a client that gives up waiting.)
    const early = () => socket.destroy();
    socket.on('data', early);
    const ticket = this.admission.admit(socket, {
      start: (admitted) => {
        socket.off('data', early);
        this.authenticate(socket, admitted);
      },
      refuse: (reason) => refuse(socket, reason),
    });
    socket.once('close', () => ticket.closed());
  }

  /**
   * A raw connection to a TLS port. When its turn comes, its first bytes tell a TLS client
   * (a ClientHello) from a plain mpts client (nothing: it waits for the challenge), which is
   * told, in its own protocol, to connect with TLS.
   */
  private admitTls(raw: Socket, tlsServer: TlsServer): void {
    raw.on('error', () => raw.destroy());
    // Before its TLS handshake a TLS client could not read a reason: it is closed without one.
    const pending = { ticket: undefined as unknown as Ticket, refuse: (_reason: string) => void raw.destroy() };
    pending.ticket = this.admission.admit(raw, {
      start: () => {
        this.tlsPending.set(raw, pending);
        const plain = () => {
          pending.refuse = () => {};
          refuse(raw, 'this manager serves TLS and the connection is plain: connect with the tls option');
        };
        const timer = setTimeout(plain, PLAIN_CLIENT_GRACE_MS);
        raw.once('data', (chunk: Buffer) => {
          clearTimeout(timer);
          raw.pause();
          if (chunk[0] !== 0x16) return plain();
          raw.unshift(chunk);
          tlsServer.emit('connection', raw);
        });
        raw.resume();
      },
      refuse: (reason) => pending.refuse(reason),
    });
    raw.once('close', () => pending.ticket.closed());
  }

  /** A TLS connection finished its TLS handshake: the authkey handshake follows. */
  private secured(socket: Socket): void {
    // Node's TLS socket keeps the raw socket it wraps as `_parent`.
    const raw = (socket as Socket & { _parent?: Socket })._parent;
    const pending = raw === undefined ? undefined : this.tlsPending.get(raw);
    if (pending === undefined) return void socket.destroy();
    this.tlsPending.delete(raw!);
    socket.on('error', () => socket.destroy());
    pending.refuse = (reason) => refuse(socket, reason);
    this.authenticate(socket, pending.ticket);
  }

  /** The server's half of the handshake in auth.ts, then the client's requests. */
  private authenticate(socket: Socket, ticket: Ticket): void {
    socket.setNoDelay?.(true);
    const client = new ClientSession(socket);
    const authkey = this.options.authkey;
    const challenge = makeChallenge();
    let step = 0;
    let authenticated = false;
    let liveness: Liveness | undefined;
    /** Frames completed by the current read, to tell a frame that goes on from a new one. */
    let framesRead = 0;
    const backpressure = new Backpressure(socket, client, this.maxReplyBacklog, (frame) => this.onFrame(client, frame), {
      paused: () => liveness?.frameDone(),
      resumed: () => {
        if (decoder.pendingBytes > 0) liveness?.frameStarted(decoder.pendingFrameSize ?? this.maxFrameSize);
      },
    });
    const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME, (frame) => {
      framesRead++;
      if (authenticated) {
        backpressure.serve(frame);
        return;
      }
      // One step per frame. Nothing else is read, decoded or dispatched before it is done.
      if (step === 0) {
        if (!verifyAnswer(authkey, challenge, frame)) {
          ticket.failed();
          socket.end(frameBytes(FAILURE));
          socket.destroySoon();
          step = -1;
          return;
        }
        // The client proved it knows the key: its place goes to the next connection.
        ticket.proven();
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
        ticket.authenticated();
        decoder.setMaxFrameSize(this.maxFrameSize);
        this.clients.add(client);
        // Keepalive finds a peer whose host is gone; the heartbeat, one that stopped answering.
        socket.setKeepAlive?.(true, this.heartbeat.interval);
        liveness = new Liveness(this.heartbeat, {
          ping: () => client.writer.write(HEARTBEAT_FRAME),
          lost: (reason) => {
            if (reason.startsWith('nothing heard')) socket.destroy();
            else this.fatal(client, new ProtocolError(reason));
          },
        });
      }
    });
    socket.on('data', (chunk: Buffer) => {
      if (step === -1) return;
      liveness?.heard();
      const hadPartial = decoder.pendingBytes > 0;
      framesRead = 0;
      try {
        decoder.push(chunk);
      } catch (error) {
        this.fatal(client, error);
        return;
      }
      if (liveness === undefined || backpressure.isPaused) return;
      if (decoder.pendingBytes === 0) liveness.frameDone();
      else if (!hadPartial || framesRead > 0) liveness.frameStarted(decoder.pendingFrameSize ?? this.maxFrameSize);
    });
    // A client that drains what was written to it is reading: alive.
    socket.on('drain', () => liveness?.heard());
    socket.on('close', () => {
      ticket.closed();
      liveness?.stop();
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
    endWithin(client.socket);
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
    // What it was handed and did not acknowledge goes back, the latest first, so that items
    // return to the head of a queue in their order.
    for (const handoff of [...client.handoffs.values()].reverse()) handoff.returned();
    client.handoffs.clear();
    const lost = !client.saidGoodbye;
    for (const holding of [...client.holdings]) holding.clientGone(client, lost);
    client.holdings.clear();
    this.objects.dropClient(client);
  }

  private onFrame(client: ClientSession, frame: Buffer): void {
    if (client.closed) return;
    let message: unknown;
    this.decodedRefs = false;
    this.refused = undefined;
    try {
      message = decode(frame, this.requestCodec);
    } catch (error) {
      // msgpackr recurses: a value nested too deeply for the stack fails that call only.
      const requestId = error instanceof RangeError ? peekRequestId(frame) : undefined;
      if (requestId !== undefined) {
        this.replyError(client, requestId, new ValueError(messages.receivedNestedTooDeeply(MAX_NESTING)));
      } else {
        this.fatal(client, new ProtocolError(`a frame is not valid msgpack: ${(error as Error).message}`));
      }
      return;
    }
    if (!Array.isArray(message) || typeof message[0] !== 'number' || typeof message[1] !== 'number') {
      this.fatal(client, new ProtocolError('a message is not an [op, requestId, ...] array'));
      return;
    }
    const requestId = message[1];
    // The message and its argument list are two levels of their own.
    if (this.refused === undefined && nestsDeeperThan(message, MAX_NESTING + 2, frame.length)) {
      this.refused = new ValueError(messages.receivedNestedTooDeeply(MAX_NESTING));
    }
    if (this.refused !== undefined) {
      this.replyError(client, requestId, this.refused);
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
      case Op.incref: {
        const instance = message[3];
        if (typeof instance === 'string' && instance !== this.instance) {
          throw new RemoteError(messages.staleToken(message[2] as number, instance));
        }
        this.objects.incref(client, message[2] as number);
        this.replyOk(client, requestId, null);
        return;
      }
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
      case Op.ack:
        this.acknowledge(client, message[2], message[3]);
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
      if (exposed === undefined) throw new RemoteError(messages.notExposed(method, entry.ref.typeId));
      if (args.length < exposed.min || args.length > exposed.max) {
        throw new TypeError(messages.wrongArgumentCount(method, exposed.min, exposed.max, args.length));
      }
      result = applyAsCall({ client, requestId }, exposed.fn, entry.servant, args);
      if (this.decodedRefs) this.objects.markHoldsRefs(entry);
      this.objects.containerChanged(entry);
      const wrapAs = entry.spec.methodToTypeId.size > 0 ? entry.spec.methodToTypeId.get(method) : undefined;
      if (wrapAs !== undefined) {
        // Python's method_to_typeid: the result becomes a shared object of its own, sent as a proxy.
        result = result instanceof Promise ? result.then((value) => this.wrap(wrapAs, value, entry)) : this.wrap(wrapAs, result, entry);
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
    const entry = this.objects.add(spec, servant);
    this.entryOf.set(servant, entry);
    return entry;
  }

  /**
   * A method's result, made a shared object of `typeId` (its reference goes with the reply).
   * What a container that holds proxies returns (a dict's iterator) may hold them too.
   */
  private wrap(typeId: string, value: unknown, from: ObjectEntry): ServerRef {
    const spec = this.options.types.get(typeId);
    const servant = spec.create(value);
    if (typeof servant !== 'object' || servant === null) {
      throw new TypeError(`a result to wrap as '${typeId}' must be an object, not ${servant === null ? 'null' : typeof servant}`);
    }
    const made = this.adopt(spec, servant as Servant);
    if (from.mayHoldRefs) this.objects.markHoldsRefs(made);
    return made.ref;
  }

  private command(client: ClientSession, requestId: number, name: unknown, args: unknown): void {
    switch (name) {
      case Command.ping:
        if (Array.isArray(args) && typeof args[0] === 'string') client.label = `client ${client.id} (${args[0].slice(0, 64)})`;
        this.replyOk(client, requestId, 'pong');
        return;
      case Command.numberOfObjects:
        // A collection pending at the end of this tick runs first: the count is exact right
        // after the client's own decrefs, as Python's is.
        this.objects.collect();
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

  /**
   * Replies `value`. The references it carries are counted for `client` once it is encoded, all
   * or none (DESIGN D5). A `Handoff` is replied as `Reply.okAck` and kept until acknowledged.
   */
  private replyOk(client: ClientSession, requestId: number, value: unknown): void {
    if (client.closed) {
      if (value instanceof Handoff) value.returned();
      return;
    }
    const handoff = value instanceof Handoff ? value : undefined;
    const kind = handoff ? Reply.okAck : Reply.ok;
    const refs: ServerRef[] = (this.replyRefs = []);
    let frame: Buffer;
    try {
      frame = encodeFrame([kind, requestId, keepNegativeZeros(handoff ? handoff.value : value)], this.replyCodec);
      this.objects.increfAll(client, refs);
    } catch (error) {
      handoff?.returned();
      // Python's #UNSERIALIZABLE: the result could not be encoded.
      client.replyError(requestId, new RemoteError(`Unserializable message: ${(error as Error).message}`));
      return;
    } finally {
      this.replyRefs = undefined;
    }
    if (handoff) client.handoffs.set(requestId, handoff);
    client.writer.write(frame);
  }

  private replyError(client: ClientSession, requestId: number, error: unknown): void {
    client.replyError(requestId, error);
  }

  /** The client decoded these `okAck` replies (`acks`), or could not deliver them (`returns`). */
  private acknowledge(client: ClientSession, acks: unknown, returns: unknown): void {
    if (!Array.isArray(acks) || !(returns === undefined || Array.isArray(returns))) throw new ProtocolError('malformed ack');
    for (const id of acks) {
      client.handoffs.get(id as number)?.acknowledged();
      client.handoffs.delete(id as number);
    }
    for (const id of [...(returns ?? [])].reverse()) {
      client.handoffs.get(id as number)?.returned();
      client.handoffs.delete(id as number);
    }
  }

  private readToken(data: TokenData): unknown {
    if (data.address !== SELF_ADDRESS) return new ForeignToken(data);
    if (data.instance !== undefined && data.instance !== this.instance) {
      this.refused ??= new RemoteError(messages.staleToken(data.id, data.instance));
      return null;
    }
    const entry = this.objects.find(data.id);
    if (entry === undefined) {
      this.refused ??= new RemoteError(messages.unknownObject(data.id));
      return null;
    }
    this.decodedRefs = true;
    return entry.ref;
  }
}

/** Who is on the other end of a TCP connection (undefined for a socket path). */
/**
 * Ends a connection after what was written to it, or destroys it if that does not leave
 * within a second (a client that reads nothing must not keep its socket open).
 */
function endWithin(socket: Socket): void {
  socket.end();
  socket.destroySoon();
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Tells a connection that is not authenticated why it is refused, and ends it. */
function refuse(socket: Socket, reason: string): void {
  if (socket.destroyed) return;
  socket.write(frameBytes(refusal(reason)));
  endWithin(socket);
}

/** The heartbeat the manager sends a silent client; the same bytes every time. */
const HEARTBEAT_FRAME = encodeFrame([Reply.heartbeat, 0]);

/**
 * How long a connection to a TLS port may say nothing before it is taken for a plain client
 * (which waits for the server's challenge, where a TLS client sends its ClientHello at once).
 */
const PLAIN_CLIENT_GRACE_MS = 1000;

/**
 * Python's `str()` of a shared object. With `limit`, a preview of at most that many characters
 * that costs about as much, whatever the object's size (the built-in servants take the limit;
 * others are cut after rendering), and that shows an error instead of throwing it.
 */
function describe(servant: Servant, limit?: number): string {
  const str = servant.str;
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
