import { AutoProxy } from './auto-proxy.js';
import { BaseProxy } from './base-proxy.js';
import { setTokenHooks, type TokenData } from './codec.js';
import { SELF_ADDRESS } from './protocol.js';
import { codecConnectionAddress } from './token-context.js';

/** A proxy class: built from a token, told whether the manager already counted its reference. */
export type ProxyClass = new (token: TokenData, counted: boolean) => BaseProxy;

/**
 * typeId → proxy class: the one table that says which class a decoded token becomes. A type
 * with no class of its own gets a `BaseProxy` whose methods are called with `callMethod`
 * (Python's `AutoProxy`).
 */
const proxyClasses = new Map<string, ProxyClass>();

export function registerProxyType(typeId: string, proxyClass: ProxyClass): void {
  proxyClasses.set(typeId, proxyClass);
}

export function proxyClassFor(typeId: string): ProxyClass {
  return proxyClasses.get(typeId) ?? BaseProxy;
}

/**
 * Builds the proxy for a token. A token that came in a reply from its own manager was counted
 * for this connection by that manager; any other must count itself.
 */
export function rebuildProxy(data: TokenData): BaseProxy {
  const replyAddress = codecConnectionAddress();
  const counted = data.address === SELF_ADDRESS && replyAddress !== undefined;
  const address = data.address === SELF_ADDRESS ? replyAddress : data.address;
  if (address === undefined) throw new TypeError('a proxy token without a manager address');
  // A type with no class here but a token that lists its methods gets a generic proxy.
  const ProxyType = proxyClasses.get(data.typeId) ?? (data.exposed ? (AutoProxy as ProxyClass) : BaseProxy);
  return new ProxyType({ ...data, address }, counted);
}

setTokenHooks({ read: rebuildProxy });
