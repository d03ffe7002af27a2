import { messages, pythonRepr, PythonFloat, pyTypeName } from '@mpts/proxy/wire';
import { ServerRef } from './server-ref.js';

/**
 * Makes dict keys behave as Python's hashable keys inside a JavaScript `Map`.
 *
 * Primitives are their own keys, except that equal numbers of different kinds are one key, as
 * in Python (`1`, `true`, `1n` and a Python client's `1.0`: whichever was stored first stays). A key that arrives as an array (a Python tuple), bytes or a
 * date is a new object on every call, so equal ones are mapped to the first one seen: the
 * `Map` then finds `[1, 2]` sent twice. Mutable containers (`Map`, `Set`, plain objects) are
 * unhashable, as in Python.
 */
export class HashableKeys {
  private readonly canonical = new Map<string, object>();
  /** Whether a boolean, bigint or whole-float key was ever used: only then can a number key have an alias. */
  private aliasing = false;
  /** The whole-float keys stored, by value: each `2.0` a Python client sends is a new box. */
  private readonly floats = new Map<number, PythonFloat>();

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
        // Past 2**1024 a bigint has no number equal to it (Number() gives Infinity).
        const number = Number(key);
        return Number.isFinite(number) && BigInt(number) === key ? this.numericKey(key, number) : key;
      }
    }
    if (typeof key !== 'object' || key === null || key instanceof ServerRef) return key;
    if (key instanceof PythonFloat) {
      this.aliasing = true;
      const alias = this.numericKey(key, key.value);
      if (alias !== key) return alias;
      if (remember) this.floats.set(key.value, key);
      return key;
    }
    const fingerprint = this.fingerprint(key);
    const known = this.canonical.get(fingerprint);
    if (known !== undefined) return known;
    if (remember) this.canonical.set(fingerprint, key);
    return key;
  }

  /** The stored key equal to the number `value` (as `1 == True == 1n` in Python), else `key`. */
  private numericKey(key: unknown, value: number): unknown {
    if (this.has(value)) return value;
    const float = this.floats.get(value);
    if (float !== undefined && this.has(float)) return float;
    if ((value === 0 || value === 1) && this.has(value === 1)) return value === 1;
    const big = BigInt(value);
    return this.has(big) ? big : key;
  }

  /** Forgets a key that left the dict. */
  forget(key: unknown): void {
    if (typeof key !== 'object' || key === null || key instanceof ServerRef) return;
    if (key instanceof PythonFloat) {
      if (this.floats.get(key.value) === key) this.floats.delete(key.value);
      return;
    }
    this.canonical.delete(this.fingerprint(key));
  }

  clear(): void {
    this.canonical.clear();
    this.floats.clear();
  }

  /**
   * Text that equal keys share and unequal keys do not. Tuples are walked with a stack, not
   * recursion: Python hashes a tuple nested 100,000 deep, and so must a dict here.
   */
  private fingerprint(key: object): string {
    const parts: string[] = [];
    // What is left to write, last first: values, and the ends of the tuples being written.
    const pending: unknown[] = [key];
    const open = new Set<unknown[]>();
    while (pending.length > 0) {
      const item = pending.pop();
      if (item instanceof TupleEnd) {
        parts.push(')');
        open.delete(item.tuple);
        continue;
      }
      if (Array.isArray(item)) {
        // Only a list can hold itself (a tuple cannot, in Python), and a list is unhashable.
        if (open.has(item)) throw new TypeError(messages.unhashable('list'));
        open.add(item);
        parts.push('t(');
        pending.push(new TupleEnd(item));
        for (let i = item.length - 1; i >= 0; i--) pending.push(item[i]);
      } else {
        parts.push(leafFingerprint(item), ',');
      }
    }
    return parts.join('');
  }
}

/** Marks where a tuple's items end in `fingerprint`'s walk. */
class TupleEnd {
  constructor(readonly tuple: unknown[]) {}
}

function leafFingerprint(item: unknown): string {
  // Equal numbers of different kinds are equal: (1, 2) == (True, 2) == (1.0, 2). Integers are
  // written in hex, which costs time linear in their size, unlike decimal.
  if (typeof item === 'boolean') return item ? 'n:1' : 'n:0';
  if (typeof item === 'bigint') return `n:${item.toString(16)}`;
  if (typeof item === 'number') return `n:${Number.isInteger(item) ? BigInt(item).toString(16) : pythonRepr(item)}`;
  if (item instanceof PythonFloat) return `n:${BigInt(item.value).toString(16)}`;
  if (typeof item === 'string') return `s:${JSON.stringify(item)}`;
  if (item instanceof ServerRef) return `r:${item.id}`;
  if (item instanceof Uint8Array) return `b:${Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString('base64')}`;
  if (item instanceof Date) return `d:${item.getTime()}`;
  if (item === null || item === undefined) return 'None';
  throw new TypeError(messages.unhashable(pyTypeName(item)));
}
