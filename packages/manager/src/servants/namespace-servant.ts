import { AttributeError, messages, namespaceMethods, pythonReprPreview } from '@mpts/proxy/wire';
import type { Servant } from '../servant.js';

/**
 * Python's `Namespace`, served to `NamespaceProxy`. Attributes live in a `Map`, so names like
 * `__proto__` or `constructor` are plain data, never the object's machinery.
 */
export class NamespaceServant implements Servant {
  private readonly attributes = new Map<string, unknown>();

  constructor(init?: unknown) {
    if (typeof init === 'object' && init !== null) {
      const entries = init instanceof Map ? [...init] : Object.entries(init);
      for (const [name, value] of entries) this.attributes.set(checkName(name), value);
    }
  }

  static readonly exposed = namespaceMethods;

  getattr(name: unknown): unknown {
    const key = checkName(name);
    if (!this.attributes.has(key)) throw new AttributeError(messages.noAttribute('Namespace', key));
    return this.attributes.get(key);
  }

  setattr(name: unknown, value: unknown): void {
    this.attributes.set(checkName(name), value);
  }

  delattr(name: unknown): void {
    const key = checkName(name);
    if (!this.attributes.delete(key)) throw new AttributeError(messages.noAttribute('Namespace', key));
  }

  hasattr(name: unknown): boolean {
    return this.attributes.has(checkName(name));
  }

  snapshot(): Record<string, unknown> {
    const copy: Record<string, unknown> = {};
    for (const [name, value] of this.attributes) {
      Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }

  getValue(): Map<string, unknown> {
    return this.attributes;
  }

  /**
   * Python's `Namespace(a=1, b='s')`: sorted, names starting with `_` left out. With `limit`,
   * only its first `limit` characters (a preview), rendering no more than those.
   */
  str(limit = Infinity): string {
    const shown = [...this.attributes.keys()].filter((name) => !name.startsWith('_')).sort();
    let text = 'Namespace(';
    for (const [i, name] of shown.entries()) {
      if (text.length >= limit) break;
      text += `${i > 0 ? ', ' : ''}${name}=`;
      text += pythonReprPreview(this.attributes.get(name), limit - text.length);
    }
    return `${text})`.slice(0, limit);
  }
}

function checkName(name: unknown): string {
  if (typeof name !== 'string') {
    throw new TypeError(messages.attributeNameNotString(typeof name));
  }
  return name;
}
