import { BaseProxy } from '../base-proxy.js';

/**
 * A shared `Namespace` (Python's `NamespaceProxy`): named attributes. `getattr` of a missing
 * name is an `AttributeError`, as in Python.
 */
export class NamespaceProxy<T extends Record<string, unknown> = Record<string, unknown>> extends BaseProxy {
  /** `ns.name` */
  getattr<N extends keyof T & string>(name: N): Promise<T[N]> {
    return this.callMethod('getattr', [name]) as Promise<T[N]>;
  }

  /** `ns.name = value` */
  setattr<N extends keyof T & string>(name: N, value: T[N]): Promise<void> {
    return this.callMethod('setattr', [name, value]) as Promise<void>;
  }

  /** `del ns.name` */
  delattr(name: keyof T & string): Promise<void> {
    return this.callMethod('delattr', [name]) as Promise<void>;
  }

  /** `hasattr(ns, name)` */
  hasattr(name: string): Promise<boolean> {
    return this.callMethod('hasattr', [name]) as Promise<boolean>;
  }

  /** `vars(ns)`: a snapshot of every attribute, as a plain object. */
  snapshot(): Promise<T> {
    return this.callMethod('snapshot') as Promise<T>;
  }
}
