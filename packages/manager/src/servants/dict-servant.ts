import {
  dictMethods,
  exceptionValueRepr,
  KeyError,
  messages,
  pythonRepr,
  pythonReprPreview,
  pyTypeName,
  ValueError,
} from '@mpts/proxy/wire';
import { HashableKeys } from '../hashable-keys.js';
import { IteratorServant } from './iterator-servant.js';
import type { Servant } from '../servant.js';

const missing = Symbol('missing');

/** Python's `dict`, served to `DictProxy`. */
export class DictServant implements Servant {
  private readonly map = new Map<unknown, unknown>();
  private readonly keys_ = new HashableKeys((key) => this.map.has(key));

  constructor(init?: unknown) {
    if (init !== undefined && init !== null) this.update(init);
  }

  static readonly exposed = dictMethods;

  getItem(key: unknown): unknown {
    const resolved = this.keys_.resolve(key, false);
    const value = this.map.get(resolved);
    if (value === undefined && !this.map.has(resolved)) throw keyError(key);
    return value;
  }

  setItem(key: unknown, value: unknown): void {
    this.map.set(this.keys_.resolve(key, true), value);
  }

  delItem(key: unknown): void {
    if (!this.delete(key)) throw keyError(key);
  }

  delete(key: unknown): boolean {
    const resolved = this.keys_.resolve(key, false);
    if (!this.map.delete(resolved)) return false;
    this.keys_.forget(resolved);
    return true;
  }

  contains(key: unknown): boolean {
    return this.map.has(this.keys_.resolve(key, false));
  }

  len(): number {
    return this.map.size;
  }

  get(key: unknown, defaultValue: unknown = null): unknown {
    const resolved = this.keys_.resolve(key, false);
    return this.map.has(resolved) ? this.map.get(resolved) : defaultValue;
  }

  pop(key: unknown, defaultValue: unknown = missing): unknown {
    const resolved = this.keys_.resolve(key, false);
    if (!this.map.has(resolved)) {
      if (defaultValue === missing) throw keyError(key);
      return defaultValue;
    }
    const value = this.map.get(resolved);
    this.map.delete(resolved);
    this.keys_.forget(resolved);
    return value;
  }

  popitem(): [unknown, unknown] {
    let last: [unknown, unknown] | undefined;
    for (const entry of this.map) last = entry;
    if (last === undefined) throw new KeyError(messages.popitemEmpty);
    this.map.delete(last[0]);
    this.keys_.forget(last[0]);
    return last;
  }

  setdefault(key: unknown, defaultValue: unknown = null): unknown {
    const resolved = this.keys_.resolve(key, true);
    if (this.map.has(resolved)) return this.map.get(resolved);
    this.map.set(resolved, defaultValue);
    return defaultValue;
  }

  update(other: unknown): void {
    if (other instanceof Map) {
      for (const [key, value] of other) this.setItem(key, value);
    } else if (Array.isArray(other)) {
      other.forEach((element, index) => {
        // As in Python, any sequence of two is a pair: a 2-item array, or a 2-character string.
        const pair = typeof element === 'string' ? [...element] : element;
        if (!Array.isArray(pair)) {
          throw new TypeError(messages.dictUpdateNotSequence(index));
        }
        if (pair.length !== 2) {
          throw new ValueError(messages.dictUpdateLength(index, pair.length));
        }
        this.setItem(pair[0], pair[1]);
      });
    } else if (typeof other === 'object' && other !== null) {
      for (const [key, value] of Object.entries(other)) this.setItem(key, value);
    } else {
      throw new TypeError(messages.notIterable(pyTypeName(other)));
    }
  }

  clear(): void {
    this.map.clear();
    this.keys_.clear();
  }

  copy(): Map<unknown, unknown> {
    return new Map(this.map);
  }

  keys(): unknown[] {
    return [...this.map.keys()];
  }

  values(): unknown[] {
    return [...this.map.values()];
  }

  items(): [unknown, unknown][] {
    return [...this.map.entries()];
  }

  /**
   * Python's `iter(d)`: a step-by-step iterator over the live dict, which the manager serves as a
   * shared object of its own (typeid `'Iterator'`, see builtin-types.ts).
   */
  iter(): IteratorServant {
    return new IteratorServant(this.map);
  }

  getValue(): Map<unknown, unknown> {
    return this.copy();
  }

  /** Python's repr; with `limit`, only its first `limit` characters (a preview). */
  str(limit?: number): string {
    return limit === undefined ? pythonRepr(this.map) : pythonReprPreview(this.map, limit);
  }

  debugState(): Record<string, unknown> {
    return { size: this.map.size };
  }
}

function keyError(key: unknown): KeyError {
  return new KeyError(exceptionValueRepr(key));
}
