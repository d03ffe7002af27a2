import { messages, ValueError } from './errors.js';
import { checkItemCount } from './item-limit.js';
import { pyTypeName } from './python-type-name.js';
import { coerceToTypecode, findRangedTypecode, type RangedTypecode } from './typecode-ranges.js';

/**
 * Python's `array.array` rules for its items, the same whichever backend holds the array: what a
 * typecode is, what an item may be, a new array's length, an index's type.
 */

/** An array's item: a number, a bigint (64-bit codes), or one character (`'u'`). */
export type ArrayItem = number | bigint | string;

/** The typecode's rules, or undefined for `'u'`; a `ValueError` for a code `array` does not know. */
export function arrayTypecode(code: unknown): RangedTypecode | undefined {
  const typecode = findRangedTypecode(code);
  if (typecode === undefined && code !== 'u') throw new ValueError(messages.badTypecode);
  return typecode;
}

/** `value` as an item of an array of `typecode` (undefined: `'u'`), or Python's error. */
export function coerceArrayItem(typecode: RangedTypecode | undefined, value: unknown): ArrayItem {
  if (typecode !== undefined) return coerceToTypecode(typecode, value);
  // 'u' holds one code point (wchar_t is 4 bytes on Linux): '😀' is one, 'ab' is not.
  if (typeof value === 'string' && value.length > 0 && value.length <= 2 && [...value].length === 1) return value;
  throw new TypeError(messages.arrayItemNotCharacter);
}

/** A length for a new array: Python's errors for a float or a negative, `MemoryError` past the limit. */
export function checkArrayLength(length: number): number {
  if (!Number.isSafeInteger(length)) throw new TypeError(messages.noLen(pyTypeName(length)));
  if (length < 0) throw new ValueError(messages.arrayLengthNegative(length));
  checkItemCount('an array', length);
  return length;
}

/** An array index must be an int (a slice goes elsewhere): Python's TypeError otherwise. */
export function checkArrayIndex(index: unknown): void {
  if (typeof index === 'bigint' || (typeof index === 'number' && Number.isInteger(index))) return;
  throw new TypeError(messages.arrayIndicesNotIntegers);
}
