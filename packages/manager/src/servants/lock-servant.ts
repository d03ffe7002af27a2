import { lockMethods, messages, pythonAddress, pythonLockRepr, RuntimeError } from '@mpts/proxy/wire';
import { currentCall } from '../call-context.js';
import type { ClientSession, Holding } from '../client-session.js';
import type { Servant } from '../servant.js';
import { lockTimeout, WaitQueue } from '../waiters.js';

/** The task of a caller that names none (Python's proxies): the connection's default task. */
const DEFAULT_TASK = 0;

/**
 * The task a lock call comes from, read from its last argument: the id of the async task chain
 * an mpts proxy sends (a positive integer), or nothing, the connection's default task.
 */
export function taskOf(task: unknown): number {
  if (task === null || task === undefined) return DEFAULT_TASK;
  if (typeof task !== 'number' || !Number.isSafeInteger(task) || task < 1) {
    throw new TypeError(messages.badTaskId(typeof task === 'number' ? String(task) : typeof task));
  }
  return task;
}

/**
 * Python's `threading.Lock`, served to `AcquirerProxy`. Waiters are served first come, first
 * served. Any client may release it, as in Python: the holder (a client connection, and the
 * task that took it, which only an RLock checks) is recorded so that a lost client's lock is
 * released for the next waiter. A client that closes cleanly keeps it held (DESIGN D6).
 */
export class LockServant implements Servant, Holding {
  protected owner: ClientSession | undefined;
  protected ownerTask = DEFAULT_TASK;
  protected readonly waiters = new WaitQueue<boolean>();

  static readonly exposed = lockMethods;

  acquire(blocking: unknown = true, timeout: unknown = null): boolean | Promise<boolean> {
    return this.acquireAs(DEFAULT_TASK, blocking, timeout);
  }

  release(): void {
    this.releaseAs(DEFAULT_TASK);
  }

  locked(): boolean {
    return this.owner !== undefined;
  }

  /** `acquire` for `task` of the calling client; a waiter carries its task to be handed the lock as it. */
  acquireAs(task: number, blocking: unknown, timeout: unknown): boolean | Promise<boolean> {
    const seconds = lockTimeout(blocking, timeout, messages.timeoutNonBlocking);
    const { client } = currentCall();
    if (this.owner === undefined) {
      this.take(client, task);
      return true;
    }
    if (!blocking) return false;
    return this.waiters.wait(seconds, () => false, task);
  }

  /** `release` by `task` of the calling client: any task, for a Lock. */
  releaseAs(_task: number): void {
    if (this.owner === undefined) throw new RuntimeError(messages.releaseUnlocked);
    this.handOver();
  }

  /** Whether `task` of `client` may wait on a Condition over this lock (Python's `_is_owned`: any holder for a Lock). */
  isOwned(_client: ClientSession, _task: number): boolean {
    return this.owner !== undefined;
  }

  /** For `Condition.wait`: releases the lock and returns what `restoreAfterWait` needs. */
  releaseForWait(_client: ClientSession, _task: number): number {
    this.handOver();
    return 1;
  }

  /** For `Condition.wait`: called once the waiting task holds the lock again. */
  restoreAfterWait(_client: ClientSession, _task: number, _saved: number): void {}

  /**
   * A lost client's lock is released: it can never release it. A client that closed cleanly
   * keeps it, as in Python, where a lock taken by one process may be released by another.
   */
  clientGone(client: ClientSession, lost: boolean): void {
    if (lost && this.owner === client) this.handOver();
  }

  dispose(): void {
    this.waiters.objectDeleted();
  }

  /** Python's `<locked _thread.lock object at 0x…>`. */
  str(): string {
    return pythonLockRepr(pythonAddress(this), this.locked());
  }

  debugState(): Record<string, unknown> {
    return { owner: this.owner?.label ?? null, waiting: this.waiters.all().map((waiter) => waiter.client.label) };
  }

  protected take(client: ClientSession, task: number): void {
    this.owner = client;
    this.ownerTask = task;
    client.holdings.add(this);
  }

  /** Frees the lock and gives it straight to the longest waiter, if any. */
  protected handOver(): void {
    this.owner?.holdings.delete(this);
    this.owner = undefined;
    this.ownerTask = DEFAULT_TASK;
    const next = this.waiters.first();
    if (next) {
      this.take(next.client, next.payload as number);
      next.grant(true);
    }
  }
}
