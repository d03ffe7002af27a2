import { connect as netConnect, type Socket } from 'node:net';
import { answerChallenge, HANDSHAKE_MAX_FRAME, isWelcome, makeChallenge, verifyAnswer, WELCOME, FAILURE } from './auth.js';
import { decode, encodeFrame } from './codec.js';
import {
  AuthenticationError,
  ManagerClosedError,
  ProtocolError,
  messages,
  rebuildError,
} from './errors.js';
import { DEFAULT_MAX_FRAME_SIZE, FrameDecoder, frameBytes } from './framing.js';
import { FrameWriter } from './frame-writer.js';
import { Command, Op, Reply } from './protocol.js';
import { swapCodecConnection } from './token-context.js';
import { parseAddress } from './address.js';
import { openTlsSocket, type TlsClientOptions } from './tls-options.js';

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
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, PendingCall>();
  private readonly authkey: Uint8Array;
  private readonly maxFrameSize: number;
  private state: State = 'handshake';
  private handshakeStep = 0;
  private ourChallenge: Buffer | undefined;
  private beforeOpen: Buffer[] = [];
  private nextRequestId = 1;
  private closedError: Error | undefined;
  private referenced = true;
  private readonly closeListeners = new Set<(error: Error) => void>();

  constructor(address: string, options: ConnectionOptions) {
    this.address = address;
    this.authkey = options.authkey;
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    const tls = options.tls;
    this.socket = options.openSocket?.(address) ?? (tls ? openTlsSocket(address, tls) : openPlainSocket(address));
    this.socket.setNoDelay?.(true);
    this.writer = new FrameWriter(this.socket);
    this.decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME, (frame) => this.onFrame(frame));
    this.socket.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk);
      } catch (error) {
        this.fail(error as Error);
      }
    });
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.fail(this.closedByPeer(error)));
    this.socket.on('close', () => this.fail(this.closedByPeer()));
    this.updateRef();
  }

  /** Whether the connection can still carry calls. */
  get isOpen(): boolean {
    return this.state !== 'closed';
  }

  /** Calls `method` of shared object `objectId`. */
  call(objectId: number, method: string, args: unknown[], holder?: object, signal?: AbortSignal): Promise<unknown> {
    return this.request(Op.call, objectId, method, args, holder, signal);
  }

  /** Creates a shared object of `typeId`; resolves to its proxy. */
  create(typeId: string, args: unknown[]): Promise<unknown> {
    return this.request(Op.create, typeId, args, undefined, undefined, undefined);
  }

  /** Runs a manager-level command. */
  command(name: Command | string, args: unknown[] = []): Promise<unknown> {
    return this.request(Op.command, name, args, undefined, undefined, undefined);
  }

  /** Takes one more reference to `objectId` for this connection. */
  incref(objectId: number): Promise<unknown> {
    return this.request(Op.incref, objectId, undefined, undefined, undefined, undefined);
  }

  /** Drops `count` references of this connection to `objectId`; fire and forget. */
  decref(objectId: number, count = 1): void {
    if (this.state === 'closed') return;
    this.send(encodeFrame([Op.decref, 0, objectId, count]));
  }

  /** Called once when the connection closes, with the error pending calls were rejected with. */
  onClose(listener: (error: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /**
   * Says goodbye, sends what is queued and closes the connection; pending calls are rejected.
   * The goodbye tells the manager this is a clean close, so what this process holds (a lock it
   * means another process to release, semaphore permits) stays held (DESIGN D6).
   */
  close(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    if (this.state === 'open') this.writer.write(encodeFrame([Op.goodbye, 0]));
    this.writer.flush();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      // Whoever awaits the close must see it finish: the process may not exit in between.
      this.socket.ref();
      // End, not destroy: what was just flushed (last calls, decrefs) still reaches the manager.
      this.socket.end();
      this.fail(new ManagerClosedError(messages.managerClosed(this.address)), false);
    });
  }

  /** Closes at once, without flushing. */
  destroy(error?: Error): void {
    this.fail(error ?? new ManagerClosedError(messages.managerClosed(this.address)));
  }

  private request(
    op: Op,
    target: number | string,
    method: string | unknown[] | undefined,
    args: unknown[] | undefined,
    holder: object | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.nextRequestId++;
    let frame: Buffer;
    const outer = swapCodecConnection(this.address);
    try {
      const message =
        op === Op.call ? [op, id, target, method, args] :
        op === Op.incref ? [op, id, target] :
        [op, id, target, method];
      frame = encodeFrame(message);
    } catch (error) {
      return Promise.reject(error);
    } finally {
      swapCodecConnection(outer);
    }
    return new Promise((resolve, reject) => {
      const call: PendingCall = { resolve, reject, holder };
      this.pending.set(id, call);
      if (this.pending.size === 1) this.updateRef();
      this.send(frame);
      if (signal) this.watchAbort(id, call, signal);
    });
  }

  private watchAbort(id: number, call: PendingCall, signal: AbortSignal): void {
    const onAbort = () => {
      if (!this.pending.has(id)) return;
      call.cancelReason = signal.reason;
      this.send(encodeFrame([Op.cancel, 0, id]));
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

  private onFrame(frame: Buffer): void {
    if (this.state === 'handshake') {
      this.onHandshakeFrame(frame);
      return;
    }
    let message: unknown[];
    const outer = swapCodecConnection(this.address);
    try {
      message = decode(frame) as unknown[];
    } finally {
      swapCodecConnection(outer);
    }
    if (!Array.isArray(message)) throw new ProtocolError('a reply from the manager is not an array');
    const kind = message[0];
    if (kind === Reply.fatal) {
      this.fail(new ProtocolError(String(message[2])));
      return;
    }
    const id = message[1] as number;
    const call = this.pending.get(id);
    if (call === undefined) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.updateRef();
    if (kind === Reply.ok) {
      call.resolve(message[2]);
    } else {
      const error = rebuildError(String(message[2]), String(message[3]), message[4] as string | undefined);
      call.reject(call.cancelReason !== undefined && message[2] === 'CancelledError'
        ? (call.cancelReason as Error)
        : error);
    }
  }

  /** The client's half of the handshake in `auth.ts`, one step per received frame. */
  private onHandshakeFrame(frame: Buffer): void {
    switch (this.handshakeStep++) {
      case 0: {
        const answer = answerChallenge(this.authkey, frame);
        if (answer === undefined) throw new AuthenticationError(messages.digestSentRejected);
        this.socket.write(frameBytes(answer));
        return;
      }
      case 1: {
        if (!isWelcome(frame)) throw new AuthenticationError(messages.digestSentRejected);
        this.ourChallenge = makeChallenge();
        this.socket.write(frameBytes(this.ourChallenge));
        return;
      }
      default: {
        if (!verifyAnswer(this.authkey, this.ourChallenge!, frame)) {
          this.socket.write(frameBytes(FAILURE));
          throw new AuthenticationError(messages.digestReceivedWrong);
        }
        this.socket.write(frameBytes(WELCOME));
        this.state = 'open';
        // Introduce this process, so the manager's debugInfo() can say who holds what.
        this.writer.write(encodeFrame([Op.command, 0, Command.ping, [`pid ${process.pid}`]]));
        this.decoder.setMaxFrameSize(this.maxFrameSize);
        for (const queued of this.beforeOpen) this.writer.write(queued);
        this.beforeOpen = [];
      }
    }
  }

  private closedByPeer(error?: NodeJS.ErrnoException): Error {
    if (this.state === 'handshake' && this.handshakeStep > 0 && !error) {
      return new AuthenticationError(messages.digestSentRejected);
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

function openPlainSocket(address: string): Socket {
  const where = parseAddress(address);
  return where.kind === 'tcp' ? netConnect({ host: where.host, port: where.port }) : netConnect(where.path);
}
