import type { BaseProxy } from './base-proxy.js';
import { connectionPool } from './connection-pool.js';
import { rebuildProxy } from './proxy-types.js';
import { tlsOptionsFromData, tlsOptionsToJson } from './tls-options.js';

/**
 * A proxy as plain, JSON-safe data, to send through any channel: a `cluster` worker message,
 * `worker_threads`, a file. `fromToken` in the receiving process rebuilds a live proxy that
 * counts its own reference. `Process` does all of this by itself; this is for other channels.
 */
export interface ProxyToken {
  readonly typeId: string;
  readonly id: number;
  readonly address: string;
  /** The manager instance that made the object: a restarted manager refuses the token. */
  readonly instance?: string;
  readonly exposed?: readonly string[];
  /**
   * The manager's authkey, base64, when asked for with `includeAuthkey`. It is the secret that
   * lets its holder use the manager: send it only over a channel you trust.
   */
  readonly authkey?: string;
  /**
   * With `includeAuthkey`, for a manager reached over TLS: the plain-data part of the TLS
   * options this process connects with (`ca`, `servername`, a client `cert` and `key`...;
   * bytes as `{ $bytes: base64 }`). Functions such as `checkServerIdentity` and objects such as
   * a `secureContext` cannot travel: the receiving process connects without them.
   */
  readonly tls?: Record<string, unknown>;
}

/**
 * The token of a proxy. With `{ includeAuthkey: true }` it also carries what connecting takes
 * (the authkey and, for a TLS manager, its TLS options), so the receiving process needs no
 * `Manager.connect()` of its own.
 */
export function toToken(proxy: BaseProxy, options: { includeAuthkey?: boolean } = {}): ProxyToken {
  const authkey = options.includeAuthkey ? connectionPool.authkeyFor(proxy.address) : undefined;
  const tls = options.includeAuthkey ? connectionPool.optionsFor(proxy.address)?.tls : undefined;
  return {
    typeId: proxy.typeId,
    id: proxy.id,
    address: proxy.address,
    ...(proxy.instance ? { instance: proxy.instance } : {}),
    ...(proxy.exposed ? { exposed: proxy.exposed } : {}),
    ...(authkey ? { authkey: Buffer.from(authkey).toString('base64') } : {}),
    ...(authkey && tls ? { tls: tlsOptionsToJson(tls) } : {}),
  };
}

/**
 * Rebuilds a live proxy from `toToken`'s data. Await `proxy.ready` to know it is counted. The
 * authkey and TLS options a token carries are used only when this process knows no way to
 * that address yet.
 */
export function fromToken<P extends BaseProxy = BaseProxy>(token: ProxyToken): P {
  if (token.authkey !== undefined && connectionPool.authkeyFor(token.address) === undefined) {
    connectionPool.setOptions(token.address, {
      authkey: Buffer.from(token.authkey, 'base64'),
      ...(token.tls ? { tls: tlsOptionsFromData(token.tls) } : {}),
    });
  }
  return rebuildProxy({
    typeId: token.typeId,
    id: token.id,
    address: token.address,
    instance: token.instance,
    exposed: token.exposed,
  }) as P;
}
