import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Manager } from '@mpts/manager';
import '@mpts/redis';
import { redisSkipReason, startRedisServer, type RedisServer } from './redis-server.js';

/**
 * How objects sit in Redis and what their hot calls cost, seen with a plain client: a dict's
 * key per entry (so that `d[k]` and `d[k] = v` are one command each), none of which outlives
 * the dict or `clear()`; a queue's puts and gets of one turn batched into one script each.
 */
describe.skipIf(redisSkipReason !== undefined)('objects\' keys and commands in Redis', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  /** The keys of object `id` (they all carry its hash tag). */
  const keysOf = (id: number) => redis.keys(`mpts:{mpts:${id}}:*`);

  it('keeps one key per entry and leaves none behind after clear() or the last release', async () => {
    await using manager = await Manager.connect(server.url);
    const d = await manager.dict<unknown, number>([['a', 1], [2, 2], [[3, 'x'], 3]]);
    expect((await keysOf(d.id)).filter((key) => key.includes(':e:'))).toHaveLength(3);
    await d.clear();
    expect((await keysOf(d.id)).sort()).toEqual([`mpts:{mpts:${d.id}}:meta`]);
    await d.update([['b', 4], ['c', 5]]);
    d.releaseProxy();
    await expect.poll(() => keysOf(d.id)).toEqual([]);
  });

  it('serves d[k] with one GET and d[k] = v on a key already there with one SET', async () => {
    await using manager = await Manager.connect(server.url);
    const d = await manager.dict<string, number>();
    await d.setItem('k', 0);
    await redis.config('RESETSTAT');
    for (let i = 1; i <= 10; i++) {
      await d.setItem('k', i);
      expect(await d.getItem('k')).toBe(i);
    }
    const stats = await redis.info('commandstats');
    const calls = (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    expect([calls('get'), calls('set'), calls('evalsha')]).toEqual([10, 10, 0]);
    expect(await d.items()).toEqual([['k', 10]]);
    d.releaseProxy();
  });

  it('sends the 64 puts of one turn as one script, and the 64 gets of one turn as one take', async () => {
    await using manager = await Manager.connect(server.url);
    const q = await manager.queue<number>();
    const scripts = async () => Number(/cmdstat_evalsha:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
    await redis.config('RESETSTAT');
    await Promise.all(Array.from({ length: 64 }, (_, i) => q.put(i)));
    expect(await scripts()).toBe(1);
    await redis.config('RESETSTAT');
    expect(await Promise.all(Array.from({ length: 64 }, () => q.get()))).toEqual(Array.from({ length: 64 }, (_, i) => i));
    // The take, and at most the acknowledgement of what it delivered.
    expect(await scripts()).toBeLessThanOrEqual(2);
    q.releaseProxy();
  });
});
