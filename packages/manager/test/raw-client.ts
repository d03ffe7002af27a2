import { connect, type Socket } from 'node:net';
import { answerChallenge, FrameDecoder, frameBytes, makeChallenge, verifyAnswer, WELCOME } from '@mpts/proxy/wire';

/**
 * A client that speaks the wire protocol by hand, to send a server what no real client would:
 * frames before authenticating, malformed messages, absurd lengths.
 */
export class RawClient {
  readonly socket: Socket;
  readonly frames: Buffer[] = [];
  readonly closed: Promise<void>;
  private waiters: (() => void)[] = [];

  /**
   * Connects to a TCP port on `host`, or to a Unix socket path. `localAddress` (127.0.0.2...)
   * makes it come from another host as far as the server can tell.
   */
  constructor(port: number | string, host = '127.0.0.1', localAddress?: string) {
    this.socket = typeof port === 'string' ? connect(port) : connect({ port, host, localAddress });
    this.socket.on('error', () => {});
    const decoder = new FrameDecoder(1 << 30, (frame) => {
      this.frames.push(Buffer.from(frame));
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.socket.on('data', (chunk) => decoder.push(chunk));
    this.closed = new Promise((resolve) => this.socket.once('close', () => {
      for (const wake of this.waiters.splice(0)) wake();
      resolve();
    }));
  }

  get isClosed(): boolean {
    return this.socket.destroyed || this.socket.closed;
  }

  /** The next frame, or undefined when the connection closed first. */
  async next(): Promise<Buffer | undefined> {
    while (this.frames.length === 0) {
      if (this.isClosed) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.frames.shift();
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Runs the client's half of the handshake. */
  async authenticate(authkey: Uint8Array): Promise<void> {
    const challenge = await this.next();
    this.write(frameBytes(answerChallenge(authkey, challenge!)!));
    const welcome = await this.next();
    if (!welcome?.equals(WELCOME)) throw new Error('not welcomed');
    const ours = makeChallenge();
    this.write(frameBytes(ours));
    const answer = await this.next();
    if (!verifyAnswer(authkey, ours, answer!)) throw new Error('the server does not know the key');
    this.write(frameBytes(WELCOME));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Resolves true if `promise` settles within `ms`. */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([promise.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  return result;
}
