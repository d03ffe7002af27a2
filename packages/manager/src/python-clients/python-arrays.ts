import { PythonFloat } from '@mpts/proxy/wire';
import type { ObjectEntry } from '../object-registry.js';
import { ArrayServant } from '../servants/array-servant.js';
import { PythonArray } from './python-values.js';

/**
 * What a shared `Array` gives a Python client, as CPython's manager gives it: a slice and
 * `_getvalue()` are `array.array`s of the array's typecode, and an item of a `'f'` or `'d'`
 * array is a float, whole or not.
 */
export function arrayResult(entry: ObjectEntry, method: string, value: unknown): unknown {
  const servant = entry.servant;
  if (!(servant instanceof ArrayServant)) return value;
  if (method === '#GETVALUE' || (method === '__getitem__' && Array.isArray(value))) return new PythonArray(servant.code, value as unknown[]);
  if (method === '__getitem__' && typeof value === 'number' && (servant.code === 'f' || servant.code === 'd')) return PythonFloat.of(value);
  return value;
}
