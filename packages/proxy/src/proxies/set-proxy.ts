import { BaseProxy } from '../base-proxy.js';
import type { SetMethod } from '../exposed-methods.js';

/**
 * What a set method takes where Python takes any iterable: an array, a `Set`, a string (its
 * characters), any other iterable (read on this side, so a `Map` gives its entries, as
 * `new Set(map)` does), or a proxy of a shared set, list or dict of the same manager (its
 * items, or a dict's keys, read in the manager).
 */
export type SetOperand<T> = Iterable<T> | BaseProxy;

/**
 * A shared `set` (Python 3.14's `SetProxy`). Elements must be hashable, as in Python: numbers,
 * strings, booleans, bigints, `null`, bytes, dates, proxies and arrays of those (Python's
 * tuples, compared by value); `1`, `1.0`, `true` and `1n` are one element. A `Map`, `Set` or
 * plain object is refused with `TypeError` (`unhashable type: 'dict'`). Every method returns a
 * Promise; results are snapshots (a JavaScript `Set`), in the order elements were added.
 */
export class SetProxy<T = unknown> extends BaseProxy<SetMethod> {
  /** Sends `values` as the manager reads it: a one-shot iterable is read here first. */
  static operand(values: SetOperand<unknown>): unknown {
    if (Array.isArray(values) || values instanceof Set || typeof values === 'string') return values;
    if (values instanceof BaseProxy || ArrayBuffer.isView(values)) return values;
    return [...values];
  }

  /** `s.add(x)` */
  add(element: T): Promise<void> {
    return this.callExposed<void>('add', [element]);
  }

  /** `s.discard(x)`: removes `x` if present. */
  discard(element: T): Promise<void> {
    return this.callExposed<void>('discard', [element]);
  }

  /** `s.remove(x)`; rejects with `KeyError` (the repr of `x`) when it is missing. */
  remove(element: T): Promise<void> {
    return this.callExposed<void>('remove', [element]);
  }

  /** `s.pop()`: removes and returns an element (the oldest); `KeyError` when empty. */
  pop(): Promise<T> {
    return this.callExposed<T>('pop');
  }

  /** `s.clear()` */
  clear(): Promise<void> {
    return this.callExposed<void>('clear');
  }

  /** `s.copy()`: a snapshot, as a `Set`. */
  copy(): Promise<Set<T>> {
    return this.callExposed<Set<T>>('copy');
  }

  /** `len(s)` */
  len(): Promise<number> {
    return this.callExposed<number>('len');
  }

  /** `x in s` */
  contains(element: T): Promise<boolean> {
    return this.callExposed<boolean>('contains', [element]);
  }

  /** `s.update(*others)`, `s |= t` */
  update(...others: SetOperand<T>[]): Promise<void> {
    return this.callExposed<void>('update', others.map(SetProxy.operand));
  }

  /** `s.difference_update(*others)`, `s -= t` */
  differenceUpdate(...others: SetOperand<T>[]): Promise<void> {
    return this.callExposed<void>('differenceUpdate', others.map(SetProxy.operand));
  }

  /** `s.intersection_update(*others)`, `s &= t` */
  intersectionUpdate(...others: SetOperand<T>[]): Promise<void> {
    return this.callExposed<void>('intersectionUpdate', others.map(SetProxy.operand));
  }

  /** `s.symmetric_difference_update(other)`, `s ^= t` */
  symmetricDifferenceUpdate(other: SetOperand<T>): Promise<void> {
    return this.callExposed<void>('symmetricDifferenceUpdate', [SetProxy.operand(other)]);
  }

  /** `s.union(*others)`, `s | t`: a new `Set`. */
  union<U = T>(...others: SetOperand<U>[]): Promise<Set<T | U>> {
    return this.callExposed<Set<T | U>>('union', others.map(SetProxy.operand));
  }

  /** `s.intersection(*others)`, `s & t`: a new `Set`. */
  intersection(...others: SetOperand<unknown>[]): Promise<Set<T>> {
    return this.callExposed<Set<T>>('intersection', others.map(SetProxy.operand));
  }

  /** `s.difference(*others)`, `s - t`: a new `Set`. */
  difference(...others: SetOperand<unknown>[]): Promise<Set<T>> {
    return this.callExposed<Set<T>>('difference', others.map(SetProxy.operand));
  }

  /** `s.symmetric_difference(other)`, `s ^ t`: a new `Set`. */
  symmetricDifference<U = T>(other: SetOperand<U>): Promise<Set<T | U>> {
    return this.callExposed<Set<T | U>>('symmetricDifference', [SetProxy.operand(other)]);
  }

  /** `s.isdisjoint(other)` */
  isdisjoint(other: SetOperand<unknown>): Promise<boolean> {
    return this.callExposed<boolean>('isdisjoint', [SetProxy.operand(other)]);
  }

  /** `s.issubset(other)`, `s <= t` */
  issubset(other: SetOperand<unknown>): Promise<boolean> {
    return this.callExposed<boolean>('issubset', [SetProxy.operand(other)]);
  }

  /** `s.issuperset(other)`, `s >= t` */
  issuperset(other: SetOperand<unknown>): Promise<boolean> {
    return this.callExposed<boolean>('issuperset', [SetProxy.operand(other)]);
  }

  /** `Set.has`: the same as `contains`. */
  has(element: T): Promise<boolean> {
    return this.contains(element);
  }

  /** `Set.delete`: removes the element if present, resolving to whether it was. */
  delete(element: T): Promise<boolean> {
    return this.callExposed<boolean>('delete', [element]);
  }

  /** `Set.isDisjointFrom`: the same as `isdisjoint`. */
  isDisjointFrom(other: SetOperand<unknown>): Promise<boolean> {
    return this.isdisjoint(other);
  }

  /** `Set.isSubsetOf`: the same as `issubset`. */
  isSubsetOf(other: SetOperand<unknown>): Promise<boolean> {
    return this.issubset(other);
  }

  /** `Set.isSupersetOf`: the same as `issuperset`. */
  isSupersetOf(other: SetOperand<unknown>): Promise<boolean> {
    return this.issuperset(other);
  }

  /**
   * `for await (const x of s)`: the elements, from a snapshot taken when iteration starts, as
   * Python 3.14's `SetProxy` (its `__iter__` returns a pickled set iterator, which arrives as an
   * iterator over a copy), so changing the set during the loop is not an error.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this.copy();
  }
}
