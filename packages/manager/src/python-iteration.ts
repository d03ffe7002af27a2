import { messages, pyTypeName } from '@mpts/proxy/wire';
import { servantOf } from './object-registry.js';
import { ServerRef } from './server-ref.js';

/**
 * What Python's `for x in other` yields in the manager, for a shared object's argument (a set's
 * `update(other)`, a list's `extend(other)`): an array's or a set's items, a string's
 * characters, bytes as numbers, a dict's keys (a `Map` or a plain object), another shared
 * object's contents; anything else is a `TypeError` with Python's message.
 */
export function elementsOf(other: unknown): Iterable<unknown> {
  if (Array.isArray(other) || other instanceof Set) return other;
  if (typeof other === 'string') return [...other];
  if (other instanceof Map) return other.keys();
  if (ArrayBuffer.isView(other) && !(other instanceof DataView)) return Array.from(other as unknown as ArrayLike<unknown>);
  if (other instanceof ServerRef) {
    const value = servantOf(other)?.getValue?.();
    // One step only: a value that is itself a proxy (perhaps of `other`) is not followed.
    if (typeof value === 'object' && value !== null && !(value instanceof ServerRef)) return elementsOf(value);
    const proxied = value === undefined || value instanceof ServerRef;
    throw new TypeError(messages.notIterable(proxied ? `${other.typeId}Proxy` : pyTypeName(value)));
  }
  if (typeof other === 'object' && other !== null && Object.getPrototypeOf(other) === Object.prototype) {
    return Object.keys(other);
  }
  throw new TypeError(messages.notIterable(pyTypeName(other)));
}
