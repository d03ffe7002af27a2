import { BaseProxy, type SignalOption } from '../base-proxy.js';
import type { LockMethod } from '../exposed-methods.js';
import { currentChain, enterChainToAcquire, runInChainToAcquire, type TaskChain } from '../task-chain.js';

export interface AcquireOptions extends SignalOption {
  /** `false`: take it only if free now, never wait. @default true */
  blocking?: boolean;
  /** Seconds to wait at most (Python's `timeout`); `undefined` or `-1` waits forever. */
  timeout?: number | undefined;
}

/** What `hold()` gives: releasing it (by `await using` or by hand) releases the lock. */
export interface Held extends AsyncDisposable {
  release(): Promise<void>;
}

/**
 * A shared lock-like object (Python's `AcquirerProxy`): `Lock`, `RLock`, `Semaphore`,
 * `BoundedSemaphore`.
 *
 * An RLock is owned by an async task chain (see `task-chain.ts`), as a thread owns one in
 * Python: two concurrent tasks of one process exclude each other, and a chain that holds it
 * re-enters. So its calls carry the chain's id as a last argument. A Lock or a semaphore is
 * owned by no one: any task of any process may release it, as in Python.
 *
 * If this process is lost (killed, crashed) while holding a Lock, an RLock or BoundedSemaphore
 * permits, the manager releases them; if it closes cleanly, they stay held (DESIGN D6).
 *
 * `Method`: the methods a subclass's type exposes besides a lock's (a Condition's `wait`, ...).
 */
export class AcquirerProxy<Method extends string = LockMethod> extends BaseProxy<LockMethod | Method> {
  /** Whether the manager checks which task chain calls (an RLock; a Condition's lock). */
  protected get ownedByChain(): boolean {
    return this.typeId === 'RLock';
  }

  /**
   * The fencing token of the hold this process has, on a backend with leases (Redis): a number
   * that grows with every acquisition of this lock. Pass it to what the lock guards, and have
   * that reject a token lower than one it saw, so a holder whose lease lapsed cannot do harm.
   * `undefined` when not held here, or on a manager (whose locks have no leases).
   */
  get token(): number | undefined {
    return this.connection().holdOf?.(this.id)?.token;
  }

  /** On a backend with leases: aborts, with a `LockLostError`, when this process's hold lapses. */
  get leaseSignal(): AbortSignal | undefined {
    return this.connection().holdOf?.(this.id)?.signal;
  }

  /** Resolves `true` once acquired, `false` if not acquired (non-blocking or timed out). */
  acquire(options: AcquireOptions = {}): Promise<boolean> {
    if (!this.ownedByChain) return this.callExposed<boolean>('acquire', acquireArgs(options), options.signal);
    return this.acquireAs(enterChainToAcquire(), options);
  }

  /** Releases the lock (a semaphore: `n` permits). Not the proxy: see `releaseProxy()`. */
  override release(): Promise<void>;
  override release(n: number): Promise<void>;
  override release(...args: number[]): Promise<void> {
    if (!this.ownedByChain) return this.callExposed<void>('release', args);
    return this.releaseAs(currentChain(), args);
  }

  /** Whether it is held by anyone now. */
  locked(): Promise<boolean> {
    return this.callExposed<boolean>('locked');
  }

  /** Python's `with lock:`, as `await using held = await lock.hold()`. */
  hold(options: SignalOption = {}): Promise<Held> {
    // Not an async function's body after an await: the chain must be entered in the caller's
    // synchronous code, so that the caller goes on as that chain.
    const chain = this.ownedByChain ? enterChainToAcquire() : undefined;
    return this.acquireAs(chain, { signal: options.signal }).then(() => {
      let released = false;
      const release = async () => {
        if (released) return;
        released = true;
        await this.releaseAs(chain);
      };
      return { release, [Symbol.asyncDispose]: release };
    });
  }

  /** Runs `fn` while holding the lock, and releases it however `fn` ends. */
  withLock<R>(fn: () => R | Promise<R>, options: SignalOption = {}): Promise<R> {
    const run = async (chain: TaskChain | undefined): Promise<R> => {
      await this.acquireAs(chain, { signal: options.signal });
      try {
        return await fn();
      } finally {
        await this.releaseAs(chain);
      }
    };
    // An RLock's fn runs in a chain of its own (or the caller's, re-entered), never leaking it.
    return this.ownedByChain ? runInChainToAcquire(run) : run(undefined);
  }

  /** Acquires as `chain` (undefined: a lock no chain owns), counting what the chain holds. */
  protected async acquireAs(chain: TaskChain | undefined, options: AcquireOptions): Promise<boolean> {
    const args = acquireArgs(options);
    if (chain === undefined) return await this.callExposed<boolean>('acquire', args, options.signal);
    const got = await this.callExposed<boolean>('acquire', [...args, chain.id], options.signal);
    if (got) chain.holds++;
    return got;
  }

  /** Releases as `chain`: no chain sends no id, the manager's "connection's default task". */
  protected async releaseAs(chain: TaskChain | undefined, args: readonly unknown[] = []): Promise<void> {
    if (!this.ownedByChain) {
      await this.callExposed('release', args);
      return;
    }
    await this.callExposed('release', [...args, chain?.id ?? null]);
    if (chain !== undefined && chain.holds > 0) chain.holds--;
  }
}

function acquireArgs(options: AcquireOptions): unknown[] {
  return [options.blocking ?? true, options.timeout ?? null];
}
