import { BaseProxy } from './base-proxy.js';
import type { TokenData } from './codec.js';
import type { ProxyChannel } from './backend.js';

/** What a method of `T` becomes on a proxy: same arguments, a Promise of the (copied) result. */
type Remote<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;

/** The methods of `T` (a class living in the manager) as a proxy offers them. */
export type RemoteMethods<T> = {
  readonly [K in keyof T as T[K] extends (...args: any[]) => any ? K : never]: Remote<T[K]>;
};

/** The members of `BaseProxy` an exposed method never replaces (except `release`, as Python). */
const reserved = new Set<string>([
  ...Object.getOwnPropertyNames(BaseProxy.prototype).filter((name) => name !== 'release'),
  ...Object.getOwnPropertyNames(Object.prototype),
  'typeId', 'id', 'address', 'exposed', 'ready', 'released', 'then',
]);

/**
 * Python's `AutoProxy`: the proxy of a registered type with no proxy class of its own. It has
 * one method per exposed name (the token carries the list), each a remote call; anything may
 * also be called with `callMethod(name, args)`. In TypeScript, `AutoProxy<Counter>` has
 * `Counter`'s methods, each returning a Promise.
 */
class AutoProxyClass extends BaseProxy {
  constructor(token: TokenData, countedOn: ProxyChannel | undefined) {
    super(token, countedOn);
    for (const name of token.exposed ?? []) {
      if (typeof name !== 'string' || reserved.has(name)) continue;
      Object.defineProperty(this, name, {
        value: (...args: unknown[]) => this.callMethod(name, args),
        enumerable: false,
        configurable: true,
        writable: true,
      });
    }
  }
}
Object.defineProperty(AutoProxyClass, 'name', { value: 'AutoProxy' });

export type AutoProxy<T = Record<string, (...args: any[]) => any>> = BaseProxy & RemoteMethods<T>;
export const AutoProxy = AutoProxyClass as unknown as new (token: TokenData, countedOn: ProxyChannel | undefined) => AutoProxy;
