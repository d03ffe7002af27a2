/**
 * A client process killed with SIGKILL loses nothing and blocks no one (DESIGN D6): what it
 * held on loan (a Lock, an RLock, a Condition's lock, BoundedSemaphore permits) is released, its
 * waits are dropped, its references are given back, what it wrote stays. (Python keeps a dead
 * process's manager locks held forever.) A Semaphore's permits are a counter, not a loan, and a
 * killed party breaks a Barrier: see ownership.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Process } from '@mpts/manager';
import {
  acquireAndRecord,
  getOne,
  holdLock,
  holdPermits,
  holdRLockDeep,
  waitOnCondition,
  writeAndHold,
} from '../fixtures/sync-children.js';
import { fixture, killAndReap, startManager, stateOf } from '../helpers.js';

const module = fixture('sync-children.ts');



describe('a client killed while it holds', () => {
  it('(a) a Lock: the next waiter gets it within a second, and what it wrote stays', async () => {
    await using manager = await startManager();
    using lock = await manager.lock();
    using d = await manager.dict<string, string>();
    using q = await manager.queue<string>();
    using held = await manager.event();
    const child = new Process({ target: writeAndHold, args: [lock, d, q, held], module });
    await child.start();
    expect(await held.wait({ timeout: 10 })).toBe(true);
    // debugInfo names the holder.
    const owner = (await stateOf(manager, lock.id)).owner as string;
    expect(owner).not.toBeNull();
    const clients = (await manager.debugInfo()).clients.map((client) => client.label);
    expect(clients).toContain(owner);
    expect(await lock.acquire({ blocking: false })).toBe(false);
    const waiting = lock.acquire({ timeout: 1 });
    await expect.poll(async () => ((await stateOf(manager, lock.id)).waiting as string[]).length).toBe(1);
    child.kill();
    // The server-side timeout is the "within a second" deadline: false if still held then.
    expect(await waiting).toBe(true);
    await child.join();
    expect(await d.getItem('written')).toBe('by a client that died');
    expect(await q.get({ timeout: 1 })).toBe('queued by a client that died');
    expect((await manager.debugInfo()).clients.map((client) => client.label)).not.toContain(owner);
    await lock.release();
  });

  it('an RLock taken three levels deep', async () => {
    await using manager = await startManager();
    using lock = await manager.rlock();
    using held = await manager.event();
    const child = new Process({ target: holdRLockDeep, args: [lock, held], module });
    await child.start();
    expect(await held.wait({ timeout: 10 })).toBe(true);
    expect((await stateOf(manager, lock.id)).level).toBe(3);
    const waiting = lock.acquire({ timeout: 1 });
    child.kill();
    expect(await waiting).toBe(true);
    expect((await stateOf(manager, lock.id)).level).toBe(1);
    await lock.release();
    await child.join();
  });

  it('semaphore permits', async () => {
    await using manager = await startManager();
    using sem = await manager.boundedSemaphore(3);
    using held = await manager.event();
    const child = new Process({ target: holdPermits, args: [sem, 2, held], module });
    await child.start();
    expect(await held.wait({ timeout: 10 })).toBe(true);
    expect(await sem.acquire()).toBe(true);
    expect(Object.values((await stateOf(manager, sem.id)).holders as object).sort()).toEqual([1, 2]);
    const second = sem.acquire({ timeout: 1 });
    const third = sem.acquire({ timeout: 1 });
    child.kill();
    expect([await second, await third]).toEqual([true, true]);
    await sem.release(3);
    // All three permits are back, and no more: the bound still holds.
    await expect(sem.release()).rejects.toThrow('Semaphore released too many times');
    await child.join();
  });

  it("a condition's lock", async () => {
    await using manager = await startManager();
    using cond = await manager.condition();
    using held = await manager.event();
    const child = new Process({ target: holdLock, args: [cond, held], module });
    await child.start();
    expect(await held.wait({ timeout: 10 })).toBe(true);
    const waiting = cond.acquire({ timeout: 1 });
    child.kill();
    expect(await waiting).toBe(true);
    await cond.release();
    await child.join();
  });
});

describe('a client killed while it waits', () => {
  it('(b) on a Lock: its wait is dropped and the lock goes to a live waiter', async () => {
    await using manager = await startManager();
    using lock = await manager.lock();
    using out = await manager.list<string>();
    await lock.acquire();
    const doomed = new Process({ target: acquireAndRecord, args: [lock, out, 'dead'], module });
    await doomed.start();
    await expect.poll(async () => ((await stateOf(manager, lock.id)).waiting as string[]).length).toBe(1);
    const alive = new Process({ target: acquireAndRecord, args: [lock, out, 'alive'], module });
    await alive.start();
    await expect.poll(async () => ((await stateOf(manager, lock.id)).waiting as string[]).length).toBe(2);
    await killAndReap(doomed);
    // Released at once, without waiting for the manager to notice the death: a lock handed to
    // the dead client is released again when its connection closes.
    await lock.release();
    await alive.join({ timeout: 1 });
    expect(alive.exitCode).toBe(0);
    expect(await out.copy()).toEqual(['alive']);
    expect(await lock.acquire({ timeout: 1 })).toBe(true);
    await lock.release();
  });

  it('(c) in queue.get(): no item is lost to it, even put right after its death', async () => {
    await using manager = await startManager();
    using q = await manager.queue<string>();
    using out = await manager.list<string>();
    const doomed = Array.from({ length: 4 }, () => new Process({ target: getOne, args: [q, out], module }));
    for (const child of doomed) await child.start();
    await expect.poll(async () => ((await stateOf(manager, q.id)).getting as string[]).length).toBe(4);
    for (const child of doomed) child.kill();
    for (const child of doomed) await child.join();
    // Put at once: the manager may not have noticed the deaths yet. An item handed to a dead
    // getter goes back to the head of the queue.
    for (let i = 0; i < 4; i++) await q.put(`item-${i}`);
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push(await q.get({ timeout: 1 }));
    expect(got).toEqual(['item-0', 'item-1', 'item-2', 'item-3']);
    expect(await out.len()).toBe(0);
    expect(await q.qsize()).toBe(0);
  });

  it('(c) in queue.get(), beside a live consumer, which gets the next item', async () => {
    await using manager = await startManager();
    using q = await manager.queue<string>();
    using out = await manager.list<string>();
    const doomed = new Process({ target: getOne, args: [q, out], module });
    await doomed.start();
    await expect.poll(async () => ((await stateOf(manager, q.id)).getting as string[]).length).toBe(1);
    const alive = new Process({ target: getOne, args: [q, out], module });
    await alive.start();
    await expect.poll(async () => ((await stateOf(manager, q.id)).getting as string[]).length).toBe(2);
    await killAndReap(doomed);
    await q.put('x');
    await alive.join({ timeout: 1 });
    expect(alive.exitCode).toBe(0);
    expect(await out.copy()).toEqual(['x']);
  });

  // (d) At a barrier, a killed party breaks it for the others: see ownership.test.ts.

  it('on a Condition: a notify is not spent on the dead waiter', async () => {
    await using manager = await startManager();
    using cond = await manager.condition();
    using waiting = await manager.event();
    const doomed = new Process({ target: waitOnCondition, args: [cond, waiting], module });
    await doomed.start();
    expect(await waiting.wait({ timeout: 10 })).toBe(true);
    await killAndReap(doomed);
    await expect.poll(async () => ((await stateOf(manager, cond.id)).waiting as string[]).length).toBe(0);
    const mine = (async () => {
      await cond.acquire();
      const notified = await cond.wait({ timeout: 1 });
      await cond.release();
      return notified;
    })();
    await expect.poll(async () => ((await stateOf(manager, cond.id)).waiting as string[]).length).toBe(1);
    await cond.withLock(() => cond.notify(1));
    expect(await mine).toBe(true);
  });
});
