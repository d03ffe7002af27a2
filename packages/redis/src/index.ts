/**
 * mpts on Redis or Valkey. Importing this module registers the backend:
 * `Manager.connect('redis://host:6379/0')` then gives a manager whose factories create the
 * shared objects in Redis, reached through the same proxies as a manager's.
 */
export { redisBackend, normalizeAddress } from './redis-backend.js';
export type { RedisStoreOptions as RedisConnectOptions } from './redis-store.js';
export { LockLostError } from './lock-lost-error.js';
