import type { SignalOption } from '../base-proxy.js';
import type { ConditionMethod } from '../exposed-methods.js';
import { currentChain } from '../task-chain.js';
import { AcquirerProxy } from './acquirer-proxy.js';

export interface ConditionWaitOptions extends SignalOption {
  /** Seconds to wait at most (Python's `timeout`); `undefined` waits forever. */
  timeout?: number | undefined;
}

/**
 * A shared condition variable (Python's `ConditionProxy`). Its lock is its own RLock, or the
 * Lock or RLock given to `manager.condition(lock)`. `wait()` and `notify()` need the lock held
 * (else `RuntimeError`). However `wait()` settles (notified, timed out, or aborted), the caller
 * holds the lock again, as in Python.
 *
 * "Held" means held by the calling async task chain, as Python means the calling thread (its
 * `_is_owned`): every call carries the chain's id, as an RLock's do (see `task-chain.ts`).
 */
export class ConditionProxy extends AcquirerProxy<ConditionMethod> {
  protected override get ownedByChain(): boolean {
    return true;
  }

  /** Releases the lock, waits for a notify, takes the lock back. Resolves false on timeout. */
  wait(options: ConditionWaitOptions = {}): Promise<boolean> {
    return this.callExposed<boolean>('wait', [options.timeout ?? null, chainId()], options.signal);
  }

  /**
   * Waits until `predicate` returns something truthy, and resolves its last value (falsy on
   * timeout). The predicate runs here, in this process, as in Python, so it may read other
   * proxies; call it with the lock held.
   */
  async waitFor<R>(predicate: () => R | Promise<R>, options: ConditionWaitOptions = {}): Promise<R> {
    let result = await predicate();
    if (result) return result;
    const { timeout, signal } = options;
    const end = timeout === undefined || timeout === null ? undefined : performance.now() / 1000 + timeout;
    while (!result) {
      let wait: number | undefined;
      if (end !== undefined) {
        wait = end - performance.now() / 1000;
        if (wait <= 0) break;
      }
      await this.wait({ timeout: wait, signal });
      result = await predicate();
    }
    return result;
  }

  /** Wakes up to `n` waiters, longest-waiting first. */
  notify(n = 1): Promise<void> {
    return this.callExposed<void>('notify', [n, chainId()]);
  }

  /** Python's `notify_all`. */
  notifyAll(): Promise<void> {
    return this.callExposed<void>('notifyAll', [chainId()]);
  }
}

/** The calling chain's id; null (the connection's default task) outside any chain. */
function chainId(): number | null {
  return currentChain()?.id ?? null;
}
