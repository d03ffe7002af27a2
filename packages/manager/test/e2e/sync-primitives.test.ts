/**
 * Each synchronization primitive against Python's results (reference section 3), in one
 * process talking to a real manager.
 */
import { describe, expect, it } from 'vitest';
import { BrokenBarrierError, Process, RemoteError, RuntimeError, ValueError } from '@mpts/manager';
import { waitForReady } from '../fixtures/sync-children.js';
import { expectError, fixture, serveManager, startManager, stateOf } from '../helpers.js';

/** Asserts that `promise` rejects with an error of `kind` and exactly Python's `message`. */


describe('Semaphore and BoundedSemaphore', () => {
  it("counts permits and answers as Python's Semaphore", async () => {
    await using manager = await serveManager();
    using sem = await manager.semaphore(2);
    expect(await sem.acquire()).toBe(true);
    expect(await sem.acquire()).toBe(true);
    expect(await sem.acquire({ blocking: false })).toBe(false);
    expect(await sem.acquire({ timeout: 0.1 })).toBe(false);
    expect(await sem.acquire({ timeout: -5 })).toBe(false);
    await expectError(sem.acquire({ blocking: false, timeout: 1 }), ValueError, "can't specify timeout for non-blocking acquire");
    await sem.release(2);
    expect(await sem.acquire({ blocking: false })).toBe(true);
    expect(await sem.acquire({ timeout: 0.5 })).toBe(true);
    await expectError(sem.release(0), ValueError, 'n must be one or more');
    await sem.release();
    await sem.release();
    // An unbounded semaphore may be released past its initial value.
    await sem.release();
    expect(await sem.str()).toMatch(/^<threading\.Semaphore at 0x[0-9a-f]+: value=3>$/);
    expect(await sem.acquire({ timeout: -1 })).toBe(true);
  });

  it('hands a released permit to the longest waiter', async () => {
    await using manager = await serveManager();
    using sem = await manager.semaphore(0);
    const order: string[] = [];
    const first = sem.acquire().then(() => order.push('first'));
    const second = sem.acquire({ timeout: 5 }).then(() => order.push('second'));
    await sem.release();
    await first;
    await sem.release();
    await second;
    expect(order).toEqual(['first', 'second']);
  });

  it('refuses to release a BoundedSemaphore past its value', async () => {
    await using manager = await serveManager();
    using sem = await manager.boundedSemaphore(2);
    await expectError(sem.release(), ValueError, 'Semaphore released too many times');
    expect(await sem.acquire()).toBe(true);
    await expectError(sem.release(2), ValueError, 'Semaphore released too many times');
    await sem.release();
    expect(await sem.str()).toMatch(/^<threading\.BoundedSemaphore at 0x[0-9a-f]+: value=2\/2>$/);
  });

  it('refuses a negative value with a RemoteError, as a constructor error', async () => {
    await using manager = await serveManager();
    const error = await manager.semaphore(-1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as Error).message).toBe('ValueError: semaphore initial value must be >= 0');
    await expect(manager.boundedSemaphore(-1)).rejects.toThrow(RemoteError);
  });

  it('shows in debugInfo who holds permits and who waits', async () => {
    await using manager = await serveManager();
    using sem = await manager.semaphore(1);
    await sem.acquire();
    const waiting = sem.acquire({ timeout: 5 });
    await expect.poll(async () => ((await stateOf(manager, sem.id)).waiting as string[]).length).toBe(1);
    const state = await stateOf(manager, sem.id);
    expect(Object.values(state.holders as Record<string, number>)).toEqual([1]);
    expect(state.value).toBe(0);
    await sem.release();
    expect(await waiting).toBe(true);
    await sem.release();
  });
});

describe('Lock and RLock', () => {
  it("answer as Python's", async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    expect(await lock.acquire()).toBe(true);
    expect(await lock.acquire({ blocking: false })).toBe(false);
    expect(await lock.acquire({ timeout: 0.1 })).toBe(false);
    await expectError(lock.acquire({ blocking: false, timeout: 1 }), ValueError, "can't specify a timeout for a non-blocking call");
    await expectError(lock.acquire({ timeout: -5 }), ValueError, 'timeout value must be positive');
    await lock.release();
    await expectError(lock.release(), RuntimeError, 'release unlocked lock');

    using rlock = await manager.rlock();
    expect(await rlock.acquire()).toBe(true);
    expect(await rlock.acquire()).toBe(true);
    await rlock.release();
    await rlock.release();
    await expectError(rlock.release(), RuntimeError, 'cannot release un-acquired lock');
  });
});

describe('Condition', () => {
  it('refuses wait and notify without the lock, with Python messages', async () => {
    await using manager = await serveManager();
    using cond = await manager.condition();
    await expectError(cond.wait({ timeout: 0.05 }), RuntimeError, 'cannot wait on un-acquired lock');
    await expectError(cond.notify(), RuntimeError, 'cannot notify on un-acquired lock');
    await expectError(cond.notifyAll(), RuntimeError, 'cannot notify on un-acquired lock');
  });

  it('times out with false and holds the lock again', async () => {
    await using manager = await serveManager();
    using cond = await manager.condition();
    await cond.acquire();
    expect(await cond.wait({ timeout: 0.05 })).toBe(false);
    expect(await cond.locked()).toBe(true);
    // Its default lock is an RLock: held once, released once.
    await cond.release();
    expect(await cond.locked()).toBe(false);
    await expectError(cond.release(), RuntimeError, 'cannot release un-acquired lock');
  });

  it('restores every RLock level after a wait', async () => {
    await using manager = await serveManager();
    using cond = await manager.condition();
    await cond.acquire();
    await cond.acquire();
    expect(await cond.wait({ timeout: 0.01 })).toBe(false);
    await cond.release();
    expect(await cond.locked()).toBe(true);
    await cond.release();
    expect(await cond.locked()).toBe(false);
  });

  it('wakes n waiters with notify(n), all with notifyAll, longest-waiting first', async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    using cond = await manager.condition(lock);
    // A condition over a plain Lock: Python's rule is that the lock is held (by anyone).
    const woken: number[] = [];
    const waits = [0, 1, 2].map(async (i) => {
      await cond.acquire();
      const notified = await cond.wait({ timeout: 10 });
      woken.push(i);
      await cond.release();
      return notified;
    });
    await expect.poll(async () => ((await stateOf(manager, cond.id)).waiting as string[]).length).toBe(3);
    await cond.acquire();
    await cond.notify(2);
    await cond.release();
    await expect.poll(() => woken.length).toBe(2);
    expect(woken).toEqual([0, 1]);
    expect(((await stateOf(manager, cond.id)).waiting as string[]).length).toBe(1);
    await cond.withLock(() => cond.notifyAll());
    expect(await Promise.all(waits)).toEqual([true, true, true]);
    expect(await lock.locked()).toBe(false);
  });

  it('waitFor returns the predicate’s last value, falsy on timeout', async () => {
    await using manager = await serveManager();
    using cond = await manager.condition();
    using d = await manager.dict<string, number>();
    await cond.acquire();
    expect(await cond.waitFor(() => d.get('n', 0), { timeout: 0.1 })).toBe(0);
    expect(await cond.waitFor(() => 'already')).toBe('already');
    await cond.release();
  });

  it('waitFor runs its predicate in the waiting process, which may read other proxies', async () => {
    await using manager = await startManager();
    using cond = await manager.condition();
    using d = await manager.dict<string, boolean>();
    using out = await manager.list<string>();
    const children = ['a', 'b'].map(
      (tag) => new Process({ target: waitForReady, args: [cond, d, out, tag], module: fixture('sync-children.ts') }),
    );
    for (const child of children) await child.start();
    await expect.poll(async () => ((await stateOf(manager, cond.id)).waiting as string[]).length).toBe(2);
    // A notify whose predicate is still false sends them back to waiting.
    await cond.withLock(() => cond.notifyAll());
    await expect.poll(async () => ((await stateOf(manager, cond.id)).waiting as string[]).length).toBe(2);
    expect(await out.len()).toBe(0);
    await cond.withLock(async () => {
      await d.setItem('ready', true);
      await cond.notifyAll();
    });
    for (const child of children) await child.join();
    expect(children.map((child) => child.exitCode)).toEqual([0, 0]);
    expect((await out.copy()).sort()).toEqual(['a', 'b']);
  });

  it('refuses a lock that is not a Lock or RLock', async () => {
    await using manager = await serveManager();
    using ev = await manager.event();
    await expect(manager.condition(ev as never)).rejects.toThrow(RemoteError);
  });

  it('keeps a passed lock alive while the condition lives', async () => {
    await using manager = await serveManager();
    const before = await manager.numberOfObjects();
    const lock = await manager.lock();
    const cond = await manager.condition(lock);
    lock.releaseProxy();
    // The count runs any pending collection first: the lock would be gone now if nothing held it.
    expect(await manager.numberOfObjects()).toBe(before + 2);
    await cond.acquire();
    await cond.release();
    cond.releaseProxy();
    expect(await manager.numberOfObjects()).toBe(before);
  });
});

describe('Event', () => {
  it("answers as Python's Event", async () => {
    await using manager = await serveManager();
    using ev = await manager.event();
    expect(await ev.isSet()).toBe(false);
    expect(await ev.wait({ timeout: 0.05 })).toBe(false);
    const waiting = ev.wait();
    await ev.set();
    expect(await waiting).toBe(true);
    expect(await ev.isSet()).toBe(true);
    expect(await ev.wait({ timeout: 0.05 })).toBe(true);
    expect(await ev.wait()).toBe(true);
    await ev.clear();
    expect(await ev.isSet()).toBe(false);
    expect(await ev.wait({ timeout: 0 })).toBe(false);
  });
});

describe('Barrier', () => {
  it('gives each of the parties an index in 0..parties-1', async () => {
    await using manager = await serveManager();
    using barrier = await manager.barrier(3);
    expect(await barrier.parties()).toBe(3);
    const first = barrier.wait();
    const second = barrier.wait();
    await expect.poll(() => barrier.nWaiting()).toBe(2);
    const third = await barrier.wait();
    expect([await first, await second, third]).toEqual([0, 1, 2]);
    expect(await barrier.nWaiting()).toBe(0);
    // It can be used again.
    const again = [barrier.wait(), barrier.wait(), barrier.wait()];
    expect((await Promise.all(again)).sort()).toEqual([0, 1, 2]);
  });

  it('breaks on timeout: BrokenBarrierError for every waiter, broken until reset', async () => {
    await using manager = await serveManager();
    using barrier = await manager.barrier(3, { timeout: 0.1 });
    const other = barrier.wait({ timeout: 10 });
    await expect(barrier.wait()).rejects.toThrow(BrokenBarrierError);
    await expect(other).rejects.toThrow(BrokenBarrierError);
    expect(await barrier.broken()).toBe(true);
    await expect(barrier.wait()).rejects.toThrow(BrokenBarrierError);
    await barrier.reset();
    expect(await barrier.broken()).toBe(false);
    const pending = [barrier.wait({ timeout: 5 }), barrier.wait({ timeout: 5 })];
    expect(await barrier.wait({ timeout: 5 })).toBe(2);
    expect(await Promise.all(pending)).toEqual([0, 1]);
  });

  it('Barrier(2, timeout=0.1).wait() alone raises BrokenBarrierError, then broken is true', async () => {
    await using manager = await serveManager();
    using barrier = await manager.barrier(2, { timeout: 0.1 });
    await expect(barrier.wait()).rejects.toThrow(BrokenBarrierError);
    expect(await barrier.broken()).toBe(true);
  });

  it('abort breaks it for current and later waiters; reset wakes waiters with BrokenBarrierError', async () => {
    await using manager = await serveManager();
    using barrier = await manager.barrier(3);
    const waiting = barrier.wait();
    await expect.poll(() => barrier.nWaiting()).toBe(1);
    await barrier.abort();
    await expect(waiting).rejects.toThrow(BrokenBarrierError);
    await expect(barrier.wait()).rejects.toThrow(BrokenBarrierError);
    await barrier.reset();
    const again = barrier.wait();
    await expect.poll(() => barrier.nWaiting()).toBe(1);
    await barrier.reset();
    await expect(again).rejects.toThrow(BrokenBarrierError);
    expect(await barrier.broken()).toBe(false);
  });

  it('refuses parties < 1', async () => {
    await using manager = await serveManager();
    const error = await manager.barrier(0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as Error).message).toBe('ValueError: parties must be > 0');
  });

  it('runs the action once per filling, before anyone is released', async () => {
    await using manager = await serveManager();
    using log = await manager.list<string>();
    using barrier = await manager.barrier(2, { action: () => log.append('action') });
    const first = barrier.wait().then(async (index) => {
      await log.append(`released ${index}`);
      return index;
    });
    await expect.poll(() => barrier.nWaiting()).toBe(1);
    expect(await barrier.wait()).toBe(1);
    expect(await first).toBe(0);
    expect((await log.copy())[0]).toBe('action');
  });

  it('an action that throws breaks the barrier; its caller gets the error', async () => {
    await using manager = await serveManager();
    using barrier = await manager.barrier(2, {
      action: () => {
        throw new Error('no');
      },
    });
    const first = barrier.wait();
    await expect.poll(() => barrier.nWaiting()).toBe(1);
    await expect(barrier.wait()).rejects.toThrow('no');
    await expect(first).rejects.toThrow(BrokenBarrierError);
    expect(await barrier.broken()).toBe(true);
  });
});
