import { pythonRepr } from '@mpts/proxy/wire';
import { isFrozenSet, isTuple } from './python-values.js';

/**
 * Python's `repr()` of a value as a Python client sees it: as mpts's `pythonRepr`, except that
 * tuples and frozensets a Python client stored show as such (mpts's own repr cannot tell them
 * from lists and sets).
 */
export function pythonClientRepr(value: unknown, depth = 0): string {
  if (depth > 1000) return '...';
  const inner = (item: unknown) => pythonClientRepr(item, depth + 1);
  if (Array.isArray(value)) {
    const items = value.map(inner);
    if (!isTuple(value)) return `[${items.join(', ')}]`;
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${inner(k)}: ${inner(v)}`).join(', ')}}`;
  if (value instanceof Set) {
    const items = [...value].map(inner).join(', ');
    if (isFrozenSet(value)) return `frozenset({${items}})`.replace('frozenset({})', 'frozenset()');
    return value.size === 0 ? 'set()' : `{${items}}`;
  }
  return pythonRepr(value);
}
