import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { sendCommand } from './binary-command.js';

/** A connection of either kind: one server (standalone, Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * One Lua script: a method of a shared object that runs atomically in Redis (EVALSHA, loading
 * the script on the server's first NOSCRIPT). Replies come back raw: integers as numbers,
 * strings as Buffers, so stored values are never reinterpreted as text.
 */
export class Script {
  readonly #sha: string;

  constructor(private readonly lua: string) {
    this.#sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(client: RedisClient, keys: readonly string[], args: readonly (string | number | Buffer)[] = []): Promise<any> {
    try {
      return await sendCommand(client, 'EVALSHA', [this.#sha, keys.length, ...keys, ...args], null);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await sendCommand(client, 'EVAL', [this.lua, keys.length, ...keys, ...args], null);
    }
  }
}

/** Lua that reads the Redis server's clock in milliseconds: leases never use a client's clock. */
export const luaNow = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** A reply that is text: Buffers from the raw replies, as a string. */
export function text(reply: unknown): string {
  return Buffer.isBuffer(reply) ? reply.toString('utf8') : String(reply);
}
