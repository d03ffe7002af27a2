import { CancelledError, messages, ObjectDeletedError, timeoutSeconds, ValueError } from '@mpts/proxy/wire';
import { currentCall } from './call-context.js';
import type { ClientSession } from './client-session.js';

/** The longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One pending blocking call (DESIGN D4): a reply held back until something grants it, its
 * timeout passes, its client cancels it, or its client goes away. Whatever happens first
 * removes it everywhere, so a wait that ended can never later take a lock or an item.
 */
export class Waiter<T> {
  private timer: NodeJS.Timeout | undefined;
  private done = false;

  constructor(
    readonly client: ClientSession,
    readonly requestId: number,
    private readonly queue: WaitQueue<T>,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
    /** What the waiter brought along, e.g. the item a blocked `put` is waiting to add. */
    readonly payload: unknown,
  ) {}

  /** Ends the wait with `value` (the lock, the item...). */
  grant(value: T): void {
    if (this.finish()) this.resolve(value);
  }

  /** Ends the wait with an error, e.g. `BrokenBarrierError` for every waiter of a barrier. */
  fail(error: unknown): void {
    if (this.finish()) this.reject(error);
  }

  /** The client asked to abandon the wait. */
  cancel(): void {
    this.fail(new CancelledError(messages.waitCancelled));
  }

  /** The client is gone: end the wait without replying. */
  drop(): void {
    this.finish();
  }

  startTimer(seconds: number, onTimeout: () => T): void {
    // setTimeout fires at once for delays past its 32-bit limit (about 24.8 days): wait in legs.
    if (seconds * 1000 > MAX_TIMER_MS) {
      this.timer = setTimeout(() => this.startTimer(seconds - MAX_TIMER_MS / 1000, onTimeout), MAX_TIMER_MS);
      return;
    }
    this.timer = setTimeout(() => {
      if (!this.finish()) return;
      try {
        this.resolve(onTimeout());
      } catch (error) {
        this.reject(error);
      }
    }, seconds * 1000);
  }

  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.queue.remove(this);
    this.client.waits.delete(this.requestId);
    return true;
  }
}

/**
 * Waiters in arrival order (FIFO, so a lock or a queue is fair). A client that closed is
 * skipped, and its waiters leave the queue as soon as the manager notices it closed.
 */
export class WaitQueue<T = unknown> {
  private readonly waiters = new Set<Waiter<T>>();

  /**
   * Makes the current call wait. `timeoutSeconds` null waits forever; on timeout the call
   * replies what `onTimeout` returns (or throws).
   */
  wait(timeoutSeconds: number | null, onTimeout: () => T, payload?: unknown): Promise<T> {
    const call = currentCall();
    return new Promise<T>((resolve, reject) => {
      const waiter = new Waiter<T>(call.client, call.requestId, this, resolve, reject, payload);
      this.waiters.add(waiter);
      call.client.waits.set(call.requestId, waiter);
      if (timeoutSeconds !== null) waiter.startTimer(timeoutSeconds, onTimeout);
    });
  }

  /** The longest-waiting live waiter, still queued (grant it to remove it). */
  first(): Waiter<T> | undefined {
    for (const waiter of this.waiters) {
      if (!waiter.client.closed) return waiter;
      waiter.drop();
    }
    return undefined;
  }

  /** Every waiter, oldest first. */
  all(): Waiter<T>[] {
    return [...this.waiters];
  }

  get size(): number {
    return this.waiters.size;
  }

  remove(waiter: Waiter<T>): void {
    this.waiters.delete(waiter);
  }

  /** The object waited on was deleted: every waiter fails with `ObjectDeletedError`. */
  objectDeleted(): void {
    for (const waiter of this.all()) waiter.fail(new ObjectDeletedError(messages.deletedWhileWaited));
  }
}

/** `timeoutSeconds` where Python treats a negative timeout as zero (Event, Condition, Barrier). */
export function nonNegativeTimeout(timeout: unknown): number | null {
  const seconds = timeoutSeconds(timeout);
  return seconds === null ? null : Math.max(0, seconds);
}

/** Python's timeout rules for `Lock.acquire`-style calls, turned into seconds or null. */
export function lockTimeout(blocking: unknown, timeout: unknown, nonBlockingMessage: string): number | null {
  const seconds = timeoutSeconds(timeout);
  if (seconds === null || seconds === -1) return null;
  if (!blocking) throw new ValueError(nonBlockingMessage);
  if (seconds < 0) throw new ValueError(messages.timeoutNegative);
  return seconds;
}
