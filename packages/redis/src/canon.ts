import { messages, pyTypeName } from '@mpts/proxy/wire';

/**
 * The text Redis keeps for a dict key or a set element: equal keys by Python's rules share it,
 * unequal ones never do. `1`, `true`, `1n` and `1.0` are one key (Python's `1 == True == 1.0`),
 * `'1'` is another; arrays are tuples, compared element by element. A mutable container is
 * unhashable, with Python's `TypeError`. The original key is stored beside it, so the key a
 * caller reads back is the first one stored, as in Python.
 */
export function canon(key: unknown): string {
  switch (typeof key) {
    case 'string':
      return `s${key}`;
    case 'boolean':
      return key ? 'i1' : 'i0';
    case 'bigint':
      return `i${key}`;
    case 'number':
      if (Number.isInteger(key)) return `i${BigInt(key)}`;
      // Every NaN is its own key in Python unless it is the same object: one NaN key per text.
      return `f${key}`;
    case 'undefined':
      return 'u';
  }
  if (key === null) return 'n';
  if (Array.isArray(key)) {
    const parts = key.map((item) => canon(item));
    // Length-prefixed, so no element's text can imitate a tuple boundary.
    return `t${parts.map((part) => `${part.length}:${part}`).join('')}`;
  }
  if (key instanceof Uint8Array) return `b${Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex')}`;
  if (key instanceof Date) return `d${key.getTime()}`;
  throw new TypeError(messages.unhashable(pyTypeName(key)));
}

/**
 * Text that values equal by Python's `==` share: `canon` for what is hashable, and the same
 * walk for lists, dicts and sets (for `list.index`, `count`, `remove` and `in`).
 */
export function equalityKey(value: unknown): string {
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => `${canon(k)}=${equalityKey(v)}`).sort();
    return `m${entries.map((part) => `${part.length}:${part}`).join('')}`;
  }
  if (value instanceof Set) {
    return `e${[...value].map((item) => canon(item)).sort().map((part) => `${part.length}:${part}`).join('')}`;
  }
  if (Array.isArray(value)) return `t${value.map((item) => equalityKey(item)).map((part) => `${part.length}:${part}`).join('')}`;
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !(value instanceof Date)) {
    const entries = Object.entries(value).map(([k, v]) => `${canon(k)}=${equalityKey(v)}`).sort();
    return `m${entries.map((part) => `${part.length}:${part}`).join('')}`;
  }
  return canon(value);
}
