import { messages } from './errors.js';
import { PythonFloat } from './python-float.js';
import { pyTypeName } from './python-type-name.js';

/**
 * A value given where Python wants an int (an `array.array` or ctypes integer): a bigint as it
 * is, a bool as 0 or 1, a whole number; anything else, a fractional number included, is
 * Python's `TypeError` for a non-integer.
 */
export function asPythonInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  throw new TypeError(messages.integerExpected(pyTypeName(value)));
}

/** A value given where Python wants a float: any number, an int or a bool converted; anything else is Python's `TypeError`. */
export function asPythonFloat(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value instanceof PythonFloat) return value.value;
  if (typeof value === 'bigint' || typeof value === 'boolean') return Number(value);
  throw new TypeError(messages.floatExpected(pyTypeName(value)));
}
