import { messages, pythonRepr } from '@mpts/proxy/wire';
import { pyTypeName } from './python-compare.js';
import { ServerRef } from './server-ref.js';

/**
 * Makes dict keys behave as Python's hashable keys inside a JavaScript `Map`.
 *
 * Primitives are their own keys, except that equal numbers of different kinds are one key, as
 * in Python (`1`, `true` and `1n`: whichever was stored first stays). A key that arrives as an array (a Python tuple), bytes or a
 * date is a new object on every call, so equal ones are mapped to the first one seen: the
 * `Map` then finds `[1, 2]` sent twice. Mutable containers (`Map`, `Set`, plain objects) are
 * unhashable, as in Python.
 */
export class HashableKeys {
  private readonly canonical = new Map<string, object>();
  /** Whether a boolean or bigint key was ever used: only then can a number key have an alias. */
  private aliasing = false;

  /**
   * @param has whether the `Map` holds exactly this key: Python's equal numbers (`1`, `true`,
   * `1n`) are one key, the first one stored.
   */
  constructor(private readonly has: (key: unknown) => boolean = () => false) {}

  /** The key to use in the `Map` for `key` (registering it if `remember`). */
  resolve(key: unknown, remember: boolean): unknown {
    switch (typeof key) {
      case 'number':
        return this.aliasing && Number.isInteger(key) ? this.numericKey(key, key) : key;
      case 'boolean':
        this.aliasing = true;
        return this.numericKey(key, key ? 1 : 0);
      case 'bigint': {
        this.aliasing = true;
        const number = Number(key);
        return BigInt(number) === key ? this.numericKey(key, number) : key;
      }
    }
    if (typeof key !== 'object' || key === null || key instanceof ServerRef) return key;
    const fingerprint = this.fingerprint(key);
    const known = this.canonical.get(fingerprint);
    if (known !== undefined) return known;
    if (remember) this.canonical.set(fingerprint, key);
    return key;
  }

  /** The stored key equal to the number `value` (as `1 == True == 1n` in Python), else `key`. */
  private numericKey(key: unknown, value: number): unknown {
    if (this.has(value)) return value;
    if ((value === 0 || value === 1) && this.has(value === 1)) return value === 1;
    const big = BigInt(value);
    return this.has(big) ? big : key;
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
    // Inside a tuple too, equal numbers of different kinds are equal: (1, 2) == (True, 2).
    if (typeof item === 'boolean') return item ? 'n:1' : 'n:0';
    if (typeof item === 'bigint') return `n:${item}`;
    if (typeof item === 'number') return `n:${Number.isInteger(item) ? BigInt(item) : pythonRepr(item)}`;
    if (typeof item === 'object' && item !== null && !(item instanceof ServerRef)) return `(${this.fingerprint(item)})`;
    return `${typeof item}:${typeof item === 'string' ? JSON.stringify(item) : pythonRepr(item)}${item instanceof ServerRef ? item.id : ''}`;
  }
}
