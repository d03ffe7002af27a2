import { messages, RuntimeError } from '@mpts/proxy/wire';
import { currentCall } from '../call-context.js';
import type { ClientSession } from '../client-session.js';
import { lockTimeout } from '../waiters.js';
import { LockServant } from './lock-servant.js';

/**
 * Python's `threading.RLock`: its holder (a client process's connection) may acquire it again,
 * and must release it as many times. Only the holder may release it.
 */
export class RLockServant extends LockServant {
  private level = 0;

  override acquire(blocking: unknown = true, timeout: unknown = null): boolean | Promise<boolean> {
    const { client } = currentCall();
    if (this.owner === client) {
      lockTimeout(blocking, timeout, messages.timeoutNonBlocking);
      this.level++;
      return true;
    }
    return super.acquire(blocking, timeout);
  }

  override release(): void {
    if (this.owner !== currentCall().client) throw new RuntimeError(messages.releaseUnacquired);
    if (--this.level === 0) this.handOver();
  }

  /** The recursion level, for `Condition`: waiting gives up every level at once. */
  releaseAll(client: ClientSession): number {
    if (this.owner !== client) throw new RuntimeError(messages.releaseUnacquired);
    const level = this.level;
    this.handOver();
    return level;
  }

  override isOwned(client: ClientSession): boolean {
    return this.owner === client;
  }

  override releaseForWait(client: ClientSession): number {
    return this.releaseAll(client);
  }

  /** The lock was acquired again (level 1, or one more if the client already held it). */
  override restoreAfterWait(client: ClientSession, saved: number): void {
    if (this.owner === client) this.level += saved - 1;
  }

  override debugState(): Record<string, unknown> {
    return { ...super.debugState(), level: this.level };
  }

  protected override take(client: ClientSession): void {
    super.take(client);
    this.level = 1;
  }

  protected override handOver(): void {
    this.level = 0;
    super.handOver();
  }
}
