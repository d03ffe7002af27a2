import { registerBackend, type BackendKind } from '@mpts/proxy/wire';
import { formatRedisAddress, parseRedisAddress, type RedisAddressOptions } from './redis-address.js';
import { RedisStore } from './redis-store.js';

/**
 * This process's stores, one per address (`redis://host:port/db`): the channel of every proxy
 * of that address, shared by the managers connected to it, closed when the last one shuts down.
 */
const stores = new Map<string, { store: RedisStore; managers: number }>();

/**
 * The address of `url` (with `options` folded in) in its one written form, defaults filled in:
 * one address per set of servers, database, key prefix and lease. The address travels in every
 * proxy's token, so a process that rebuilds the proxy (a `Process` child, `fromToken`) finds the
 * same keys and the same lease.
 */
export function normalizeAddress(url: string, options: RedisAddressOptions = {}): string {
  return formatRedisAddress(parseRedisAddress(url, options));
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
    entry = { store: new RedisStore(address), managers: 0 };
    closeWhenIdleOnExit();
    stores.set(address, entry);
  }
  return entry;
}

/** The backend kind for `redis://`, `rediss://` (TLS) and `redis+sentinel://` URLs. */
export const redisBackend: BackendKind = {
  async connect(url, options) {
    // Options given as an object go into the address, where tokens carry them.
    const address = normalizeAddress(url, options as RedisAddressOptions);
    const entry = storeFor(address);
    entry.managers++;
    try {
      await entry.store.connected();
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
      debugInfo: () => store.debugInfo(),
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

registerBackend(['redis', 'rediss', 'redis+sentinel', 'rediss+sentinel'], redisBackend);
