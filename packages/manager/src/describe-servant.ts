import type { Servant } from './servant.js';

/**
 * Python's `str()` of a shared object. With `limit`, a preview of at most that many characters
 * that costs about as much, whatever the object's size (the built-in servants take the limit;
 * others are cut after rendering), and that shows an error instead of throwing it.
 */
export function describeServant(servant: Servant, limit?: number): string {
  const str = servant.str;
  if (limit === undefined) return str?.call(servant) ?? `<${servant.constructor.name}>`;
  try {
    return (str?.call(servant, limit) ?? `<${servant.constructor.name}>`).slice(0, limit);
  } catch (error) {
    return `<${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}>`.slice(0, limit);
  }
}
