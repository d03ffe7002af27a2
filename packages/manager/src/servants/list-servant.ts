import {
  asPythonInt,
  fitsSsize,
  IndexError,
  listMethods,
  messages,
  OverflowError,
  pythonRepr,
  pythonReprPreview,
  pyEquals,
  pyRepeat,
  pySorted,
  pyTypeName,
  resolveIndex,
  resolveSlice,
  sliceIndices,
  ValueError,
} from '@mpts/proxy/wire';
import { checkItemCount, pushAll } from '../large-lists.js';
import { elementsOf } from '../python-iteration.js';
import type { Servant } from '../servant.js';

/** Python's `list`, served to `ListProxy`. */
export class ListServant implements Servant {
  private items: unknown[];

  constructor(init?: unknown) {
    this.items = init === undefined || init === null ? [] : toArray(init);
    checkItemCount('a list', this.items.length);
  }

  static readonly exposed = listMethods;

  getItem(index: unknown): unknown {
    return this.items[resolveIndex(this.items.length, index, messages.listIndexOutOfRange)];
  }

  setItem(index: unknown, value: unknown): void {
    this.items[resolveIndex(this.items.length, index, messages.listAssignmentIndexOutOfRange)] = value;
  }

  delItem(index: unknown): void {
    this.items.splice(resolveIndex(this.items.length, index, messages.listAssignmentIndexOutOfRange), 1);
  }

  getSlice(start: unknown, stop: unknown, step: unknown): unknown[] {
    const slice = resolveSlice(this.items.length, start, stop, step);
    if (slice.step === 1) return this.items.slice(slice.start, slice.start + slice.count);
    const result: unknown[] = [];
    for (let i = 0, index = slice.start; i < slice.count; i++, index += slice.step) result.push(this.items[index]);
    return result;
  }

  setSlice(start: unknown, stop: unknown, step: unknown, values: unknown): void {
    const replacement = toArray(values);
    const slice = resolveSlice(this.items.length, start, stop, step);
    if (slice.step === 1) {
      // A simple slice may change the list's length: l[1:3] = [7, 8, 9].
      const end = Math.max(slice.start, slice.stop);
      const removed = end - slice.start;
      if (replacement.length === removed) {
        for (let i = 0; i < removed; i++) this.items[slice.start + i] = replacement[i];
        return;
      }
      checkItemCount('a list', this.items.length - removed + replacement.length);
      const tail = this.items.slice(end);
      this.items.length = slice.start;
      pushAll(this.items, replacement);
      pushAll(this.items, tail);
      return;
    }
    if (replacement.length !== slice.count) {
      throw new ValueError(messages.extendedSliceSize(replacement.length, slice.count));
    }
    let i = 0;
    for (const index of sliceIndices(slice)) this.items[index] = replacement[i++];
  }

  delSlice(start: unknown, stop: unknown, step: unknown): void {
    const slice = resolveSlice(this.items.length, start, stop, step);
    if (slice.count === 0) return;
    // The doomed indices, lowest first, are first + k * stride for k < count.
    const stride = Math.abs(slice.step);
    const first = slice.step > 0 ? slice.start : slice.start + (slice.count - 1) * slice.step;
    const last = first + (slice.count - 1) * stride;
    let kept = first;
    for (let i = first; i < this.items.length; i++) {
      if (i <= last && (i - first) % stride === 0) continue;
      this.items[kept++] = this.items[i];
    }
    this.items.length = kept;
  }

  len(): number {
    return this.items.length;
  }

  contains(value: unknown): boolean {
    return this.items.some((item) => pyEquals(item, value));
  }

  append(value: unknown): void {
    checkItemCount('a list', this.items.length + 1);
    this.items.push(value);
  }

  extend(values: unknown): void {
    const added = toArray(values);
    checkItemCount('a list', this.items.length + added.length);
    pushAll(this.items, added);
  }

  insert(index: unknown, value: unknown): void {
    const where = ssizeIndex(index);
    const length = this.items.length;
    const at = where < 0 ? Math.max(0, where + length) : Math.min(where, length);
    checkItemCount('a list', length + 1);
    this.items.splice(at, 0, value);
  }

  pop(index: unknown = -1): unknown {
    index = ssizeIndex(index);
    if (this.items.length === 0) throw new IndexError(messages.popFromEmptyList);
    const at = resolveIndex(this.items.length, index, messages.popIndexOutOfRange);
    return this.items.splice(at, 1)[0];
  }

  remove(value: unknown): void {
    const at = this.items.findIndex((item) => pyEquals(item, value));
    if (at < 0) throw new ValueError(messages.listRemoveMissing);
    this.items.splice(at, 1);
  }

  index(value: unknown, start: unknown = 0, stop: unknown = this.items.length): number {
    if (!isInteger(start) || !isInteger(stop)) {
      throw new TypeError(messages.indexBoundsNotIntegers);
    }
    const slice = resolveSlice(this.items.length, start, stop, 1);
    for (let i = slice.start; i < slice.start + slice.count; i++) {
      if (pyEquals(this.items[i], value)) return i;
    }
    throw new ValueError(messages.notInList(pythonRepr(value)));
  }

  count(value: unknown): number {
    let count = 0;
    for (const item of this.items) if (pyEquals(item, value)) count++;
    return count;
  }

  reverse(): void {
    this.items.reverse();
  }

  /** Python 3.14's `ListProxy.clear()`. */
  clear(): void {
    this.items = [];
  }

  sort(reverse: unknown = false): void {
    // Sorted as a copy: if two items cannot be compared, the list is left as it was.
    this.items = pySorted(this.items, Boolean(reverse));
  }

  concat(other: unknown): unknown[] {
    if (!Array.isArray(other)) {
      throw new TypeError(messages.concatenateList(pyTypeName(other)));
    }
    checkItemCount('a list', this.items.length + other.length);
    return this.items.concat(other);
  }

  repeat(times: unknown): unknown[] {
    return pyRepeat(this.items, times);
  }

  imul(times: unknown): void {
    this.items = pyRepeat(this.items, times);
  }

  copy(): unknown[] {
    return this.items.slice();
  }

  getValue(): unknown[] {
    return this.items;
  }

  /** Python's repr; with `limit`, only its first `limit` characters (a preview). */
  str(limit?: number): string {
    return limit === undefined ? pythonRepr(this.items) : pythonReprPreview(this.items, limit);
  }

  debugState(): Record<string, unknown> {
    return { length: this.items.length };
  }
}

/**
 * Python's index argument of `insert` and `pop` (`PyNumber_AsSsize_t`): a bool is an int, a
 * float or anything else is a `TypeError`, an int past a C ssize_t an `OverflowError`.
 */
function ssizeIndex(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  const integer = asPythonInt(value);
  if (!fitsSsize(integer)) throw new OverflowError(messages.intTooLargeForSsize);
  return Number(integer);
}

function isInteger(value: unknown): boolean {
  return typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value));
}

/** Python's `list(values)`: an array as it is, anything else as `for x in values` yields it. */
function toArray(values: unknown): unknown[] {
  return Array.isArray(values) ? values : [...elementsOf(values)];
}
