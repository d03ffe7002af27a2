/** Whether `value` can be iterated with `for...of` or spread (a string can). */
export function isIterable(value: unknown): value is Iterable<unknown> {
  return value !== null && value !== undefined &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}
