import { BaseProxy } from '../base-proxy.js';
import type { ValueMethod } from '../exposed-methods.js';

/**
 * A shared value in the manager (Python's `ValueProxy`). Unlike Python's manager, mpts honours
 * the typecode: an integer code keeps integers in its range (`OverflowError` otherwise).
 */
export class ValueProxy<T = unknown> extends BaseProxy<ValueMethod> {
  get(): Promise<T> {
    return this.callExposed<T>('get');
  }

  set(value: T): Promise<void> {
    return this.callExposed<void>('set', [value]);
  }

  /**
   * Adds `delta` in the manager, in one step, and resolves to the new value. Unlike
   * `v.set(await v.get() + delta)` (Python's `v.value += delta`), which loses updates when
   * processes interleave, concurrent `add`s never do, and need no lock.
   */
  add(delta: T): Promise<T> {
    return this.callExposed<T>('add', [delta]);
  }
}
