import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Manager, QueueEmpty } from '@mpts/manager';
import '@mpts/redis';
import { testLease } from './backends.js';
import { redisSkipReason, startRedisCluster, type RedisCluster } from './redis-server.js';

describe.skipIf(redisSkipReason !== undefined)('a three-primary Redis Cluster on loopback ports', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('spreads objects over the nodes; methods, blocking waits and cancellation work on each', async () => {
    await using manager = await Manager.connect(`${cluster.url}&lease=${testLease}`);
    const dicts = await Promise.all(Array.from({ length: 12 }, (_, i) => manager.dict<string, number>({ i })));
    for (const [i, d] of dicts.entries()) expect(await d.getItem('i')).toBe(i);
    // A dict's scripts reach its entries' keys by name (its slot): insert, items, popitem, clear.
    const [first] = dicts;
    await first!.setItem('j', 2);
    expect(await first!.items()).toEqual([['i', 0], ['j', 2]]);
    expect(await first!.popitem()).toEqual(['j', 2]);
    await first!.clear();
    expect(await first!.len()).toBe(0);
    await first!.setItem('k', 3);
    const perNode = await Promise.all(cluster.nodes.map(async (node) => {
      const redis = new Redis(node.port);
      try {
        return await redis.dbsize();
      } finally {
        redis.disconnect();
      }
    }));
    expect(perNode.filter((keys) => keys > 0).length).toBeGreaterThanOrEqual(2);

    const queue = await manager.queue<string>();
    const waiting = queue.get({ timeout: 10 });
    await queue.put('across the cluster');
    expect(await waiting).toBe('across the cluster');
    await expect(queue.get({ timeout: 0.05 })).rejects.toBeInstanceOf(QueueEmpty);

    const lock = await manager.lock();
    await lock.acquire();
    const controller = new AbortController();
    const cancelled = lock.acquire({ signal: controller.signal });
    const next = lock.acquire();
    controller.abort(new Error('cancelled'));
    await expect(cancelled).rejects.toThrow('cancelled');
    await lock.release();
    expect(await next).toBe(true);
    expect(lock.token).toBe(2);
    // debugInfo() reads each object on the node that serves it, and lists them by id. The ids of
    // dicts made at once need not follow the calls' order on a Cluster (a run numbered them out
    // of it): only the set of ids is the calls'.
    const info = await manager.debugInfo();
    expect(info.objects.map((object) => object.id)).toEqual([...dicts, queue, lock].map((proxy) => proxy.id).sort((a, b) => a - b));
    expect(info.objects.find((object) => object.id === lock.id)!.state).toMatchObject({ owner: expect.stringContaining(`pid ${process.pid} `), token: 2 });
    await lock.release();
    for (const proxy of [...dicts, queue, lock]) proxy.releaseProxy();
    // The last reference gone, a dict's entries go with it, on whichever node holds it.
    const keysOfFirst = async () => (await Promise.all(cluster.nodes.map(async (node) => {
      const redis = new Redis(node.port);
      try {
        return await redis.keys(`mpts:{mpts:${first!.id}}:*`);
      } finally {
        redis.disconnect();
      }
    }))).flat();
    await expect.poll(keysOfFirst, { timeout: 5000 }).toEqual([]);
  });
});
