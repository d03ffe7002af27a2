import { connect as netConnect, type OnReadOpts, type Socket } from 'node:net';
import { ClientHandshake, HANDSHAKE_MAX_FRAME, looksLikeTls } from './auth.js';
import { decode, encodeFrame } from './codec.js';
import {
  AuthenticationError,
  CancelledError,
  ConnectionRefusedError,
  ManagerClosedError,
  MptsError,
  ProtocolError,
  messages,
  rebuildError,
} from './errors.js';
import { DEFAULT_MAX_FRAME_SIZE, FrameDecoder } from './framing.js';
import { FrameReader } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';
import { parseReply } from './parse-reply.js';
import { Command, Op, Reply, type ObjectId, type Request } from './protocol.js';
import type { CodecContext } from './codec-context.js';
import type { BaseProxy } from './base-proxy.js';
import type { TokenData } from './codec.js';
import { parseAddress } from './address.js';
import { openTlsSocket, type TlsClientOptions } from './tls-options.js';

/**
 * Builds the proxy for a token a connection decoded (`rebuildProxy` in proxy-types.ts, which
 * installs itself: the proxy classes import this module, so it cannot import them).
 */
let rebuildProxy: ((data: TokenData, receivedOn: Connection) => BaseProxy) | undefined;

export function setProxyRebuilder(rebuild: (data: TokenData, receivedOn: Connection) => BaseProxy): void {
  rebuildProxy = rebuild;
}

/**
 * Whether an error a manager raised gets the stack of the call that failed (see
 * `setCallerStacks`). On unless the environment sets `MPTS_CALLER_STACKS=0`, read on first use
 * (not at load: a manager server's modules are loaded on the build's machine, server-snapshot.ts).
 */
let callerStacks: boolean | undefined;

/**
 * Turns on or off (`false`) the caller's stack on errors raised in a manager. When on (the
 * default), a rejected call's `stack` shows the code that awaited the call, as a local error's
 * would (V8's async stack traces, taken only when a call fails: a call that succeeds pays one
 * more `await`); when off, it shows where the reply arrived. `remoteStack` is there either way.
 * The environment variable `MPTS_CALLER_STACKS=0` turns it off for a whole process.
 */
export function setCallerStacks(enabled: boolean): void {
  callerStacks = enabled;
}

/** A call waiting for its reply. `holder` keeps the calling proxy alive until then. */
interface PendingCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
  holder: object | undefined;
  /** Set once a cancel was sent: the server's reply decides between the result and this. */
  cancelReason?: unknown;
}

type State = 'handshake' | 'open' | 'closed';

export interface ConnectionOptions {
  authkey: Uint8Array;
  maxFrameSize?: number;
  /**
   * Connect over TLS with these `tls.connect` options (`{}`: the system's certificate
   * authorities). Plain data only, so a `Process` child can be given the same.
   */
  tls?: TlsClientOptions;
  /** Opens the byte stream; by default plain TCP or a Unix socket, or TLS with `tls`. */
  openSocket?: (address: string) => Socket;
}

/**
 * One authenticated, multiplexed connection from this process to one manager (DESIGN D1).
 * All proxies of the process for that manager share it; every request carries an id, and many
 * may be in flight. Opening is lazy and asynchronous: requests made meanwhile wait in order.
 *
 * The socket keeps the process alive only while a reply is awaited, so a program that holds
 * proxies but waits for nothing can still exit.
 */
export class Connection {
  readonly address: string;
  private readonly socket: Socket;
  private readonly writer: FrameWriter;
  private readonly decoder: FrameDecoder | FrameReader;
  private readonly pending = new Map<number, PendingCall>();
  /** The authkey this connection authenticated with (the pool keeps one connection per key). */
  readonly authkey: Uint8Array;
  private readonly tls: boolean;
  private readonly maxFrameSize: number;
  private state: State = 'handshake';
  private readonly handshake: ClientHandshake;
  private beforeOpen: Buffer[] = [];
  private nextRequestId = 1;
  private closedError: Error | undefined;
  private referenced = true;
  private readonly closeListeners = new Set<(error: Error) => void>();
  /** What the reply being decoded rebuilt, and why it could not be, if it could not. */
  private decoding = false;
  private decodedProxies: BaseProxy[] | undefined;
  private decodeError: Error | undefined;
  /** `Reply.okAck` replies decoded this tick, acknowledged together in one message. */
  private acks: number[] = [];
  /** `Reply.okAck` replies that could not be delivered: the manager takes their items back. */
  private returns: number[] = [];
  /**
   * How values cross this connection (DESIGN D5): a proxy of this very manager travels as
   * `SELF_ADDRESS`, and one decoded from a reply was counted for this connection.
   */
  private readonly codec: CodecContext = {
    peerAddress: undefined as string | undefined,
    acceptsTransfers: true,
    readToken: (data) => {
      try {
        if (rebuildProxy === undefined) throw new Error('mpts proxy classes are not loaded');
        const proxy = rebuildProxy(data, this);
        if (this.decoding) (this.decodedProxies ??= []).push(proxy);
        return proxy;
      } catch (error) {
        this.codec.refuse(error as Error);
        return null;
      }
    },
    refuse: (error) => {
      if (!this.decoding) throw error;
      this.decodeError ??= error;
    },
  };

  constructor(address: string, options: ConnectionOptions) {
    this.address = address;
    (this.codec as { peerAddress: string | undefined }).peerAddress = address;
    this.authkey = options.authkey;
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    const tls = options.tls;
    this.tls = tls !== undefined;
    // Handshake messages go straight to the socket: the writer holds calls until it is open.
    this.handshake = new ClientHandshake(this.authkey, address, (frame) => this.socket.write(frame));
    const onFrame = (frame: Buffer, transient: boolean) => this.onFrame(frame, transient);
    if (options.openSocket === undefined && !tls) {
      // A plain socket reads into buffers the reader gives (frame-reader.ts): no new buffer per read.
      const reader = new FrameReader(HANDSHAKE_MAX_FRAME, onFrame);
      this.decoder = reader;
      this.socket = openPlainSocket(address, {
        buffer: reader.nextBuffer,
        callback: (count, buffer) => {
          this.received(() => buffer.subarray(0, count) as Buffer, () => reader.read(count, buffer));
          return true;
        },
      });
    } else {
      const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME, (frame) => onFrame(frame, false));
      this.decoder = decoder;
      this.socket = options.openSocket?.(address) ?? openTlsSocket(address, tls!);
      this.socket.on('data', (chunk: Buffer) => this.received(() => chunk, () => decoder.push(chunk)));
    }
    this.socket.setNoDelay?.(true);
    this.writer = new FrameWriter(this.socket);
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.fail(this.closedByPeer(error)));
    this.socket.on('close', () => this.fail(this.closedByPeer()));
    this.updateRef();
  }

  /** Whether the connection can still carry calls. */
  get isOpen(): boolean {
    return this.state !== 'closed';
  }

  /** Calls `method` of shared object `objectId`. */
  call(objectId: ObjectId, method: string, args: unknown[], holder?: object, signal?: AbortSignal): Promise<unknown> {
    return this.request([Op.call, 0, objectId, method, args], holder, signal);
  }

  /** Creates a shared object of `typeId`; resolves to its proxy. */
  create(typeId: string, args: unknown[]): Promise<unknown> {
    return this.request([Op.create, 0, typeId, args], undefined, undefined);
  }

  /** Runs a manager-level command. */
  command(name: Command | string, args: unknown[] = []): Promise<unknown> {
    return this.request([Op.command, 0, name, args], undefined, undefined);
  }

  /**
   * Takes one more reference to `objectId` for this connection. With `instance`, the manager
   * refuses if it is not the instance that made the object (it was restarted since).
   */
  incref(objectId: ObjectId, instance?: string): Promise<unknown> {
    return this.request([Op.incref, 0, objectId, instance ?? null], undefined, undefined);
  }

  /** Drops `count` references of this connection to `objectId`; fire and forget. */
  decref(objectId: ObjectId, count = 1): void {
    if (this.state === 'closed') return;
    this.send(encodeFrame([Op.decref, 0, objectId, count] satisfies Request));
  }

  /** Called once when the connection closes, with the error pending calls were rejected with. */
  onClose(listener: (error: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /**
   * Says goodbye, sends what is queued and closes the connection; pending calls are rejected.
   * The goodbye tells the manager this is a clean close, so what this process holds (a lock it
   * means another process to release, semaphore permits) stays held (DESIGN D6). Calls made
   * on it afterwards reject with a `ManagerClosedError` that says `why`.
   */
  close(why: string = messages.managerClosed(this.address)): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    if (this.state === 'open') this.writeGoodbye();
    this.writer.flush();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      // Whoever awaits the close must see it finish: the process may not exit in between.
      this.socket.ref();
      // End, not destroy: what was just flushed (last calls, decrefs) still reaches the manager.
      this.socket.end();
      this.fail(new ManagerClosedError(why), false);
    });
  }

  /**
   * Says goodbye from a process that is exiting now (`process.exit()`): no later turn of the
   * event loop will come, so the goodbye is written at once; a socket on which nothing waits
   * to be written takes it straight into the kernel, which delivers it before the close.
   */
  goodbyeAtExit(): void {
    if (this.state !== 'open') return;
    this.writeGoodbye();
    this.writer.flush();
  }

  /** The last acknowledgements, then the goodbye that makes the close a clean one (D6). */
  private writeGoodbye(): void {
    this.sendAcks();
    this.writer.write(encodeFrame([Op.goodbye, 0] satisfies Request));
  }

  /** Closes at once, without flushing. */
  destroy(error?: Error): void {
    this.fail(error ?? new ManagerClosedError(messages.managerClosed(this.address)));
  }

  /** Sends `request` under the next request id (written into it here) and awaits its reply. */
  private request(request: Request, holder: object | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = (request[1] = this.nextRequestId++);
    let frame: Buffer;
    try {
      frame = encodeFrame(request, this.codec);
    } catch (error) {
      return Promise.reject(error);
    }
    const reply = new Promise((resolve, reject) => {
      const call: PendingCall = { resolve, reject, holder };
      this.pending.set(id, call);
      if (this.pending.size === 1) this.updateRef();
      this.send(frame);
      if (signal) this.watchAbort(id, call, signal);
    });
    return (callerStacks ??= process.env.MPTS_CALLER_STACKS !== '0') ? withCallerStack(reply) : reply;
  }

  private watchAbort(id: number, call: PendingCall, signal: AbortSignal): void {
    const onAbort = () => {
      if (!this.pending.has(id)) return;
      call.cancelReason = signal.reason;
      this.send(encodeFrame([Op.cancel, 0, id] satisfies Request));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (finish: (value: never) => void) => (value: never) => {
      signal.removeEventListener('abort', onAbort);
      finish(value);
    };
    call.resolve = settle(call.resolve);
    call.reject = settle(call.reject);
  }

  private send(frame: Buffer): void {
    if (this.state === 'open') this.writer.write(frame);
    else this.beforeOpen.push(frame);
  }

  /** Bytes arrived: `split` hands over the frames they complete. */
  private received(bytes: () => Buffer, split: () => void): void {
    // A TLS server's first bytes (an alert) where a handshake frame should be: say so, rather
    // than that a 369 MB frame is over the limit.
    if (this.state === 'handshake' && !this.handshake.challenged && this.decoder.pendingBytes === 0 && looksLikeTls(bytes())) {
      this.fail(new ConnectionRefusedError(messages.speaksTls(this.address)));
      return;
    }
    try {
      split();
    } catch (error) {
      this.fail(error as Error);
    }
  }

  /** A frame arrived; a `transient` one is overwritten once this returns. */
  private onFrame(frame: Buffer, transient: boolean): void {
    if (this.state === 'handshake') {
      this.onHandshakeFrame(transient ? Buffer.from(frame) : frame);
      return;
    }
    // What the reply rebuilt, and why it could not be, are gathered while it is decoded.
    this.decoding = true;
    this.decodedProxies = undefined;
    this.decodeError = undefined;
    let decoded: unknown;
    try {
      decoded = decode(frame, this.codec, transient);
    } finally {
      this.decoding = false;
    }
    // (Set by the codec's callbacks during decode, which the compiler cannot see.)
    const proxies = this.decodedProxies as BaseProxy[] | undefined;
    const decodeError = this.decodeError as Error | undefined;
    const message = parseReply(decoded);
    if (message[0] === Reply.heartbeat) {
      this.writer.write(encodeFrame([Op.heartbeat, 0] satisfies Request));
      return;
    }
    if (message[0] === Reply.fatal) {
      this.fail(new ProtocolError(message[2]));
      return;
    }
    const id = message[1];
    if (message[0] === Reply.okAck) this.acknowledge(id, decodeError === undefined && this.pending.has(id));
    const call = this.pending.get(id);
    if (call === undefined) {
      if (proxies) for (const proxy of proxies) proxy.releaseProxy();
      return;
    }
    this.pending.delete(id);
    if (this.pending.size === 0) this.updateRef();
    if (decodeError !== undefined) {
      // A value this process cannot rebuild (a proxy of a manager it has no key for) fails
      // this call only; the proxies the reply did hold are given back.
      if (proxies) for (const proxy of proxies) proxy.releaseProxy();
      call.reject(decodeError);
    } else if (message[0] === Reply.ok || message[0] === Reply.okAck) {
      call.resolve(message[2]);
    } else {
      const error = rebuildError(message[2], message[3], message[4]);
      call.reject(call.cancelReason !== undefined && error instanceof CancelledError
        ? (call.cancelReason as Error)
        : error);
    }
  }

  /**
   * Acknowledges a decoded `Reply.okAck` (DESIGN D6): the manager may let go of the queue item
   * it carried. One that cannot be delivered (its call is gone, or its value could not be
   * rebuilt here) is returned instead, and goes back to the head of its queue. The replies of
   * one turn of the event loop are acknowledged in one message, sent once that turn's promise
   * callbacks ran: the code that awaited `get()` has the item before the manager lets it go,
   * so a process that dies in between has it delivered again rather than lost.
   */
  private acknowledge(requestId: number, delivered: boolean): void {
    if (this.acks.length === 0 && this.returns.length === 0) setImmediate(this.sendAcks);
    (delivered ? this.acks : this.returns).push(requestId);
  }

  private readonly sendAcks = (): void => {
    if (this.acks.length === 0 && this.returns.length === 0) return;
    const message: Request = [Op.ack, 0, this.acks, this.returns];
    this.acks = [];
    this.returns = [];
    if (this.state === 'open') this.writer.write(encodeFrame(message));
  };

  /** A frame of the handshake (auth.ts); once it is done, the connection opens. */
  private onHandshakeFrame(frame: Buffer): void {
    if (!this.handshake.receive(frame)) return;
    this.state = 'open';
    // Introduce this process, so the manager's debugInfo() can say who holds what.
    this.writer.write(encodeFrame([Op.command, 0, Command.ping, [`pid ${process.pid}`]] satisfies Request));
    this.decoder.setMaxFrameSize(this.maxFrameSize);
    for (const queued of this.beforeOpen) this.writer.write(queued);
    this.beforeOpen = [];
  }

  private closedByPeer(error?: NodeJS.ErrnoException): Error {
    if (this.state === 'handshake' && this.handshake.challenged && !error) {
      return new AuthenticationError(messages.digestSentRejected);
    }
    // A TLS client reading a plain server's challenge as a TLS record.
    if (this.state === 'handshake' && this.tls && /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|RECORD_LAYER_FAILURE/.test(error?.code ?? '')) {
      return new ConnectionRefusedError(messages.speaksPlain(this.address), { cause: error });
    }
    // Say why a connection could not be made or broke (refused, unreachable, a TLS certificate).
    const why = error?.message ? `: ${error.message}` : '';
    return new ManagerClosedError(`${messages.managerClosed(this.address)}${why}`, { cause: error });
  }

  private fail(error: Error, destroySocket = true): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closedError = error instanceof ProtocolError && !(error instanceof ManagerClosedError)
      ? new ManagerClosedError(`${messages.managerClosed(this.address)}: ${error.message}`, { cause: error })
      : error;
    if (error instanceof AuthenticationError) this.closedError = error;
    if (destroySocket) this.socket.destroy();
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.beforeOpen = [];
    for (const call of pending) call.reject(this.closedError);
    for (const listener of this.closeListeners) listener(this.closedError);
    this.closeListeners.clear();
  }

  /** Keeps the process alive exactly while some reply is awaited. */
  private updateRef(): void {
    const wanted = this.pending.size > 0;
    if (wanted === this.referenced) return;
    this.referenced = wanted;
    if (wanted) this.socket.ref();
    else this.socket.unref();
  }
}

function openPlainSocket(address: string, onread: OnReadOpts): Socket {
  const where = parseAddress(address);
  return where.kind === 'tcp' ? netConnect({ host: where.host, port: where.port, onread }) : netConnect({ path: where.path, onread });
}

/**
 * `reply`, whose error, if it fails, shows the code that awaited the call instead of the socket
 * handler that rebuilt it. The stack is taken here, in the continuation of an `await`, where V8
 * adds the frames of the async functions awaiting this one; nothing is captured for a call that
 * succeeds. Only mpts's own errors are changed: an `AbortSignal`'s reason is the caller's.
 */
async function withCallerStack<T>(reply: Promise<T>): Promise<T> {
  try {
    return await reply;
  } catch (error) {
    if (error instanceof MptsError) {
      const here = new Error().stack;
      const at = here === undefined ? -1 : here.indexOf('\n');
      const header = error.message === '' ? error.name : `${error.name}: ${error.message}`;
      if (at >= 0) error.stack = header + here!.slice(at);
    }
    throw error;
  }
}
