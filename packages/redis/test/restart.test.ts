import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Manager } from '@mpts/manager';
import '@mpts/redis';
import { testLease } from './backends.js';
import { Redis } from 'ioredis';
import { redisSkipReason, startRedisServer } from './redis-server.js';
import { waitUntil } from './wait-until.js';

describe.skipIf(redisSkipReason !== undefined)('a Redis restart mid-run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpts-redis-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the objects (with an append-only file), and a get blocked across the restart gets the next item', async () => {
    let server = await startRedisServer({ dir });
    try {
      await using manager = await Manager.connect(`${server.url}?lease=${testLease}`);
      const queue = await manager.queue<string>();
      const totals = await manager.dict<string, number>({ kept: 1 });
      const waiting = queue.get({ timeout: 30 });
      const redis = new Redis(server.url);
      await waitUntil(async () => /blocked_clients:1\b/.test(await redis.info('clients')));
      redis.disconnect();
      await server.stop();
      server = await startRedisServer({ dir, port: server.port });
      expect(await totals.getItem('kept')).toBe(1);
      await queue.put('after the restart');
      expect(await waiting).toBe('after the restart');
      expect(await queue.qsize()).toBe(0);
      queue.releaseProxy();
      totals.releaseProxy();
    } finally {
      await server.stop();
    }
  });
});
