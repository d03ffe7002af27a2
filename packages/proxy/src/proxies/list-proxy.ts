import { BaseProxy } from '../base-proxy.js';
import { IndexError } from '../errors.js';
import type { ListMethod } from '../exposed-methods.js';

type Index = number | null | undefined;

/**
 * A shared `list` (Python's `ListProxy`). Indices may be negative, as in Python; slices take
 * Python's `start, stop, step` (`null`/`undefined` for a missing part). Results are copies.
 */
export class ListProxy<T = unknown> extends BaseProxy<ListMethod> {
  /** `l[index]`; `IndexError` when out of range. */
  getItem(index: number): Promise<T> {
    return this.callExposed<T>('getItem', [index]);
  }

  /** `l[index] = value` */
  setItem(index: number, value: T): Promise<void> {
    return this.callExposed<void>('setItem', [index, value]);
  }

  /** `del l[index]` */
  delItem(index: number): Promise<void> {
    return this.callExposed<void>('delItem', [index]);
  }

  /** `l[start:stop:step]`, as a new array. */
  getSlice(start?: Index, stop?: Index, step?: Index): Promise<T[]> {
    return this.callExposed<T[]>('getSlice', [start ?? null, stop ?? null, step ?? null]);
  }

  /** `l[start:stop:step] = values`; an extended slice (step ≠ 1) must keep its length. */
  setSlice(start: Index, stop: Index, step: Index, values: Iterable<T>): Promise<void>;
  setSlice(start: Index, stop: Index, values: Iterable<T>): Promise<void>;
  setSlice(start: Index, stop: Index, stepOrValues: Index | Iterable<T>, values?: Iterable<T>): Promise<void> {
    const [step, items] = values === undefined ? [null, stepOrValues as Iterable<T>] : [stepOrValues as Index, values];
    return this.callExposed<void>('setSlice', [start ?? null, stop ?? null, step ?? null, [...items]]);
  }

  /** `del l[start:stop:step]` */
  delSlice(start?: Index, stop?: Index, step?: Index): Promise<void> {
    return this.callExposed<void>('delSlice', [start ?? null, stop ?? null, step ?? null]);
  }

  /** `len(l)` */
  len(): Promise<number> {
    return this.callExposed<number>('len');
  }

  /** `value in l` */
  contains(value: T): Promise<boolean> {
    return this.callExposed<boolean>('contains', [value]);
  }

  append(value: T): Promise<void> {
    return this.callExposed<void>('append', [value]);
  }

  extend(values: Iterable<T>): Promise<void> {
    return this.callExposed<void>('extend', [[...values]]);
  }

  insert(index: number, value: T): Promise<void> {
    return this.callExposed<void>('insert', [index, value]);
  }

  /** `l.pop(index=-1)`; `IndexError` on an empty list. */
  pop(index?: number): Promise<T> {
    return this.callExposed<T>('pop', index === undefined ? [] : [index]);
  }

  /** Removes the first item equal to `value`; `ValueError` when there is none. */
  remove(value: T): Promise<void> {
    return this.callExposed<void>('remove', [value]);
  }

  /** The index of the first item equal to `value` in `[start, stop)`; `ValueError` when none. */
  index(value: T, start?: number, stop?: number): Promise<number> {
    const args = stop !== undefined ? [value, start ?? 0, stop] : start !== undefined ? [value, start] : [value];
    return this.callExposed<number>('index', args);
  }

  count(value: T): Promise<number> {
    return this.callExposed<number>('count', [value]);
  }

  reverse(): Promise<void> {
    return this.callExposed<void>('reverse');
  }

  /** Empties the list (Python 3.14's `ListProxy.clear()`). */
  clear(): Promise<void> {
    return this.callExposed<void>('clear');
  }

  /** Sorts in place with Python's ordering; mixing incomparable types is a `TypeError`. */
  sort(options: { reverse?: boolean } = {}): Promise<void> {
    return this.callExposed<void>('sort', [options.reverse ?? false]);
  }

  /** `l + other`: a new array; the shared list is unchanged. */
  concat(other: Iterable<T>): Promise<T[]> {
    return this.callExposed<T[]>('concat', [[...other]]);
  }

  /** `l * times`: a new array. */
  repeat(times: number): Promise<T[]> {
    return this.callExposed<T[]>('repeat', [times]);
  }

  /** `l += other`: extends the shared list, resolving to this proxy. */
  async iadd(other: Iterable<T>): Promise<this> {
    await this.extend(other);
    return this;
  }

  /** `l *= times`: repeats the shared list in place, resolving to this proxy. */
  async imul(times: number): Promise<this> {
    await this.callExposed('imul', [times]);
    return this;
  }

  /** A snapshot of the whole list, as an array. */
  copy(): Promise<T[]> {
    return this.callExposed<T[]>('copy');
  }

  /** `Array.at`: the same as `getItem`. */
  at(index: number): Promise<T> {
    return this.getItem(index);
  }

  /** `Array.includes`: the same as `contains`. */
  includes(value: T): Promise<boolean> {
    return this.contains(value);
  }

  /**
   * `for x in l:`: `l[0]`, `l[1]`, ... until `IndexError`, one call each, as Python iterates a
   * `ListProxy` (it has no `__iter__`, so Python uses `__getitem__`). The list is live: items
   * appended during the loop are reached, and a list that shrinks ends it early; nothing is an
   * error. (`copy()` is a snapshot.)
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, undefined> {
    for (let index = 0; ; index++) {
      let item: T;
      try {
        item = await this.getItem(index);
      } catch (error) {
        if (error instanceof IndexError) return undefined;
        throw error;
      }
      yield item;
    }
  }
}
