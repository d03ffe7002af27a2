import { BaseProxy } from '../base-proxy.js';
import type { DictMethod } from '../exposed-methods.js';
import type { IteratorProxy } from './iterator-proxy.js';
import { isIterable } from '../is-iterable.js';

/** Python's missing-argument marker: a default that was not given is not sent at all. */
const omitted = Symbol('omitted');

/**
 * A shared `dict` (Python's `DictProxy`). Keys may be numbers, strings, booleans, bigints or
 * arrays (Python's tuples), so `1`, `'1'` and `0.25` are three keys. Every method returns a
 * Promise; values come back as copies, and nested proxies as live proxies.
 */
export class DictProxy<K = unknown, V = unknown> extends BaseProxy<DictMethod> {
  /** `d[key]`; rejects with `KeyError` when the key is missing. */
  getItem(key: K): Promise<V> {
    return this.callExposed<V>('getItem', [key]);
  }

  /** `d[key] = value` */
  setItem(key: K, value: V): Promise<void> {
    return this.callExposed<void>('setItem', [key, value]);
  }

  /** `del d[key]`; rejects with `KeyError` when the key is missing. */
  delItem(key: K): Promise<void> {
    return this.callExposed<void>('delItem', [key]);
  }

  /** `key in d` */
  contains(key: K): Promise<boolean> {
    return this.callExposed<boolean>('contains', [key]);
  }

  /** `len(d)` */
  len(): Promise<number> {
    return this.callExposed<number>('len');
  }

  /** `d.get(key, default=None)` */
  get(key: K): Promise<V | null>;
  get<D>(key: K, defaultValue: D): Promise<V | D>;
  get(key: K, defaultValue: unknown = null): Promise<unknown> {
    return this.callExposed<unknown>('get', [key, defaultValue]);
  }

  /** `d.pop(key[, default])`; without a default, a missing key is a `KeyError`. */
  pop(key: K): Promise<V>;
  pop<D>(key: K, defaultValue: D): Promise<V | D>;
  pop(key: K, defaultValue: unknown = omitted): Promise<unknown> {
    return this.callExposed<unknown>('pop', defaultValue === omitted ? [key] : [key, defaultValue]);
  }

  /** `d.popitem()`: the last inserted pair; `KeyError` when empty. */
  popitem(): Promise<[K, V]> {
    return this.callExposed<[K, V]>('popitem');
  }

  /** `d.setdefault(key, default=None)` */
  setdefault(key: K, defaultValue: V | null = null): Promise<V> {
    return this.callExposed<V>('setdefault', [key, defaultValue]);
  }

  /** `d.update(other)`: from a `Map`, a plain object, or `[key, value]` pairs. */
  update(other: Map<K, V> | Iterable<readonly [K, V]> | Record<string, V>): Promise<void> {
    const pairs = other instanceof Map || Array.isArray(other) ? other : isIterable(other) ? [...other] : other;
    return this.callExposed<void>('update', [pairs]);
  }

  /** `d.clear()` */
  clear(): Promise<void> {
    return this.callExposed<void>('clear');
  }

  /** `d.copy()`: a snapshot, as a `Map`. */
  copy(): Promise<Map<K, V>> {
    return this.callExposed<Map<K, V>>('copy');
  }

  /** `list(d.keys())`: a snapshot. */
  keys(): Promise<K[]> {
    return this.callExposed<K[]>('keys');
  }

  /** `list(d.values())`: a snapshot. */
  values(): Promise<V[]> {
    return this.callExposed<V[]>('values');
  }

  /** `list(d.items())`: a snapshot of `[key, value]` pairs. */
  items(): Promise<[K, V][]> {
    return this.callExposed<[K, V][]>('items');
  }

  /** `Map.has`: the same as `contains`. */
  has(key: K): Promise<boolean> {
    return this.contains(key);
  }

  /** `Map.set`: the same as `setItem`, resolving to this proxy. */
  async set(key: K, value: V): Promise<this> {
    await this.setItem(key, value);
    return this;
  }

  /** `Map.delete`: removes the key if present, resolving to whether it was. */
  delete(key: K): Promise<boolean> {
    return this.callExposed<boolean>('delete', [key]);
  }

  /**
   * Python's `iter(d)`: an iterator over the keys that lives in the manager and steps over the
   * live dict, one call per key. A step after the dict changed size rejects with
   * `RuntimeError('dictionary changed size during iteration')`, as in Python. (`keys()`,
   * `values()`, `items()` and `copy()` are snapshots.)
   */
  iter(): Promise<IteratorProxy<K>> {
    return this.callExposed<IteratorProxy<K>>('iter');
  }

  /**
   * `for k in d:`: the keys, one step of a manager-side iterator each (see `iter()`), so adding
   * or removing a key during the loop rejects the next step with Python's `RuntimeError`. The
   * iterator is released when the loop ends, however it ends.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<K, undefined> {
    yield* await this.iter();
  }
}
