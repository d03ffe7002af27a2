import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The usual single-instance Redis lock: `SET key token NX PX ttl` to take it (retried at once
 * while someone else holds it), and a compare-and-delete script to give it back.
 */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export async function acquire(redis: Redis, key: string): Promise<string> {
  const token = randomBytes(8).toString('hex');
  while ((await redis.set(key, token, 'PX', 30_000, 'NX')) === null) {
    // held: try again
  }
  return token;
}

export async function release(redis: Redis, key: string, token: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, token);
}
