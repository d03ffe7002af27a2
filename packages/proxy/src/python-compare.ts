import { messages, RecursionError } from './errors.js';
import { PythonFloat } from './python-float.js';
import { recursionLimit } from './python-repr.js';
import { pyTypeName } from './python-type-name.js';

/**
 * Python's `==` and `<` on the values mpts carries, for `list.index/count/remove/sort` and `in`.
 * Numbers, bigints, booleans and whole floats from Python compare as numbers (`1 == 1.0 == True`); arrays compare item
 * by item; values of kinds Python cannot order are a `TypeError` with Python's message.
 * Containers nested deeper than Python's recursion limit are a `RecursionError`, as in Python.
 */
export function pyEquals(a: unknown, b: unknown): boolean {
  return equals(a, b, 0);
}

/** Python's `a < b`; a `TypeError` with Python's message when the two cannot be ordered. */
export function pyLessThan(a: unknown, b: unknown): boolean {
  return lessThan(a, b, 0);
}

/** Counts one more level of nesting, as Python's comparisons count their recursion. */
function nested(depth: number): number {
  if (depth >= recursionLimit) throw new RecursionError(messages.recursionInComparison);
  return depth + 1;
}

function equals(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (a instanceof PythonFloat) a = a.value;
  if (b instanceof PythonFloat) b = b.value;
  if (isNumeric(a) && isNumeric(b)) return numericCompare(a, b) === 0;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    const inner = nested(depth);
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i], inner)) return false;
    return true;
  }
  if (a instanceof Uint8Array) return b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    const inner = nested(depth);
    for (const [key, value] of a) {
      const other = b.has(key) ? key : equalItem(b.keys(), key, inner);
      if (other === missing || !equals(value, b.get(other), inner)) return false;
    }
    return true;
  }
  if (a instanceof Set) return b instanceof Set && a.size === b.size && isSubset(a, b, nested(depth));
  if (Object.getPrototypeOf(a) === Object.prototype && Object.getPrototypeOf(b) === Object.prototype) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    const inner = nested(depth);
    for (const key of keys) {
      if (!Object.hasOwn(b, key) || !equals((a as any)[key], (b as any)[key], inner)) return false;
    }
    return true;
  }
  return false;
}

function lessThan(a: unknown, b: unknown, depth: number): boolean {
  if (a instanceof PythonFloat) a = a.value;
  if (b instanceof PythonFloat) b = b.value;
  if (isNumeric(a) && isNumeric(b)) return numericCompare(a, b) < 0;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b) < 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    const inner = nested(depth);
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) {
      if (!equals(a[i], b[i], inner)) return lessThan(a[i], b[i], inner);
    }
    return a.length < b.length;
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) < 0;
  if (a instanceof Date && b instanceof Date) return a.getTime() < b.getTime();
  // Sets are ordered by inclusion: a < b is a proper subset.
  if (a instanceof Set && b instanceof Set) return a.size < b.size && isSubset(a, b, nested(depth));
  throw new TypeError(messages.notSupportedBetween('<', pyTypeName(a), pyTypeName(b)));
}


/** Sorts a copy with Python's ordering (stable; `reverse` keeps equal items in order). */
export function pySorted<T>(items: readonly T[], reverse: boolean): T[] {
  const compare = (a: T, b: T) => (pyLessThan(a, b) ? -1 : pyLessThan(b, a) ? 1 : 0);
  // A one-item list is never compared in JavaScript, but neither is it in Python.
  if (!reverse) return [...items].sort(compare);
  // As Python does it: reversed, sorted, reversed again. Equal items keep their order, and the
  // same pairs are compared first, so a list Python cannot sort fails with Python's message.
  return [...items].reverse().sort(compare).reverse();
}

const missing = Symbol('missing');

/** The first of `items` equal to `value` as Python's `==` ({1: x} == {True: x} in Python). */
function equalItem(items: Iterable<unknown>, value: unknown, depth: number): unknown {
  for (const item of items) if (equals(value, item, depth)) return item;
  return missing;
}

/** Whether every item of `a` equals (as Python's `==`) an item of `b`: {1} == {True} in Python. */
function isSubset(a: Set<unknown>, b: Set<unknown>, depth: number): boolean {
  for (const value of a) if (!b.has(value) && equalItem(b, value, depth) === missing) return false;
  return true;
}

type Numeric = number | bigint | boolean;

function isNumeric(value: unknown): value is Numeric {
  return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean';
}

function numericCompare(a: Numeric, b: Numeric): number {
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
  // Mixed number and bigint: JavaScript's relational operators compare them exactly.
  return x < y ? -1 : x > y ? 1 : x == y ? 0 : NaN; // eslint-disable-line eqeqeq
}

function compareCodePoints(a: string, b: string): number {
  // JavaScript compares UTF-16 code units; Python compares code points. They differ only when
  // a surrogate pair meets a character between U+E000 and U+FFFF.
  if (a === b) return 0;
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}
