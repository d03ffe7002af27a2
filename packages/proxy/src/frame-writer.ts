import type { Socket } from 'node:net';

/**
 * Coalesces the frames queued during one turn of the event loop into a single socket write
 * (DESIGN D12): 64 calls made together cost one system call, not 64.
 */
export class FrameWriter {
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private scheduled = false;

  constructor(private readonly socket: Socket) {}

  write(frame: Buffer): void {
    this.queued.push(frame);
    this.queuedBytes += frame.length;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Bytes queued and not yet handed to the socket. */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** Writes what is queued now. Safe to call at any time. */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.queued.length === 0 || this.socket.destroyed) {
      this.queued = [];
      this.queuedBytes = 0;
      return;
    }
    const bytes = this.queued.length === 1 ? this.queued[0]! : Buffer.concat(this.queued, this.queuedBytes);
    this.queued = [];
    this.queuedBytes = 0;
    this.socket.write(bytes);
  };
}
