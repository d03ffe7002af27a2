import type { BaseProxy } from './base-proxy.js';
import { authkeyFor, setConnectionOptions } from './connection-pool.js';
import { rebuildProxy } from './proxy-types.js';

/**
 * A proxy as plain, JSON-safe data, to send through any channel: a `cluster` worker message,
 * `worker_threads`, a file. `fromToken` in the receiving process rebuilds a live proxy that
 * counts its own reference. `Process` does all of this by itself; this is for other channels.
 */
export interface ProxyToken {
  readonly typeId: string;
  readonly id: number;
  readonly address: string;
  readonly exposed?: readonly string[];
  /**
   * The manager's authkey, base64, when asked for with `includeAuthkey`. It is the secret that
   * lets its holder use the manager: send it only over a channel you trust.
   */
  readonly authkey?: string;
}

export function toToken(proxy: BaseProxy, options: { includeAuthkey?: boolean } = {}): ProxyToken {
  const authkey = options.includeAuthkey ? authkeyFor(proxy.address) : undefined;
  return {
    typeId: proxy.typeId,
    id: proxy.id,
    address: proxy.address,
    ...(proxy.exposed ? { exposed: proxy.exposed } : {}),
    ...(authkey ? { authkey: Buffer.from(authkey).toString('base64') } : {}),
  };
}

/** Rebuilds a live proxy from `toToken`'s data. Await `proxy.ready` to know it is counted. */
export function fromToken<P extends BaseProxy = BaseProxy>(token: ProxyToken): P {
  if (token.authkey !== undefined && authkeyFor(token.address) === undefined) {
    setConnectionOptions(token.address, { authkey: Buffer.from(token.authkey, 'base64') });
  }
  return rebuildProxy({ typeId: token.typeId, id: token.id, address: token.address, exposed: token.exposed }) as P;
}
