/**
 * Whether an authenticated client is still there. A client partitioned away (no FIN, no RST
 * ever arrives) or hung (its event loop blocked, its process stopped) looks exactly like an
 * idle one to the socket: only hearing from it tells them apart.
 *
 * The server hears a client whenever bytes arrive from it, or its socket drains what the server
 * wrote (it reads). After `interval` of silence the server sends `Reply.heartbeat`, which a live
 * client answers at once; after `timeout` of silence the client is taken for lost. A frame the
 * client has started must also finish in time: `timeout`, plus a second per 256 KiB of its size,
 * so a client that trickles a large frame cannot hold its buffer in the manager forever.
 */
export interface LivenessOptions {
  /** Milliseconds of silence before a heartbeat is sent. */
  readonly interval: number;
  /** Milliseconds of silence after which the client is lost. */
  readonly timeout: number;
}

export interface LivenessHooks {
  /** Send the client a heartbeat. */
  ping(): void;
  /** Nothing was heard from the client for `timeout`: it is lost. */
  silent(): void;
  /** A frame the client started did not finish in time: end its connection, saying so. */
  frameTooSlow(): void;
}

/** Milliseconds of silence before the manager sends a client a heartbeat. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
/** Milliseconds of silence after which the manager takes a client for lost. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;

/** The slowest a frame may arrive, after the grace of `timeout`: 256 KiB a second. */
const MIN_FRAME_BYTES_PER_SECOND = 256 * 1024;

export class Liveness {
  private lastHeard = Date.now();
  private pinged = false;
  private frameDeadline: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly options: LivenessOptions,
    private readonly hooks: LivenessHooks,
  ) {
    this.schedule(options.interval);
  }

  /** Bytes came from the client, or it read what was written to it. */
  heard(): void {
    this.lastHeard = Date.now();
    if (!this.pinged) return;
    // An answer to a heartbeat: the next one is due an interval from now, not when the timer
    // set for the timeout would have come back.
    this.pinged = false;
    clearTimeout(this.timer);
    if (!this.stopped) this.schedule(this.options.interval);
  }

  /** A frame of `size` bytes has started to arrive and is not complete yet. */
  frameStarted(size: number): void {
    this.frameDeadline = Date.now() + this.options.timeout + (size / MIN_FRAME_BYTES_PER_SECOND) * 1000;
  }

  /** No frame is partly received any more. */
  frameDone(): void {
    this.frameDeadline = undefined;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private readonly check = (): void => {
    if (this.stopped) return;
    const now = Date.now();
    const silent = now - this.lastHeard;
    if (this.frameDeadline !== undefined && now >= this.frameDeadline) {
      this.stop();
      this.hooks.frameTooSlow();
      return;
    }
    if (silent >= this.options.timeout) {
      this.stop();
      this.hooks.silent();
      return;
    }
    if (silent >= this.options.interval && !this.pinged) {
      this.pinged = true;
      this.hooks.ping();
    }
    // Timers are not reset on every read (that would cost on the hot path): the check comes
    // back when the next step could be due, and looks again.
    let next = this.lastHeard + (this.pinged ? this.options.timeout : this.options.interval);
    if (this.frameDeadline !== undefined) next = Math.min(next, this.frameDeadline);
    this.schedule(next - now);
  };

  private schedule(ms: number): void {
    this.timer = setTimeout(this.check, Math.max(ms, 10));
    // The listening socket keeps a server alive; a client's timer must not.
    this.timer.unref();
  }
}
