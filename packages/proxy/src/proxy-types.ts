import { AutoProxy } from './auto-proxy.js';
import { BaseProxy } from './base-proxy.js';
import type { TokenData } from './codec.js';
import type { CodecContext } from './codec-context.js';
import { setProxyRebuilder } from './connection.js';
import type { ProxyChannel } from './backend.js';
import { SELF_ADDRESS } from './protocol.js';
import { messages } from './errors.js';

/** A proxy class: built from a token, told whether the manager already counted its reference. */
export type ProxyClass = new (token: TokenData, countedOn: ProxyChannel | undefined) => BaseProxy;

/**
 * typeId → proxy class: the one table that says which class a decoded token becomes. A type
 * with no class of its own gets a `BaseProxy` whose methods are called with `callMethod`
 * (Python's `AutoProxy`).
 */
const proxyClasses = new Map<string, ProxyClass>();

export function registerProxyType(typeId: string, proxyClass: ProxyClass): void {
  proxyClasses.set(typeId, proxyClass);
}

/**
 * Builds the proxy for a token. A token of the manager on the other end of `receivedOn` (it
 * says `SELF_ADDRESS`) was counted for that connection by the manager; so was one a backend
 * just created and counted on `countedOn`; any other must count itself.
 */
export function rebuildProxy(data: TokenData, receivedOn?: ProxyChannel, countedOn?: ProxyChannel): BaseProxy {
  const fromPeer = data.address === SELF_ADDRESS;
  if (fromPeer && receivedOn === undefined) throw new TypeError(messages.tokenWithoutAddress);
  const address = fromPeer ? receivedOn!.address : data.address;
  // A type with no class here but a token that lists its methods gets a generic proxy.
  const ProxyType = proxyClasses.get(data.typeId) ?? (data.exposed ? (AutoProxy as ProxyClass) : BaseProxy);
  return new ProxyType({ ...data, address }, fromPeer ? receivedOn : countedOn);
}

setProxyRebuilder(rebuildProxy);

/**
 * The context for values that travel outside any manager connection (a `Process` child's
 * arguments): proxies in them count their own references, and shared memory is welcome.
 */
export const standaloneCodecContext: CodecContext = {
  acceptsTransfers: true,
  readToken: (data) => rebuildProxy(data),
  refuse(error) {
    throw error;
  },
};
