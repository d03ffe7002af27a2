/**
 * Workloads where mpts on Redis is held to raw ioredis within a few percent: both clients run
 * in one process, against the same redis-server, in turns of a few milliseconds each (see
 * `inTurns`). One call in flight, a call is a loopback round trip, most of which is the machine
 * (scheduling, the two sockets): a second timed for mpts on Redis and another a few seconds
 * later for raw ioredis scattered by ±15% between rounds, more than the 10% the target allows.
 */
import { Redis } from 'ioredis';
import { Manager } from '../../packages/manager/dist/index.js';
import '../../packages/redis/dist/index.js';
import { inTurns, type Measurement } from '../lib/measure.js';
import type { Params } from '../mpts/workloads.js';

type Pair = { mptsRedis: Measurement; redis: Measurement };

export const inTurnsWorkloads = {
  /** W1: a dict's setItem+getItem and SET+GET, one call in flight, 50 pairs a turn each. */
  W1: async (p: Params, port: number): Promise<Pair> => {
    const manager = await Manager.connect(`redis://127.0.0.1:${port}/0`);
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
    await redis.connect();
    const key = `bench:${process.pid}:w1`;
    try {
      const d = await manager.dict<string, number>();
      return await inTurns(p.duration, 100, {
        mptsRedis: async () => {
          for (let i = 0; i < 50; i++) {
            await d.setItem('k', i);
            await d.getItem('k');
          }
        },
        redis: async () => {
          for (let i = 0; i < 50; i++) {
            await redis.set(key, i);
            await redis.get(key);
          }
        },
      });
    } finally {
      await redis.del(key);
      redis.disconnect();
      await manager.shutdown();
    }
  },
};
