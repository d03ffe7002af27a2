import type { ClientSession } from './client-session.js';

/** Bytes of replies waiting for one client past which its requests are no longer read. */
export const DEFAULT_MAX_REPLY_BACKLOG = 4 * 1024 * 1024;

/**
 * Keeps what the manager holds for one client bounded when the client does not read its
 * replies: a client that sends a thousand `getValue()` calls of a 1 MiB value and reads none
 * would otherwise make the manager queue a gigabyte.
 *
 * Before each request is served, the replies still waiting to be sent to that client are
 * counted (queued in its writer and buffered in its socket). Past `limit`, the request and
 * those after it in the same read wait, and the socket is paused, so the kernel's buffers
 * fill and the client's writes stop; when the socket drains they are served in order. The
 * backlog stays under `limit` plus one reply. Other clients are not affected.
 */
export class Backpressure {
  private waiting: Buffer[] = [];
  private next = 0;
  private paused = false;

  constructor(
    private readonly client: ClientSession,
    private readonly limit: number,
    private readonly handle: (frame: Buffer) => void,
    private readonly events: { paused(): void; resumed(): void },
  ) {}

  get isPaused(): boolean {
    return this.paused;
  }

  /** Serves a request now, or after the client's replies have drained. */
  serve(frame: Buffer): void {
    if (this.paused) {
      this.waiting.push(frame);
    } else if (this.backlog() > this.limit) {
      this.waiting.push(frame);
      this.pause();
    } else {
      this.handle(frame);
    }
  }

  private backlog(): number {
    return this.client.writer.pendingBytes + this.client.socket.writableLength;
  }

  private pause(): void {
    this.paused = true;
    this.client.socket.pause();
    this.events.paused();
    this.waitForDrain();
  }

  private waitForDrain(): void {
    this.client.writer.flush();
    if (this.client.socket.writableNeedDrain) this.client.socket.once('drain', this.resume);
    else setImmediate(this.resume);
  }

  private readonly resume = (): void => {
    if (this.client.closed || this.client.socket.destroyed) return;
    while (this.next < this.waiting.length) {
      if (this.backlog() > this.limit) return this.waitForDrain();
      const frame = this.waiting[this.next]!;
      this.waiting[this.next++] = undefined as never;
      this.handle(frame);
      if (this.client.closed) return;
    }
    this.waiting = [];
    this.next = 0;
    this.paused = false;
    this.events.resumed();
    this.client.socket.resume();
  };
}
