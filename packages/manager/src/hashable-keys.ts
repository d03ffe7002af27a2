import { messages, pythonRepr } from '@mpts/proxy/wire';
import { pyTypeName } from './python-compare.js';
import { ServerRef } from './server-ref.js';

/**
 * Makes dict keys behave as Python's hashable keys inside a JavaScript `Map`.
 *
 * Primitives are their own keys. A key that arrives as an array (a Python tuple), bytes or a
 * date is a new object on every call, so equal ones are mapped to the first one seen: the
 * `Map` then finds `[1, 2]` sent twice. Mutable containers (`Map`, `Set`, plain objects) are
 * unhashable, as in Python.
 */
export class HashableKeys {
  private readonly canonical = new Map<string, object>();

  /** The key to use in the `Map` for `key` (registering it if `remember`). */
  resolve(key: unknown, remember: boolean): unknown {
    if (typeof key !== 'object' || key === null || key instanceof ServerRef) return key;
    const fingerprint = this.fingerprint(key);
    const known = this.canonical.get(fingerprint);
    if (known !== undefined) return known;
    if (remember) this.canonical.set(fingerprint, key);
    return key;
  }

  /** Forgets a key that left the dict. */
  forget(key: unknown): void {
    if (typeof key !== 'object' || key === null || key instanceof ServerRef) return;
    this.canonical.delete(this.fingerprint(key));
  }

  clear(): void {
    this.canonical.clear();
  }

  private fingerprint(key: object): string {
    if (Array.isArray(key)) return `t${key.map((item) => this.itemFingerprint(item)).join(',')}`;
    if (key instanceof Uint8Array) return `b${Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64')}`;
    if (key instanceof Date) return `d${key.getTime()}`;
    throw new TypeError(messages.unhashable(pyTypeName(key)));
  }

  private itemFingerprint(item: unknown): string {
    if (typeof item === 'object' && item !== null && !(item instanceof ServerRef)) return `(${this.fingerprint(item)})`;
    return `${typeof item}:${typeof item === 'string' ? JSON.stringify(item) : pythonRepr(item)}${item instanceof ServerRef ? item.id : ''}`;
  }
}
