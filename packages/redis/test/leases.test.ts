import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Manager, toToken } from '@mpts/manager';
import '@mpts/redis';
import { runFixture } from './child.js';
import { waitUntil } from './wait-until.js';
import { redisSkipReason, startRedisServer, type RedisServer } from './redis-server.js';

/**
 * What leases promise on Redis, with real processes killed and stopped: a dead holder's lock
 * goes to the next waiter within a lease and a second; a stopped holder that resumes learns it
 * lost the lock; a consumer killed with an item in hand loses no item.
 */
/**
 * Shorter than the other Redis tests' lease: this file runs alone (vitest's "timed" project), so
 * renewals every third of a second are never starved of CPU, and each wait for a lease costs
 * one second, not two.
 */
const testLease = 1;

describe.skipIf(redisSkipReason !== undefined)('leases on the Redis backend', () => {
  let server: RedisServer;
  let url: string;
  beforeAll(async () => {
    server = await startRedisServer();
    url = `${server.url}?lease=${testLease}`;
  });
  afterAll(() => server?.stop());

  it('gives a SIGKILLed holder\'s lock to the next waiter within the lease and a second, with a higher fencing token', async () => {
    await using manager = await Manager.connect(url);
    const lock = await manager.lock();
    await using holder = runFixture('lock-holder', [url, JSON.stringify(toToken(lock))]);
    const held = await holder.nextLine();
    expect(held).toMatch(/^held \d+$/);
    const waiting = lock.acquire();
    const killedAt = performance.now();
    holder.process.kill('SIGKILL');
    expect(await holder.exited).toEqual([null, 'SIGKILL']);
    expect(await waiting).toBe(true);
    const waited = (performance.now() - killedAt) / 1000;
    expect(waited).toBeLessThan(testLease + 1);
    expect(lock.token).toBeGreaterThan(Number(held.split(' ')[1]));
    await lock.release();
    lock.releaseProxy();
  });

  it('hands a dead holder\'s RLock to the waiter once: one release frees it', async () => {
    await using manager = await Manager.connect(url);
    const rlock = await manager.rlock();
    await using holder = runFixture('lock-holder', [url, JSON.stringify(toToken(rlock))]);
    expect(await holder.nextLine()).toMatch(/^held \d+$/);
    const waiting = rlock.acquire();
    holder.process.kill('SIGKILL');
    await holder.exited;
    expect(await waiting).toBe(true);
    await rlock.release();
    expect(await rlock.locked()).toBe(false);
    rlock.releaseProxy();
  });

  it('rejects a stopped holder\'s release with LockLostError once it resumes, and keeps the new holder\'s lock', async () => {
    await using manager = await Manager.connect(url);
    const lock = await manager.lock();
    await using holder = runFixture('lock-holder', [url, JSON.stringify(toToken(lock))]);
    expect(await holder.nextLine()).toMatch(/^held \d+$/);
    holder.process.kill('SIGSTOP');
    expect(await lock.acquire({ timeout: testLease + 1 })).toBe(true);
    holder.process.kill('SIGCONT');
    holder.send('release');
    holder.endInput();
    expect(await holder.nextLine()).toMatch(/^LockLostError: the Lock \d+ \(fencing token \d+\) was lost/);
    expect(await holder.exited).toEqual([0, null]);
    expect(await lock.locked()).toBe(true);
    await lock.release();
    lock.releaseProxy();
  });

  it('releases at once the lock of a program that ends without releasing it', async () => {
    await using manager = await Manager.connect(url);
    const lock = await manager.lock();
    await using program = runFixture('lock-and-end', [url, JSON.stringify(toToken(lock))]);
    expect(await program.nextLine()).toBe('held');
    expect(await program.exited).toEqual([0, null]);
    // Its lease would keep it for most of a second more: a clean end gave it back.
    expect(await lock.acquire({ blocking: false })).toBe(true);
    await lock.release();
    lock.releaseProxy();
  });

  it('loses no item when a consumer is killed with the item in hand: it comes back within the lease', async () => {
    await using manager = await Manager.connect(url);
    const queue = await manager.queue<string>();
    await using consumer = runFixture('queue-consumer', [url, JSON.stringify(toToken(queue))]);
    expect(await consumer.nextLine()).toBe('waiting');
    const redis = new Redis(server.url);
    try {
      // The consumer's get is blocked in Redis (BLMOVE): stopped now, it takes the next item
      // into its hands (Redis moves it) but never delivers or acknowledges it.
      await waitUntil(async () => /blocked_clients:1\b/.test(await redis.info('clients')));
      consumer.process.kill('SIGSTOP');
      await queue.put('first');
      await queue.put('second');
      await waitUntil(async () => (await queue.qsize()) === 1);
      consumer.process.kill('SIGKILL');
      const killedAt = performance.now();
      await consumer.exited;
      expect(await queue.get({ block: false })).toBe('second');
      // The killed consumer's item comes back to the head once its lease lapses.
      expect(await queue.get({ timeout: testLease + 1 })).toBe('first');
      expect((performance.now() - killedAt) / 1000).toBeLessThan(testLease + 1);
    } finally {
      redis.disconnect();
    }
    queue.releaseProxy();
  });

  it('loses no item when a consumer is killed after a batch of gets was served but not acknowledged: the batch comes back', async () => {
    await using manager = await Manager.connect(url);
    const queue = await manager.queue<number>();
    await Promise.all(Array.from({ length: 10 }, (_, i) => queue.put(i)));
    // Its five gets, made in one turn, are served by one take.
    await using consumer = runFixture('queue-batch-consumer', [url, JSON.stringify(toToken(queue)), '5']);
    expect(await consumer.nextLine()).toBe('got [0,1,2,3,4]');
    expect(await consumer.exited).toEqual([null, 'SIGKILL']);
    const killedAt = performance.now();
    const rest = await Promise.all(Array.from({ length: 5 }, () => queue.get({ block: false })));
    expect(rest).toEqual([5, 6, 7, 8, 9]);
    // Delivered, never acknowledged: the batch is the dead session's until its lease lapses,
    // then back at the head, in order (delivered twice rather than lost).
    const back = [await queue.get({ timeout: testLease + 1 })];
    back.push(...(await Promise.all(Array.from({ length: 4 }, () => queue.get({ block: false })))));
    expect(back).toEqual([0, 1, 2, 3, 4]);
    expect((performance.now() - killedAt) / 1000).toBeLessThan(testLease + 1);
    expect(await queue.qsize()).toBe(0);
    queue.releaseProxy();
  });
});
