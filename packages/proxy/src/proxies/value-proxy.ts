import { BaseProxy } from '../base-proxy.js';

/**
 * A shared value in the manager (Python's `ValueProxy`). Unlike Python's manager, mpts honours
 * the typecode: an integer code keeps integers in its range (`OverflowError` otherwise).
 */
export class ValueProxy<T = unknown> extends BaseProxy {
  get(): Promise<T> {
    return this.callMethod('get') as Promise<T>;
  }

  set(value: T): Promise<void> {
    return this.callMethod('set', [value]) as Promise<void>;
  }

  /**
   * Adds `delta` in the manager, in one step, and resolves to the new value. Unlike
   * `v.set(await v.get() + delta)` (Python's `v.value += delta`), which loses updates when
   * processes interleave, concurrent `add`s never do, and need no lock.
   */
  add(delta: T): Promise<T> {
    return this.callMethod('add', [delta]) as Promise<T>;
  }
}
