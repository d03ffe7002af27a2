import { messages, RuntimeError } from '@mpts/proxy/wire';
import { currentCall } from '../call-context.js';
import type { ClientSession, Holding } from '../client-session.js';
import type { Servant } from '../servant.js';
import { lockTimeout, WaitQueue } from '../waiters.js';

/**
 * Python's `threading.Lock`, served to `AcquirerProxy`. Waiters are served first come, first
 * served. The holder is a client connection: any client may release it (as in Python), and if
 * the holder's process dies, the lock is released for the next waiter (DESIGN D6).
 */
export class LockServant implements Servant, Holding {
  protected owner: ClientSession | undefined;
  protected readonly waiters = new WaitQueue<boolean>();

  static readonly exposed = ['acquire', 'release', 'locked'] as const;

  acquire(blocking: unknown = true, timeout: unknown = null): boolean | Promise<boolean> {
    const seconds = lockTimeout(blocking, timeout, messages.timeoutNonBlocking);
    const { client } = currentCall();
    if (this.owner === undefined) {
      this.take(client);
      return true;
    }
    if (!blocking) return false;
    return this.waiters.wait(seconds, () => false);
  }

  release(): void {
    if (this.owner === undefined) throw new RuntimeError(messages.releaseUnlocked);
    this.handOver();
  }

  locked(): boolean {
    return this.owner !== undefined;
  }

  /** Whether `client` may wait on a Condition over this lock (Python's `_is_owned`: any holder for a Lock). */
  isOwned(_client: ClientSession): boolean {
    return this.owner !== undefined;
  }

  /** For `Condition.wait`: releases the lock and returns what `restoreAfterWait` needs. */
  releaseForWait(_client: ClientSession): number {
    this.handOver();
    return 1;
  }

  /** For `Condition.wait`: called once the waiting client holds the lock again. */
  restoreAfterWait(_client: ClientSession, _saved: number): void {}

  clientGone(client: ClientSession, _lost: boolean): void {
    if (this.owner === client) this.handOver();
  }

  dispose(): void {
    for (const waiter of this.waiters.all()) waiter.fail(new RuntimeError('the lock was deleted while waited for'));
  }

  debugState(): Record<string, unknown> {
    return { owner: this.owner?.label ?? null, waiting: this.waiters.all().map((waiter) => waiter.client.label) };
  }

  protected take(client: ClientSession): void {
    this.owner = client;
    client.holdings.add(this);
  }

  /** Frees the lock and gives it straight to the longest waiter, if any. */
  protected handOver(): void {
    this.owner?.holdings.delete(this);
    this.owner = undefined;
    const next = this.waiters.first();
    if (next) {
      this.take(next.client);
      next.grant(true);
    }
  }
}
