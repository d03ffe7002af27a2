import { PythonFloat } from './python-float.js';

/** Python's name for the type of a value, as its error messages show it. */
export function pyTypeName(value: unknown): string {
  switch (typeof value) {
    case 'number':
      // -0, and integers past 2**53 (sent as doubles), can only be Python floats.
      return Number.isSafeInteger(value) && !Object.is(value, -0) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'str';
    case 'undefined':
      return 'NoneType';
  }
  if (value === null) return 'NoneType';
  if (value instanceof PythonFloat) return 'float';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Map) return 'dict';
  if (value instanceof Set) return 'set';
  if (value instanceof Date) return 'datetime.datetime';
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return 'dict';
  return (value as object).constructor?.name ?? 'object';
}
