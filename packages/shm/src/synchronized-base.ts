import type { AcquireAsyncOptions, AcquireOptions, Lock, RLock } from './lock.js';

/**
 * What Python's `Synchronized` and `SynchronizedArray` share: a shared object and the lock that
 * guards it, with the lock's methods on the wrapper itself.
 */
export abstract class SynchronizedBase<O extends { readonly typecode: string; unlink(): void }> {
  /** @internal */ readonly obj: O;
  /** @internal */ readonly lock: Lock | RLock;

  /** @internal */
  constructor(obj: O, lock: Lock | RLock) {
    this.obj = obj;
    this.lock = lock;
  }

  get typecode(): string {
    return this.obj.typecode;
  }

  /** The lock (Python's `get_lock()`). */
  getLock(): Lock | RLock {
    return this.lock;
  }

  /** The raw object, without the lock (Python's `get_obj()`). */
  getObj(): O {
    return this.obj;
  }

  /** The lock's `acquire`. */
  acquire(options?: AcquireOptions): boolean {
    return this.lock.acquire(options);
  }

  /** The lock's `acquireAsync`. */
  acquireAsync(options?: AcquireAsyncOptions): Promise<boolean> {
    return this.lock.acquireAsync(options);
  }

  /** The lock's `release`. */
  release(): void {
    this.lock.release();
  }

  /** Runs `fn` holding the lock (Python's `with v.get_lock():`). */
  withLock<T>(fn: () => T): T {
    return this.lock.withLock(fn);
  }

  /** `withLock`, acquiring without blocking the event loop. */
  withLockAsync<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.lock.withLockAsync(fn);
  }

  /** Takes the lock: `using held = v.hold()`. */
  hold(): Disposable {
    return this.lock.hold();
  }

  /** Unlinks the object's shared-memory name (see the README's lifetime section). */
  unlink(): void {
    this.obj.unlink();
  }

  toString(): string {
    return `<${this.constructor.name} wrapper for ${String(this.obj)}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
