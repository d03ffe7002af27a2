import { BaseProxy, type SignalOption } from '../base-proxy.js';

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
 * `BoundedSemaphore`. The holder is this process's connection: if the process dies, the manager
 * releases what it held (DESIGN D6).
 */
export class AcquirerProxy extends BaseProxy {
  /** Resolves `true` once acquired, `false` if not acquired (non-blocking or timed out). */
  acquire(options: AcquireOptions = {}): Promise<boolean> {
    const { blocking = true, timeout, signal } = options;
    return this.callMethod('acquire', [blocking, timeout ?? null], signal) as Promise<boolean>;
  }

  /** Releases the lock (a semaphore: `n` permits). Not the proxy: see `releaseProxy()`. */
  override release(): Promise<void>;
  override release(n: number): Promise<void>;
  override release(...args: number[]): Promise<void> {
    return this.callMethod('release', args) as Promise<void>;
  }

  /** Whether it is held by anyone now. */
  locked(): Promise<boolean> {
    return this.callMethod('locked') as Promise<boolean>;
  }

  /** Python's `with lock:`, as `await using held = await lock.hold()`. */
  async hold(options: SignalOption = {}): Promise<Held> {
    await this.acquire({ signal: options.signal });
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await this.release();
    };
    return { release, [Symbol.asyncDispose]: release };
  }

  /** Runs `fn` while holding the lock, and releases it however `fn` ends. */
  async withLock<R>(fn: () => R | Promise<R>, options: SignalOption = {}): Promise<R> {
    await this.acquire({ signal: options.signal });
    try {
      return await fn();
    } finally {
      await this.release();
    }
  }
}
