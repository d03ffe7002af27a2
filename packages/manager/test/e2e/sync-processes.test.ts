/** Locks, queues and joinable queues used by several real processes at once. */
import { describe, expect, it } from 'vitest';
import { Process, QueueEmpty, QueueFull, ValueError } from '@mpts/manager';
import { consume, incrementUnderLock, produce, work } from '../fixtures/sync-children.js';
import { fixture, startManager } from '../helpers.js';

const module = fixture('sync-children.ts');

describe('a manager lock across processes', () => {
  it('N processes × M read-modify-write increments under the lock sum exactly to N×M', async () => {
    await using manager = await startManager();
    using lock = await manager.lock();
    using counter = await manager.value('i', 0);
    const N = 4;
    const M = 150;
    const children = Array.from({ length: N }, () => new Process({ target: incrementUnderLock, args: [lock, counter, M], module }));
    for (const child of children) await child.start();
    for (const child of children) await child.join();
    expect(children.map((child) => child.exitCode)).toEqual(Array(N).fill(0));
    expect(await counter.get()).toBe(N * M);
    expect(await lock.locked()).toBe(false);
  });

  it('the same increments under an RLock also sum exactly', async () => {
    await using manager = await startManager();
    using lock = await manager.rlock();
    using counter = await manager.value('i', 0);
    const children = Array.from({ length: 3 }, () => new Process({ target: incrementUnderLock, args: [lock, counter, 100], module }));
    for (const child of children) await child.start();
    for (const child of children) await child.join();
    expect(await counter.get()).toBe(300);
  });
});

describe('queues across processes', () => {
  it('several producers and consumers on a small queue deliver every item exactly once', async () => {
    await using manager = await startManager();
    using q = await manager.queue<string | null>(3);
    using out = await manager.list<string>();
    const producers = ['a', 'b', 'c'].map((tag) => new Process({ target: produce, args: [q, tag, 100], module }));
    const consumers = [0, 1, 2].map(() => new Process({ target: consume, args: [q, out], module }));
    for (const child of [...consumers, ...producers]) await child.start();
    for (const producer of producers) await producer.join();
    for (const _ of consumers) await q.put(null);
    for (const consumer of consumers) await consumer.join();
    expect([...producers, ...consumers].map((child) => child.exitCode)).toEqual(Array(6).fill(0));
    const got = await out.copy();
    const expected = ['a', 'b', 'c'].flatMap((tag) => Array.from({ length: 100 }, (_, i) => `${tag}-${i}`));
    expect(got.length).toBe(300);
    expect([...got].sort()).toEqual(expected.sort());
    expect(await q.qsize()).toBe(0);
  });

  it('put and get time out on full and empty queues, as Python', async () => {
    await using manager = await startManager();
    using q = await manager.queue<number>(2);
    await expect(q.get({ timeout: 0.1 })).rejects.toBeInstanceOf(QueueEmpty);
    await expect(q.getNowait()).rejects.toBeInstanceOf(QueueEmpty);
    await q.put(1);
    await q.putNowait(2);
    expect(await q.full()).toBe(true);
    await expect(q.put(3, { timeout: 0.1 })).rejects.toBeInstanceOf(QueueFull);
    await expect(q.putNowait(3)).rejects.toBeInstanceOf(QueueFull);
    await expect(q.put(3, { block: false })).rejects.toBeInstanceOf(QueueFull);
    // A put that waits gets in once there is room, in order.
    const waiting = q.put(3, { timeout: 5 });
    expect(await q.get()).toBe(1);
    await waiting;
    expect([await q.get(), await q.get()]).toEqual([2, 3]);
    expect(await q.empty()).toBe(true);
    await expect(q.get({ timeout: -1 })).rejects.toThrow(ValueError);
    using unbounded = await manager.queue<number>(0);
    for (let i = 0; i < 50; i++) await unbounded.putNowait(i);
    expect(await unbounded.full()).toBe(false);
    expect(await unbounded.qsize()).toBe(50);
    expect(await unbounded.getValue()).toHaveLength(50);
    for (let i = 0; i < 50; i++) await unbounded.get();
  });

  it('JoinableQueue: join waits for every taskDone, and one taskDone too many is a ValueError', async () => {
    await using manager = await startManager();
    using q = await manager.joinableQueue<number>();
    using done = await manager.list<number>();
    await q.join(); // nothing put: returns at once
    await expect(q.taskDone()).rejects.toThrow(ValueError);
    await expect(q.taskDone()).rejects.toThrow('task_done() called too many times');
    for (let i = 0; i < 40; i++) await q.put(i);
    const workers = [0, 1].map(() => new Process({ target: work, args: [q, done], module }));
    for (const worker of workers) await worker.start();
    await q.join();
    // join() resolved only once every item was recorded and marked done.
    expect((await done.copy()).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const worker of workers) worker.kill();
    for (const worker of workers) await worker.join();
    await expect(q.taskDone()).rejects.toThrow(ValueError);
  });

  it('join can be abandoned with a signal', async () => {
    await using manager = await startManager();
    using q = await manager.joinableQueue<number>();
    await q.put(1);
    const controller = new AbortController();
    const joined = q.join({ signal: controller.signal });
    controller.abort(new Error('stop waiting'));
    await expect(joined).rejects.toThrow('stop waiting');
    await q.get();
    await q.taskDone();
    await q.join();
  });
});
