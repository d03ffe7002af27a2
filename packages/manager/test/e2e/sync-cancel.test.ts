/**
 * Every blocking call takes `signal` (DESIGN D4): an aborted wait rejects with the signal's
 * reason and is removed from the manager at once, so it never later takes the lock, the
 * permit, the item or the barrier slot. (Python leaves a ghost waiter that does.)
 */
import { describe, expect, it } from 'vitest';
import { type Manager } from '@mpts/manager';
import { serveManager } from '../helpers.js';

async function waitingOn(manager: Manager, id: number, key = 'waiting'): Promise<number> {
  const info = await manager.debugInfo();
  return (info.objects.find((object) => object.id === id)!.state[key] as unknown[]).length;
}

function abortLater(): { signal: AbortSignal; abort: () => Error } {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    abort: () => {
      const reason = new Error('the caller gave up');
      controller.abort(reason);
      return reason;
    },
  };
}

describe('an aborted wait', () => {
  it('on a Lock rejects with the reason and never acquires later', async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    await lock.acquire();
    const { signal, abort } = abortLater();
    const acquiring = lock.acquire({ signal });
    await expect.poll(() => waitingOn(manager, lock.id)).toBe(1);
    const reason = abort();
    await expect(acquiring).rejects.toBe(reason);
    expect(await waitingOn(manager, lock.id)).toBe(0);
    await lock.release();
    // Nobody took it: the aborted acquire left no ghost behind (the release would have handed
    // the lock to a waiter at once, before replying), and no waiter is left to take it later.
    expect(await lock.locked()).toBe(false);
    expect(await waitingOn(manager, lock.id)).toBe(0);
    expect(await lock.acquire({ blocking: false })).toBe(true);
    await lock.release();
  });

  it('with a signal already aborted rejects at once, with its reason', async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    const reason = new Error('too late');
    await expect(lock.acquire({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(await lock.locked()).toBe(false);
  });

  it('with AbortSignal.timeout rejects with a TimeoutError', async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    await lock.acquire();
    const error = await lock.acquire({ signal: AbortSignal.timeout(50) }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    await lock.release();
    expect(await lock.locked()).toBe(false);
  });

  it('on a Semaphore never takes a permit later', async () => {
    await using manager = await serveManager();
    using sem = await manager.boundedSemaphore(1);
    await sem.acquire();
    const { signal, abort } = abortLater();
    const acquiring = sem.acquire({ signal });
    await expect.poll(() => waitingOn(manager, sem.id)).toBe(1);
    const reason = abort();
    await expect(acquiring).rejects.toBe(reason);
    await sem.release();
    expect(await sem.acquire({ blocking: false })).toBe(true);
    await sem.release();
  });

  it('in queue.get() never takes an item later; an aborted put never adds its item', async () => {
    await using manager = await serveManager();
    using q = await manager.queue<string>(1);
    const getting = abortLater();
    const get = q.get({ signal: getting.signal });
    await expect.poll(() => waitingOn(manager, q.id, 'getting')).toBe(1);
    const reason = getting.abort();
    await expect(get).rejects.toBe(reason);
    await q.put('kept');
    expect(await q.qsize()).toBe(1);
    const putting = abortLater();
    const put = q.put('never', { signal: putting.signal });
    await expect.poll(() => waitingOn(manager, q.id, 'putting')).toBe(1);
    const putReason = putting.abort();
    await expect(put).rejects.toBe(putReason);
    expect(await q.get()).toBe('kept');
    expect(await q.qsize()).toBe(0);
    await expect(q.get({ timeout: 0.05 })).rejects.toThrow();
  });

  it('at a barrier gives its slot back', async () => {
    await using manager = await serveManager();
    using barrier = await manager.barrier(2);
    const { signal, abort } = abortLater();
    const waiting = barrier.wait({ signal });
    await expect.poll(() => barrier.nWaiting()).toBe(1);
    const reason = abort();
    await expect(waiting).rejects.toBe(reason);
    expect(await barrier.nWaiting()).toBe(0);
    expect(await barrier.broken()).toBe(false);
    const first = barrier.wait({ timeout: 5 });
    await expect.poll(() => barrier.nWaiting()).toBe(1);
    expect(await barrier.wait({ timeout: 5 })).toBe(1);
    expect(await first).toBe(0);
  });

  it('on an Event rejects with the reason; a later set wakes only live waiters', async () => {
    await using manager = await serveManager();
    using ev = await manager.event();
    const { signal, abort } = abortLater();
    const waiting = ev.wait({ signal });
    const other = ev.wait({ timeout: 5 });
    await expect.poll(() => waitingOn(manager, ev.id)).toBe(2);
    const reason = abort();
    await expect(waiting).rejects.toBe(reason);
    expect(await waitingOn(manager, ev.id)).toBe(1);
    await ev.set();
    expect(await other).toBe(true);
  });

  it('on a Condition rejects with the reason, with the lock held again, as after any wait', async () => {
    await using manager = await serveManager();
    using cond = await manager.condition();
    await cond.acquire();
    const { signal, abort } = abortLater();
    const waiting = cond.wait({ signal });
    await expect.poll(() => waitingOn(manager, cond.id)).toBe(1);
    const reason = abort();
    await expect(waiting).rejects.toBe(reason);
    expect(await waitingOn(manager, cond.id)).toBe(0);
    expect(await cond.locked()).toBe(true);
    await cond.release();
    expect(await cond.locked()).toBe(false);
  });

  it('on an acquire that was granted just before the abort resolves true: the lock is held', async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    const { signal, abort } = abortLater();
    expect(await lock.acquire({ signal })).toBe(true);
    abort();
    expect(await lock.locked()).toBe(true);
    await lock.release();
  });
});
