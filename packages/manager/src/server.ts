import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  Command,
  decode,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_FRAME_SIZE,
  encodeFrame,
  FrameDecoder,
  HANDSHAKE_MAX_FRAME,
  keepNegativeZeros,
  MAX_NESTING,
  messages,
  nestsDeeperThan,
  Op,
  ProtocolError,
  RemoteError,
  Reply,
  SELF_ADDRESS,
  ServerHandshake,
  ValueError,
  type CodecContext,
  type ReplyMessage,
  type Request,
  type RequestId,
  type TokenData,
} from '@mpts/proxy/wire';
import { Admission, type Ticket } from './admission.js';
import { Backpressure, DEFAULT_MAX_REPLY_BACKLOG } from './backpressure.js';
import { applyAsCall } from './call-context.js';
import { ClientSession } from './client-session.js';
import { debugInfo, type DebugInfo } from './debug-info.js';
import { describeServant } from './describe-servant.js';
import { endWithin } from './end-within.js';
import { Handoff } from './handoff.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_HEARTBEAT_TIMEOUT_MS, Liveness } from './liveness.js';
import { ObjectRegistry, type ObjectEntry } from './object-registry.js';
import { isEnvelope, parseRequest } from './parse-request.js';
import { peekRequestId } from './peek-request-id.js';
import { PythonClients } from './python-clients/python-session.js';
import { ForeignToken, ServerRef } from './server-ref.js';
import type { Servant } from './servant.js';
import type { TypeRegistry, TypeSpec } from './type-registry.js';

export type { DebugInfo } from './debug-info.js';

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
  /**
   * Also serve CPython's manager clients (3.12 and later) on the same address: after the
   * handshake, a connection whose first frame is a pickle speaks Python's protocol
   * (python-clients/). @default false
   */
  readonly pythonClients?: boolean | undefined;
}

/**
 * The manager's server: accepts connections, authenticates them, and serves calls on the shared
 * objects. It never blocks (DESIGN D4): a call that must wait is a pending reply.
 *
 * Who may authenticate and when is `admission.ts`; the handshake's two halves are in the proxy
 * package's `auth.ts`; a request is checked by `parseRequest` before `dispatch` serves it.
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
      if (carrier instanceof ServerRef && this.objects.owns(carrier)) (this.replyRefs ??= []).push(carrier);
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
  private readonly python: PythonClients | undefined;

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
    this.python = options.pythonClients
      ? new PythonClients({
          objects: this.objects,
          types: options.types,
          createEntry: (typeId, args) => this.createEntry(typeId, args),
          invoke: (client, requestId, entry, method, args, receivedRefs) => this.invoke(client, requestId, entry, method, args, receivedRefs),
          debugInfoText: () => this.debugInfoText(),
          requestShutdown: () => this.onShutdownRequested?.(),
        })
      : undefined;
  }

  /**
   * Starts accepting connections on a Unix socket path or a TCP host and port; resolves the
   * server that listens (for its address).
   */
  listen(where: { path: string } | { host: string; port: number }, netServer: NetServer = createServer()): Promise<NetServer> {
    const listening = this.admission.acceptFrom(netServer, (socket, ticket) => this.accept(socket, ticket));
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

  /**
   * Python's `Server.debug_info()`: each object's id, reference count and str, one object to two
   * lines, as CPython's manager prints them.
   */
  debugInfoText(): string {
    const lines: string[] = [];
    for (const entry of this.objects.values()) {
      lines.push(`  ${entry.id.toString(16)}:       refcount=${entry.refcount}`, `    ${describeServant(entry.servant, 75)}`);
    }
    return lines.join('\n');
  }

  debugInfo(): DebugInfo {
    return debugInfo({
      objects: this.objects,
      clients: this.clients,
      types: this.options.types,
      listening: this.netServers,
      startedAt: this.startedAt,
    });
  }

  /**
   * A connection admission let in: the server's half of the handshake (auth.ts), one step per
   * frame, then the client's requests.
   */
  private accept(socket: Socket, ticket: Ticket): void {
    socket.setNoDelay?.(true);
    const client = new ClientSession(socket);
    const handshake = new ServerHandshake(this.options.authkey, (frame) => socket.write(frame));
    let authenticated = false;
    /** The client's answer was wrong: nothing more is read from it. */
    let rejected = false;
    let liveness: Liveness | undefined;
    /** Frames completed by the current read, to tell a frame that goes on from a new one. */
    let framesRead = 0;
    const backpressure = new Backpressure(client, this.maxReplyBacklog, (frame) => this.onFrame(client, frame), {
      paused: () => liveness?.frameDone(),
      resumed: () => {
        if (decoder.pendingBytes > 0) liveness?.frameStarted(decoder.pendingFrameSize ?? this.maxFrameSize);
      },
    });
    const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME, (frame) => {
      framesRead++;
      if (authenticated) {
        // A Python client is never sent mpts's heartbeats: it would not understand them.
        const python = this.python?.claims(client, frame, () => {
          liveness?.stop();
          liveness = undefined;
        });
        if (!python) backpressure.serve(frame);
        return;
      }
      // Nothing else is read, decoded or dispatched before the handshake is done.
      switch (handshake.receive(frame)) {
        case 'proven':
          // The client proved it knows the key: its place goes to the next connection.
          ticket.proven();
          return;
        case 'wrongKey':
          ticket.failed();
          rejected = true;
          endWithin(socket);
          return;
        case 'answered':
          return;
        case 'broken':
          socket.destroy();
          return;
        case 'authenticated':
          authenticated = true;
          ticket.authenticated();
          decoder.setMaxFrameSize(this.maxFrameSize);
          this.clients.add(client);
          liveness = this.watchLiveness(client);
      }
    });
    socket.on('data', (chunk: Buffer) => {
      if (rejected) return;
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
    handshake.start();
  }

  /** Keepalive finds a peer whose host is gone; the heartbeat, one that stopped answering. */
  private watchLiveness(client: ClientSession): Liveness {
    client.socket.setKeepAlive?.(true, this.heartbeat.interval);
    return new Liveness(this.heartbeat, {
      ping: () => client.writer.write(HEARTBEAT_FRAME),
      // A silent client is not told anything: it would not read it.
      silent: () => client.socket.destroy(),
      frameTooSlow: () => this.fatal(client, new ProtocolError(messages.frameTooSlow)),
    });
  }

  /** Tells a client why its connection ends, then ends it; everyone else carries on. */
  private fatal(client: ClientSession, error: unknown): void {
    if (client.closed) return;
    const message = error instanceof Error ? error.message : String(error);
    client.writer.write(encodeFrame([Reply.fatal, 0, message] satisfies ReplyMessage));
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
        this.fatal(client, new ProtocolError(messages.notMsgpack((error as Error).message)));
      }
      return;
    }
    let request: Request;
    try {
      request = parseRequest(message);
    } catch (error) {
      // A malformed request is answered; a message without a request id cannot be, and ends
      // the connection.
      if (isEnvelope(message)) this.replyError(client, message[1], error);
      else this.fatal(client, error);
      return;
    }
    const requestId = request[1];
    // The message and its argument list are two levels of their own.
    if (this.refused === undefined && nestsDeeperThan(request, MAX_NESTING + 2, frame.length)) {
      this.refused = new ValueError(messages.receivedNestedTooDeeply(MAX_NESTING));
    }
    if (this.refused !== undefined) {
      this.replyError(client, requestId, this.refused);
      return;
    }
    try {
      this.dispatch(client, request);
    } catch (error) {
      this.replyError(client, requestId, error);
    }
  }

  private dispatch(client: ClientSession, request: Request): void {
    switch (request[0]) {
      case Op.call:
        this.call(client, request[1], this.objects.get(request[2]), request[3], request[4]);
        return;
      case Op.create:
        this.create(client, request[1], request[2], request[3]);
        return;
      case Op.incref: {
        const instance = request[3];
        if (typeof instance === 'string' && instance !== this.instance) {
          throw new RemoteError(messages.staleToken(request[2], instance));
        }
        this.objects.incref(client, request[2]);
        this.replyOk(client, request[1], null);
        return;
      }
      case Op.decref:
        this.objects.decref(client, request[2], request[3] ?? 1);
        return;
      case Op.cancel:
        client.waits.get(request[2])?.cancel();
        return;
      case Op.ack:
        this.acknowledge(client, request[2], request[3] ?? []);
        return;
      case Op.goodbye:
        client.saidGoodbye = true;
        return;
      case Op.heartbeat:
        return;
      case Op.command:
        this.command(client, request[1], request[2], request[3]);
        return;
      default: {
        // parseRequest lets no other op through; a new one must be served here.
        const unserved: never = request;
        throw new ProtocolError(messages.unknownOperation((unserved as Request)[0]));
      }
    }
  }

  private create(client: ClientSession, requestId: RequestId, typeId: string, args: unknown[]): void {
    const entry = this.createEntry(typeId, args);
    if (this.decodedRefs) this.objects.markHoldsRefs(entry);
    this.replyOk(client, requestId, entry.ref);
  }

  /** A new shared object of `typeId`, made with `args`; nobody references it yet. */
  createEntry(typeId: string, args: unknown[]): ObjectEntry {
    const spec = this.options.types.get(typeId);
    let servant: Servant;
    try {
      servant = spec.create(...args);
      if (typeof servant !== 'object' || servant === null) {
        throw new TypeError(messages.factoryNotObject(typeId, servant));
      }
    } catch (error) {
      // As in Python, a constructor's failure is the manager's, not a method's: RemoteError.
      throw asRemoteError(error);
    }
    return this.adopt(spec, servant);
  }

  private call(client: ClientSession, requestId: RequestId, entry: ObjectEntry, method: string, args: unknown[]): void {
    const result = this.invoke(client, requestId, entry, method, args, this.decodedRefs);
    if (result instanceof Promise) {
      result.then(
        (value) => this.replyOk(client, requestId, value),
        (error) => this.replyError(client, requestId, error),
      );
    } else {
      this.replyOk(client, requestId, result);
    }
  }

  /**
   * Calls an exposed method (or `#str`, `#getvalue`) of a shared object for `client`: its result,
   * or a promise of it for a call that waits. `receivedRefs`: the arguments carry proxies.
   */
  invoke(client: ClientSession, requestId: RequestId, entry: ObjectEntry, method: string, args: unknown[], receivedRefs: boolean): unknown {
    let result: unknown;
    if (method === '#str') {
      result = describeServant(entry.servant);
    } else if (method === '#getvalue') {
      result = entry.servant.getValue?.();
    } else {
      const exposed = entry.methods.get(method);
      if (exposed === undefined) throw new RemoteError(messages.notExposed(method, entry.ref.typeId));
      if (args.length < exposed.min || args.length > exposed.max) {
        throw new TypeError(messages.wrongArgumentCount(method, exposed.min, exposed.max, args.length));
      }
      result = applyAsCall({ client, requestId }, exposed.fn, entry.servant, args);
      if (receivedRefs) this.objects.markHoldsRefs(entry);
      this.objects.containerChanged(entry);
      const wrapAs = entry.spec.methodToTypeId.size > 0 ? entry.spec.methodToTypeId.get(method) : undefined;
      if (wrapAs !== undefined) {
        // Python's method_to_typeid: the result becomes a shared object of its own, sent as a proxy.
        result = result instanceof Promise ? result.then((value) => this.wrap(wrapAs, value, entry)) : this.wrap(wrapAs, result, entry);
      }
    }
    return result;
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
      throw new TypeError(messages.wrapNotObject(typeId, servant));
    }
    const made = this.adopt(spec, servant as Servant);
    if (from.mayHoldRefs) this.objects.markHoldsRefs(made);
    return made.ref;
  }

  private command(client: ClientSession, requestId: RequestId, name: string, args: unknown[]): void {
    switch (name) {
      case Command.ping:
        if (typeof args[0] === 'string') client.label = `client ${client.id} (${args[0].slice(0, 64)})`;
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
        throw new RemoteError(messages.unknownCommand(name));
    }
  }

  /**
   * Replies `value`. The references it carries are counted for `client` once it is encoded, all
   * or none (DESIGN D5). A `Handoff` is replied as `Reply.okAck` and kept until acknowledged.
   */
  private replyOk(client: ClientSession, requestId: RequestId, value: unknown): void {
    if (client.closed) {
      if (value instanceof Handoff) value.returned();
      return;
    }
    const handoff = value instanceof Handoff ? value : undefined;
    const kind = handoff ? Reply.okAck : Reply.ok;
    this.replyRefs = undefined;
    let frame: Buffer;
    try {
      const reply: ReplyMessage = [kind, requestId, keepNegativeZeros(handoff ? handoff.value : value)];
      frame = encodeFrame(reply, this.replyCodec);
      if (this.replyRefs !== undefined) this.objects.increfAll(client, this.replyRefs);
    } catch (error) {
      handoff?.returned();
      // Python's #UNSERIALIZABLE: the result could not be encoded.
      client.replyError(requestId, new RemoteError(messages.unserializable((error as Error).message)));
      return;
    } finally {
      this.replyRefs = undefined;
    }
    if (handoff) client.handoffs.set(requestId, handoff);
    client.writer.write(frame);
  }

  private replyError(client: ClientSession, requestId: RequestId, error: unknown): void {
    client.replyError(requestId, error);
  }

  /** The client decoded these `okAck` replies (`acks`), or could not deliver them (`returns`). */
  private acknowledge(client: ClientSession, acks: RequestId[], returns: RequestId[]): void {
    for (const id of acks) {
      client.handoffs.get(id)?.acknowledged();
      client.handoffs.delete(id);
    }
    for (const id of [...returns].reverse()) {
      client.handoffs.get(id)?.returned();
      client.handoffs.delete(id);
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

/** The heartbeat the manager sends a silent client; the same bytes every time. */
const HEARTBEAT_FRAME = encodeFrame([Reply.heartbeat, 0] satisfies ReplyMessage);

function asRemoteError(error: unknown): RemoteError {
  if (error instanceof RemoteError) return error;
  const remote = new RemoteError(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  if (error instanceof Error) remote.remoteStack = error.stack;
  return remote;
}
