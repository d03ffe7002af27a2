import { messages, OverflowError } from './errors.js';
import { checkItemCount } from './item-limit.js';
import { fitsSsize } from './python-ssize.js';
import { pyTypeName } from './python-type-name.js';

/**
 * The count of Python's `items * times`, checked as Python checks it: a bool is an int, a float
 * (even an integral one) or anything else a `TypeError`, an int past a C ssize_t an
 * `OverflowError`. Every backend's `l * n` and `l *= n` checks its count here.
 */
export function repeatCount(times: unknown): number | bigint {
  const count = typeof times === 'boolean' ? Number(times) : times;
  if (typeof count === 'bigint') {
    if (!fitsSsize(count)) throw new OverflowError(messages.indexSizedInteger);
    return count;
  }
  if (pyTypeName(count) !== 'int') throw new TypeError(messages.multiplyByNonInt(pyTypeName(times)));
  return count as number;
}

/**
 * How many items `length` items repeated `count` times make: none for a count of zero or
 * less, whatever the count; a `MemoryError` past the item limit, as Python's `[1] * 2**62` is.
 */
export function repeatedLength(length: number, count: number | bigint): number {
  if (length === 0 || count <= 0) return 0;
  checkItemCount('a list', BigInt(length) * BigInt(count));
  return length * Number(count);
}

/** Python's `items * times`, as a new array. */
export function pyRepeat<T>(items: readonly T[], times: unknown): T[] {
  const total = repeatedLength(items.length, repeatCount(times));
  if (total === 0) return [];
  // Doubled, then topped up: a few long copies instead of one short copy per repetition.
  const result = items.slice();
  while (result.length * 2 <= total) appendFrom(result, result, result.length);
  appendFrom(result, result, total - result.length);
  return result;
}

/** Appends the first `count` items of `source` one by one: spreading them overflows the stack. */
function appendFrom<T>(target: T[], source: readonly T[], count: number): void {
  for (let i = 0; i < count; i++) target.push(source[i]!);
}
