import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Manager, toToken } from '@mpts/manager';
import '@mpts/redis';
import { testLease } from './backends.js';
import { runFixture } from './child.js';
import { redisSkipReason, startRedisServer, type RedisServer } from './redis-server.js';
import { waitUntil } from './wait-until.js';

/** The ACL line of docs/scaling-out.md ("Security"), read from the page: the test keeps it honest. */
const aclRecipe = /^ {2}(ACL SETUSER mpts .*)$/m.exec(readFileSync(new URL('../../../docs/scaling-out.md', import.meta.url), 'utf8'))![1]!;

describe.skipIf(redisSkipReason !== undefined)('mpts as a Redis ACL user limited to its keys', () => {
  let server: RedisServer;
  let admin: Redis;
  let url: string;
  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
    expect(aclRecipe).toMatch(/^ACL SETUSER mpts on >secret /);
    await admin.call(...(aclRecipe.split(' ') as [string, ...string[]]));
    url = `redis://mpts:secret@127.0.0.1:${server.port}/0?lease=${testLease}`;
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  it('runs every shared type, a cancelled blocking wait and a blocking get as that user', async () => {
    // A long lease: a blocked wait wakes on its own only once a lease, so a cancellation that
    // comes back at once came through CLIENT UNBLOCK.
    await using manager = await Manager.connect(url.replace(`lease=${testLease}`, 'lease=60'));
    const d = await manager.dict<string, number>({ a: 1 });
    await d.setItem('b', 2);
    const seen: string[] = [];
    for await (const key of d) seen.push(key);
    expect(seen).toEqual(['a', 'b']);
    const l = await manager.list([3, 1, 2]);
    await l.sort();
    await l.insert(0, 0);
    expect(await l.copy()).toEqual([0, 1, 2, 3]);
    const s = await manager.set([1, 2]);
    await s.add(3);
    expect(await s.len()).toBe(3);
    const ns = await manager.namespace<Record<string, unknown>>({ x: 1 });
    await ns.setattr('y', 2);
    expect(await ns.snapshot()).toEqual({ x: 1, y: 2 });
    const v = await manager.value('i', 1);
    expect(await v.add(2)).toBe(3);
    const a = await manager.array('d', [1, 2, 3]);
    await a.setItem(1, 5);
    expect(await a.getSlice(0, 3)).toEqual([1, 5, 3]);

    const jq = await manager.joinableQueue<string>(1);
    const got = jq.get({ timeout: 10 });
    await jq.put('item');
    expect(await got).toBe('item');
    await jq.taskDone();
    await jq.join();

    const lock = await manager.lock();
    const rlock = await manager.rlock();
    await rlock.acquire();
    await rlock.release();
    const semaphore = await manager.boundedSemaphore(1);
    await semaphore.acquire();
    await semaphore.release();
    const event = await manager.event();
    const waitingForEvent = event.wait({ timeout: 10 });
    await event.set();
    expect(await waitingForEvent).toBe(true);
    const condition = await manager.condition(lock);
    await condition.acquire();
    expect(await condition.wait({ timeout: 0.05 })).toBe(false);
    await condition.release();
    const barrier = await manager.barrier(2);
    expect((await Promise.all([barrier.wait(), barrier.wait()])).sort()).toEqual([0, 1]);

    // A wait blocked in Redis, cancelled by its signal: CLIENT UNBLOCK, sent as this user.
    await lock.acquire();
    const controller = new AbortController();
    const cancelled = lock.acquire({ signal: controller.signal });
    await waitUntil(async () => /blocked_clients:1\b/.test(await admin.info('clients')));
    const abortedAt = performance.now();
    controller.abort(new Error('cancelled'));
    await expect(cancelled).rejects.toThrow('cancelled');
    expect(performance.now() - abortedAt).toBeLessThan(5_000);
    await waitUntil(async () => /blocked_clients:0\b/.test(await admin.info('clients')));
    await lock.release();
    expect(await lock.acquire({ blocking: false })).toBe(true);
    await lock.release();

    // What debugInfo() and `mpts inspect` read is within the user's rights too.
    expect((await manager.debugInfo()).objects.map((object) => object.typeId)).toEqual([
      'dict', 'list', 'set', 'Namespace', 'Value', 'Array', 'JoinableQueue', 'Lock', 'RLock', 'BoundedSemaphore', 'Event', 'Condition', 'Barrier',
    ]);
    for (const proxy of [d, l, s, ns, v, a, jq, lock, rlock, semaphore, event, condition, barrier]) proxy.releaseProxy();
  });

  it("recovers a SIGKILLed holder's lock after its lease, as that user", async () => {
    await using manager = await Manager.connect(url);
    const lock = await manager.lock();
    await using holder = runFixture('lock-holder', [url, JSON.stringify(toToken(lock))]);
    expect(await holder.nextLine()).toMatch(/^held \d+$/);
    const waiting = lock.acquire();
    holder.process.kill('SIGKILL');
    expect(await holder.exited).toEqual([null, 'SIGKILL']);
    expect(await waiting).toBe(true);
    await lock.release();
    lock.releaseProxy();
  });

  it('rejects a wrong password at connect, with the server\'s error', async () => {
    await expect(Manager.connect(url.replace(':secret@', ':wrong@'))).rejects.toThrow(/^WRONGPASS invalid username-password pair/);
  });

  it('cannot touch keys outside mpts:*, nor wipe the database', async () => {
    const user = new Redis(url.split('?')[0]!);
    try {
      await expect(user.set('other:key', '1')).rejects.toThrow(/^NOPERM/);
      await expect(user.get('other:key')).rejects.toThrow(/^NOPERM/);
      await expect(user.call('EVAL', "return redis.call('SET', KEYS[1], '1')", 1, 'other:key')).rejects.toThrow(/NOPERM/);
      await expect(user.flushdb()).rejects.toThrow(/^NOPERM/);
      await expect(user.call('SCRIPT', 'FLUSH')).rejects.toThrow(/^NOPERM/);
      await expect(user.set('mpts:mine', '1')).resolves.toBe('OK');
    } finally {
      user.disconnect();
    }
    // Another prefix is outside what the user may touch: the first write says so.
    await using elsewhere = await Manager.connect(`${url}&prefix=app`);
    await expect(elsewhere.dict()).rejects.toThrow(/^NOPERM/);
  });
});
