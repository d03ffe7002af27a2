import {
  messages,
  pythonAddress,
  semaphoreMethods,
  timeoutSeconds,
  ValueError,
} from '@mpts/proxy/wire';
import { currentCall } from '../call-context.js';
import type { ClientSession, Holding } from '../client-session.js';
import { comparedCount, wholeCount } from '../count-argument.js';
import type { Servant } from '../servant.js';
import { WaitQueue } from '../waiters.js';

/**
 * Python's `threading.Semaphore`, served to `AcquirerProxy`. Waiters are served first come,
 * first served, and a released permit goes straight to the longest waiter.
 *
 * Any client may release (as in Python); the manager remembers how many permits each client
 * took and has not given back, for `debugInfo()` and for a BoundedSemaphore's lost clients. A
 * release is counted against the releasing client's own permits first, then against the oldest
 * other holders', so a permit is never given back twice.
 *
 * A Semaphore's permits are a counter, not a loan: a `Semaphore(0)` counting items gains one
 * per producer's release and loses one per consumer's acquire, and a consumer that ends, lost
 * or not, must not put back the item it took. So its permits are never given back for a gone
 * client. A BoundedSemaphore's permits are a loan (the bound says so): a lost client's come
 * back. A clean close keeps them out, as in Python (DESIGN D6).
 */
export class SemaphoreServant implements Servant, Holding {
  protected value: number;
  /** client → permits it took and has not released. */
  private readonly held = new Map<ClientSession, number>();
  private readonly waiters = new WaitQueue<boolean>();

  static readonly exposed = semaphoreMethods;

  constructor(value: unknown = 1) {
    const count = comparedCount(value, '<');
    if (count < 0) throw new ValueError(messages.semaphoreInitialNegative);
    this.value = wholeCount(count);
  }

  acquire(blocking: unknown = true, timeout: unknown = null): boolean | Promise<boolean> {
    if (!blocking && timeout !== null && timeout !== undefined) {
      throw new ValueError(messages.timeoutNonBlockingSemaphore);
    }
    const seconds = timeoutSeconds(timeout);
    const { client } = currentCall();
    if (this.value > 0) {
      this.take(client);
      return true;
    }
    // Python: a timeout of zero or less gives up at once rather than raising.
    if (!blocking || (seconds !== null && seconds <= 0)) return false;
    return this.waiters.wait(seconds, () => false);
  }

  release(n: unknown = 1): void {
    const count = comparedCount(n, '<');
    if (count < 1) throw new ValueError(messages.releaseCountPositive);
    wholeCount(count);
    this.checkRelease(count);
    this.giveBack(currentCall().client, count);
    this.value += count;
    this.handOut();
  }

  clientGone(client: ClientSession, lost: boolean): void {
    const permits = this.held.get(client);
    if (permits === undefined) return;
    if (this.lendsPermits && !lost) {
      // Still out on loan: recorded against the gone client until someone releases them, so
      // that those releases are not counted against live holders' permits.
      return;
    }
    this.held.delete(client);
    if (!this.lendsPermits) return;
    this.value += permits;
    this.handOut();
  }

  dispose(): void {
    this.waiters.objectDeleted();
  }

  str(): string {
    return `<threading.${this.constructor === SemaphoreServant ? 'Semaphore' : 'BoundedSemaphore'} at ${pythonAddress(this)}: value=${this.describeValue()}>`;
  }

  debugState(): Record<string, unknown> {
    const holders: Record<string, number> = {};
    for (const [client, permits] of this.held) holders[client.label] = permits;
    return { value: this.value, holders, waiting: this.waiters.all().map((waiter) => waiter.client.label) };
  }

  protected describeValue(): string {
    return String(this.value);
  }

  /** Whether a lost client's permits are given back (a BoundedSemaphore's) or stay taken (a counter's). */
  protected get lendsPermits(): boolean {
    return false;
  }

  /** BoundedSemaphore refuses a release past its initial value. */
  protected checkRelease(_n: number): void {}

  private take(client: ClientSession): void {
    this.value--;
    this.held.set(client, (this.held.get(client) ?? 0) + 1);
    client.holdings.add(this);
  }

  /** Counts `n` released permits against `client`'s own first, then the oldest holders'. */
  private giveBack(client: ClientSession, n: number): void {
    const order = this.held.has(client) ? [client, ...this.held.keys()] : [...this.held.keys()];
    for (const holder of order) {
      if (n === 0) return;
      const permits = this.held.get(holder);
      if (permits === undefined) continue;
      const taken = Math.min(permits, n);
      n -= taken;
      if (permits === taken) {
        this.held.delete(holder);
        holder.holdings.delete(this);
      } else {
        this.held.set(holder, permits - taken);
      }
    }
  }

  /** Gives free permits to the longest waiters. */
  private handOut(): void {
    while (this.value > 0) {
      const next = this.waiters.first();
      if (next === undefined) return;
      this.take(next.client);
      next.grant(true);
    }
  }
}

/** Python's `threading.BoundedSemaphore`: releasing past the initial value is a ValueError. */
export class BoundedSemaphoreServant extends SemaphoreServant {
  private readonly initial: number;

  constructor(value: unknown = 1) {
    super(value);
    this.initial = this.value;
  }

  protected override get lendsPermits(): boolean {
    return true;
  }

  protected override checkRelease(n: number): void {
    if (this.value + n > this.initial) throw new ValueError(messages.semaphoreReleasedTooMany);
  }

  protected override describeValue(): string {
    return `${this.value}/${this.initial}`;
  }
}
