import { registerBackend, type BackendKind } from '@mpts/proxy/wire';
import { RedisStore, type RedisStoreOptions } from './redis-store.js';

/**
 * This process's stores, one per address (`redis://host:port/db`): the channel of every proxy
 * of that address, shared by the managers connected to it, closed when the last one shuts down.
 */
const stores = new Map<string, { store: RedisStore; managers: number }>();

/**
 * `redis://host:6379/0?lease=15&prefix=mpts` with the defaults filled in: one address per
 * database, key prefix and lease. The address travels in every proxy's token, so a process
 * that rebuilds the proxy (a `Process` child, `fromToken`) finds the same keys and the same lease.
 */
export function normalizeAddress(url: string): string {
  const parsed = new URL(url);
  const { lease = 15, prefix = 'mpts', cluster = false } = optionsOf(url);
  const db = parsed.pathname.replace(/^\//, '') || '0';
  const auth = parsed.username || parsed.password ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@` : '';
  return `${parsed.protocol}//${auth}${parsed.hostname}:${parsed.port || '6379'}/${db}?lease=${lease}&prefix=${encodeURIComponent(prefix)}${cluster ? '&cluster=1' : ''}`;
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
  if (query.get('cluster') === '1') options.cluster = true;
  return options;
}

/**
 * A program that runs out of work ends as one that shut its managers down: what it holds is
 * given back at once (locks released, items in hand returned), not after a lease.
 */
let closesOnExit = false;
function closeWhenIdleOnExit(): void {
  if (closesOnExit) return;
  closesOnExit = true;
  process.on('beforeExit', () => {
    const open = [...stores.values()].filter(({ store }) => !store.closed);
    stores.clear();
    for (const { store } of open) void store.close();
  });
}

function storeFor(address: string): { store: RedisStore; managers: number } {
  let entry = stores.get(address);
  if (entry === undefined || entry.store.closed) {
    entry = { store: new RedisStore(address, optionsOf(address)), managers: 0 };
    closeWhenIdleOnExit();
    stores.set(address, entry);
  }
  return entry;
}

/** The backend kind for `redis://` and `rediss://` (TLS) URLs. */
export const redisBackend: BackendKind = {
  async connect(url, options) {
    // Options given as an object go into the address, where tokens carry them.
    const query = new URL(url);
    const given = options as RedisStoreOptions;
    if (given.lease !== undefined) query.searchParams.set('lease', String(given.lease));
    if (given.prefix !== undefined) query.searchParams.set('prefix', given.prefix);
    const address = normalizeAddress(query.href);
    const entry = storeFor(address);
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
