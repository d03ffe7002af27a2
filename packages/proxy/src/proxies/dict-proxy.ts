import { BaseProxy } from '../base-proxy.js';
import type { IteratorProxy } from './iterator-proxy.js';

import { isIterable } from '../is-iterable.js';
/** Python's missing-argument marker: a default that was not given is not sent at all. */
const omitted = Symbol('omitted');

/**
 * A shared `dict` (Python's `DictProxy`). Keys may be numbers, strings, booleans, bigints or
 * arrays (Python's tuples), so `1`, `'1'` and `0.25` are three keys. Every method returns a
 * Promise; values come back as copies, and nested proxies as live proxies.
 */
export class DictProxy<K = unknown, V = unknown> extends BaseProxy {
  /** `d[key]`; rejects with `KeyError` when the key is missing. */
  getItem(key: K): Promise<V> {
    return this.callMethod('getItem', [key]) as Promise<V>;
  }

  /** `d[key] = value` */
  setItem(key: K, value: V): Promise<void> {
    return this.callMethod('setItem', [key, value]) as Promise<void>;
  }

  /** `del d[key]`; rejects with `KeyError` when the key is missing. */
  delItem(key: K): Promise<void> {
    return this.callMethod('delItem', [key]) as Promise<void>;
  }

  /** `key in d` */
  contains(key: K): Promise<boolean> {
    return this.callMethod('contains', [key]) as Promise<boolean>;
  }

  /** `len(d)` */
  len(): Promise<number> {
    return this.callMethod('len') as Promise<number>;
  }

  /** `d.get(key, default=None)` */
  get(key: K): Promise<V | null>;
  get<D>(key: K, defaultValue: D): Promise<V | D>;
  get(key: K, defaultValue: unknown = null): Promise<unknown> {
    return this.callMethod('get', [key, defaultValue]);
  }

  /** `d.pop(key[, default])`; without a default, a missing key is a `KeyError`. */
  pop(key: K): Promise<V>;
  pop<D>(key: K, defaultValue: D): Promise<V | D>;
  pop(key: K, defaultValue: unknown = omitted): Promise<unknown> {
    return this.callMethod('pop', defaultValue === omitted ? [key] : [key, defaultValue]);
  }

  /** `d.popitem()`: the last inserted pair; `KeyError` when empty. */
  popitem(): Promise<[K, V]> {
    return this.callMethod('popitem') as Promise<[K, V]>;
  }

  /** `d.setdefault(key, default=None)` */
  setdefault(key: K, defaultValue: V | null = null): Promise<V> {
    return this.callMethod('setdefault', [key, defaultValue]) as Promise<V>;
  }

  /** `d.update(other)`: from a `Map`, a plain object, or `[key, value]` pairs. */
  update(other: Map<K, V> | Iterable<readonly [K, V]> | Record<string, V>): Promise<void> {
    const pairs = other instanceof Map || Array.isArray(other) ? other : isIterable(other) ? [...other] : other;
    return this.callMethod('update', [pairs]) as Promise<void>;
  }

  /** `d.clear()` */
  clear(): Promise<void> {
    return this.callMethod('clear') as Promise<void>;
  }

  /** `d.copy()`: a snapshot, as a `Map`. */
  copy(): Promise<Map<K, V>> {
    return this.callMethod('copy') as Promise<Map<K, V>>;
  }

  /** `list(d.keys())`: a snapshot. */
  keys(): Promise<K[]> {
    return this.callMethod('keys') as Promise<K[]>;
  }

  /** `list(d.values())`: a snapshot. */
  values(): Promise<V[]> {
    return this.callMethod('values') as Promise<V[]>;
  }

  /** `list(d.items())`: a snapshot of `[key, value]` pairs. */
  items(): Promise<[K, V][]> {
    return this.callMethod('items') as Promise<[K, V][]>;
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
    return this.callMethod('delete', [key]) as Promise<boolean>;
  }

  /**
   * Python's `iter(d)`: an iterator over the keys that lives in the manager and steps over the
   * live dict, one call per key. A step after the dict changed size rejects with
   * `RuntimeError('dictionary changed size during iteration')`, as in Python. (`keys()`,
   * `values()`, `items()` and `copy()` are snapshots.)
   */
  iter(): Promise<IteratorProxy<K>> {
    return this.callMethod('iter') as Promise<IteratorProxy<K>>;
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
