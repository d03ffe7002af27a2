import {
  CancelledError,
  conditionMethods,
  messages,
  RuntimeError,
} from '@mpts/proxy/wire';
import { currentCall, runAsCall } from '../call-context.js';
import type { ClientSession, PendingWait } from '../client-session.js';
import { comparedCount } from '../count-argument.js';
import { servantOf } from '../object-registry.js';
import type { Servant } from '../servant.js';
import { ServerRef } from '../server-ref.js';
import { nonNegativeTimeout, WaitQueue } from '../waiters.js';
import { LockServant, taskOf } from './lock-servant.js';
import { RLockServant } from './rlock-servant.js';

/**
 * Python's `threading.Condition`, served to `ConditionProxy`. Its lock is an RLock of its own,
 * or the shared Lock or RLock passed to `manager.condition(lock)`, which it then keeps alive.
 *
 * `wait()` gives up the lock, waits for a notify (or its timeout, or its caller's abort), then
 * takes the lock back before it replies, as Python's does: however `wait()` settles, its
 * caller holds the lock again. Each notify wakes the longest waiters first.
 *
 * Held means held by the calling task, as Python means the calling thread: every method that
 * needs the lock takes the caller's task id as its last argument (an mpts proxy sends its
 * async task chain's; a caller that sends none is the connection's default task), and the lock
 * checks it as Python's `_is_owned` does. A waiter whose client is gone is dropped; the lock is
 * the lock's business: released if its client was lost, kept on a clean close (DESIGN D6).
 */
export class ConditionServant implements Servant {
  private readonly lock: LockServant;
  private readonly lockRef: ServerRef | undefined;
  private readonly waiters = new WaitQueue<boolean>();

  static readonly exposed = conditionMethods;

  constructor(lock: unknown = null) {
    if (lock === null || lock === undefined) {
      this.lock = new RLockServant();
      return;
    }
    const servant = lock instanceof ServerRef ? servantOf(lock) : undefined;
    if (!(servant instanceof LockServant)) {
      throw new TypeError(messages.conditionLockKind);
    }
    this.lock = servant;
    this.lockRef = lock as ServerRef;
  }

  acquire(blocking: unknown = true, timeout: unknown = null, task: unknown = null): boolean | Promise<boolean> {
    return this.lock.acquireAs(taskOf(task), blocking, timeout);
  }

  release(task: unknown = null): void {
    this.lock.releaseAs(taskOf(task));
  }

  locked(): boolean {
    return this.lock.locked();
  }

  wait(timeout: unknown = null, task: unknown = null): Promise<boolean> {
    const call = currentCall();
    const waiter = taskOf(task);
    if (!this.lock.isOwned(call.client, waiter)) throw new RuntimeError(messages.waitUnacquired);
    const seconds = nonNegativeTimeout(timeout);
    const saved = this.lock.releaseForWait(call.client, waiter);
    return this.waiters.wait(seconds, () => false).then(
      (notified) => this.reacquire(call.client, waiter, call.requestId, saved, notified),
      (error: unknown) => this.reacquire(call.client, waiter, call.requestId, saved, error),
    );
  }

  notify(n: unknown = 1, task: unknown = null): void {
    if (!this.lock.isOwned(currentCall().client, taskOf(task))) throw new RuntimeError(messages.notifyUnacquired);
    // Python's loop, `while waiters and n > 0: (wake one); n -= 1`: `notify(1.5)` wakes two,
    // and `n` is compared only while someone waits, so `notify('2')` raises only then.
    let left = n;
    for (let waiter = this.waiters.first(); waiter !== undefined && comparedCount(left, '>') > 0; waiter = this.waiters.first()) {
      waiter.grant(true);
      left = typeof left === 'bigint' ? left - 1n : Number(left) - 1;
    }
  }

  notifyAll(task: unknown = null): void {
    this.notify(Infinity, task);
  }

  heldValues(): unknown[] {
    return this.lockRef === undefined ? [] : [this.lockRef];
  }

  dispose(): void {
    this.waiters.objectDeleted();
    if (this.lockRef === undefined) this.lock.dispose();
  }

  str(): string {
    return `<Condition(${this.lock.str()}, ${this.waiters.size})>`;
  }

  debugState(): Record<string, unknown> {
    return {
      lock: this.lockRef === undefined ? this.lock.debugState() : `object ${this.lockRef.id}`,
      waiting: this.waiters.all().map((waiter) => waiter.client.label),
    };
  }

  /**
   * The second half of `wait()`: take the lock back for the waiting task, then settle it with
   * `outcome` (true when notified, false on timeout, or the error, e.g. its cancellation). An
   * abort that comes while the lock is being taken back settles the call once it is.
   */
  private reacquire(client: ClientSession, task: number, requestId: number, saved: number, outcome: unknown): Promise<boolean> {
    if (client.closed) return new Promise(() => {});
    const settle = (): boolean => {
      this.lock.restoreAfterWait(client, task, saved);
      if (outcome instanceof Error) throw outcome;
      if (cancelled) throw new CancelledError(messages.waitCancelled);
      return outcome as boolean;
    };
    let cancelled = false;
    const got = runAsCall({ client, requestId }, () => this.lock.acquireAs(task, true, null));
    if (got === true) return Promise.resolve().then(settle);
    const stillWaiting: PendingWait = {
      cancel: () => {
        cancelled = true;
      },
      drop: () => {},
    };
    client.waits.set(requestId, stillWaiting);
    return (got as Promise<boolean>).then(settle);
  }
}
