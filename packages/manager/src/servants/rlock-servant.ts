import { messages, pythonAddress, pythonLockRepr, RuntimeError } from '@mpts/proxy/wire';
import { currentCall } from '../call-context.js';
import type { ClientSession } from '../client-session.js';
import { lockTimeout } from '../waiters.js';
import { LockServant, taskOf } from './lock-servant.js';

/**
 * Python's `threading.RLock`. Its owner is a task of a client: the async task chain an mpts
 * proxy names with the last argument of `acquire` and `release`, or the connection's default
 * task for a caller that names none (Python's proxies). Python's owner is a thread; a process's
 * concurrent async tasks are the nearest thing. The owner may acquire it again, and must
 * release it as many times; only the owner may release it.
 */
export class RLockServant extends LockServant {
  private level = 0;

  override acquire(blocking: unknown = true, timeout: unknown = null, task: unknown = null): boolean | Promise<boolean> {
    return this.acquireAs(taskOf(task), blocking, timeout);
  }

  override release(task: unknown = null): void {
    this.releaseAs(taskOf(task));
  }

  override acquireAs(task: number, blocking: unknown, timeout: unknown): boolean | Promise<boolean> {
    if (this.isOwned(currentCall().client, task)) {
      lockTimeout(blocking, timeout, messages.timeoutNonBlocking);
      this.level++;
      return true;
    }
    return super.acquireAs(task, blocking, timeout);
  }

  override releaseAs(task: number): void {
    if (!this.isOwned(currentCall().client, task)) throw new RuntimeError(messages.releaseUnacquired);
    if (--this.level === 0) this.handOver();
  }

  override isOwned(client: ClientSession, task: number): boolean {
    return this.owner === client && this.ownerTask === task;
  }

  /** For `Condition.wait`: gives up every level at once, and returns how many. */
  override releaseForWait(client: ClientSession, task: number): number {
    if (!this.isOwned(client, task)) throw new RuntimeError(messages.releaseUnacquired);
    const level = this.level;
    this.handOver();
    return level;
  }

  /** The lock was acquired again (level 1, or one more if the task already held it). */
  override restoreAfterWait(client: ClientSession, task: number, saved: number): void {
    if (this.isOwned(client, task)) this.level += saved - 1;
  }

  /**
   * Python's `<locked _thread.RLock object owner=… count=… at 0x…>`. Python's owner is the
   * holding thread's ident; here, the holding client's number (0 when free, as in Python).
   */
  override str(): string {
    return pythonLockRepr(pythonAddress(this), this.locked(), { owner: this.owner?.id ?? 0, count: this.level });
  }

  override debugState(): Record<string, unknown> {
    return { ...super.debugState(), task: this.owner === undefined ? null : this.ownerTask, level: this.level };
  }

  protected override take(client: ClientSession, task: number): void {
    super.take(client, task);
    this.level = 1;
  }

  protected override handOver(): void {
    this.level = 0;
    super.handOver();
  }
}
