import { BaseProxy } from '../base-proxy.js';
import type { NamespaceMethod } from '../exposed-methods.js';

/**
 * A shared `Namespace` (Python's `NamespaceProxy`): named attributes. `getattr` of a missing
 * name is an `AttributeError`, as in Python.
 */
export class NamespaceProxy<T extends Record<string, unknown> = Record<string, unknown>> extends BaseProxy<NamespaceMethod> {
  /** `ns.name` */
  getattr<N extends keyof T & string>(name: N): Promise<T[N]> {
    return this.callExposed<T[N]>('getattr', [name]);
  }

  /** `ns.name = value` */
  setattr<N extends keyof T & string>(name: N, value: T[N]): Promise<void> {
    return this.callExposed<void>('setattr', [name, value]);
  }

  /** `del ns.name` */
  delattr(name: keyof T & string): Promise<void> {
    return this.callExposed<void>('delattr', [name]);
  }

  /** `hasattr(ns, name)` */
  hasattr(name: string): Promise<boolean> {
    return this.callExposed<boolean>('hasattr', [name]);
  }

  /** `vars(ns)`: a snapshot of every attribute, as a plain object. */
  snapshot(): Promise<T> {
    return this.callExposed<T>('snapshot');
  }
}
