import { registerBackend, type BackendKind } from '@mpts/proxy/wire';
import { RedisStore, type RedisStoreOptions } from './redis-store.js';

/**
 * This process's stores, one per address (`redis://host:port/db`): the channel of every proxy
 * of that address, shared by the managers connected to it, closed when the last one shuts down.
 */
const stores = new Map<string, { store: RedisStore; managers: number }>();

/**
 * `redis://host:6379/0` with the defaults filled in and no query: one address per database.
 * (Options in the query, `?lease=5&prefix=app`, are read by `optionsOf`.)
 */
export function normalizeAddress(url: string): string {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '') || '0';
  const auth = parsed.username || parsed.password ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@` : '';
  return `${parsed.protocol}//${auth}${parsed.hostname}:${parsed.port || '6379'}/${db}`;
}

/** The backend options a URL's query gives: `lease` (seconds) and `prefix`. */
export function optionsOf(url: string): RedisStoreOptions {
  const query = new URL(url).searchParams;
  const options: RedisStoreOptions = {};
  const lease = query.get('lease');
  if (lease !== null) {
    const seconds = Number(lease);
    if (!(seconds > 0)) throw new TypeError(`lease must be a positive number of seconds, not '${lease}'`);
    options.lease = seconds;
  }
  const prefix = query.get('prefix');
  if (prefix !== null) options.prefix = prefix;
  return options;
}

function storeFor(address: string, options: RedisStoreOptions = {}): { store: RedisStore; managers: number } {
  let entry = stores.get(address);
  if (entry === undefined || entry.store.closed) {
    entry = { store: new RedisStore(address, options), managers: 0 };
    stores.set(address, entry);
  }
  return entry;
}

/** The backend kind for `redis://` and `rediss://` (TLS) URLs. */
export const redisBackend: BackendKind = {
  async connect(url, options) {
    const address = normalizeAddress(url);
    const entry = storeFor(address, { ...optionsOf(url), ...(options as RedisStoreOptions) });
    entry.managers++;
    try {
      await entry.store.ping();
    } catch (error) {
      entry.managers--;
      if (entry.managers === 0) {
        stores.delete(address);
        await entry.store.close();
      }
      throw error;
    }
    const { store } = entry;
    let closed = false;
    return {
      address,
      create: (typeId, args) => store.create(typeId, args),
      numberOfObjects: () => store.numberOfObjects(),
      async close() {
        if (closed) return;
        closed = true;
        if (--entry.managers > 0) return;
        stores.delete(address);
        await store.close();
      },
    };
  },
  channelTo(address) {
    return storeFor(address).store;
  },
};

registerBackend(['redis', 'rediss'], redisBackend);
