import { BaseProxy } from '@mpts/proxy';

/** Every proxy inside a value (arrays, maps, sets, plain objects), however deeply nested. */
export function proxiesIn(value: unknown, found: BaseProxy[] = [], depth = 0): BaseProxy[] {
  if (typeof value !== 'object' || value === null || depth > 64) return found;
  if (value instanceof BaseProxy) {
    found.push(value);
  } else if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) proxiesIn(item, found, depth + 1);
  } else if (value instanceof Map) {
    for (const [key, item] of value) {
      proxiesIn(key, found, depth + 1);
      proxiesIn(item, found, depth + 1);
    }
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) proxiesIn(item, found, depth + 1);
  }
  return found;
}
