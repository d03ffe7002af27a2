/**
 * CPython's `_TestQueue` (Lib/test/_test_multiprocessing.py), ported to a manager's Queue and
 * JoinableQueue, as Python runs it in its manager suite (`WithManagerTestQueue`). Python's
 * positional `put(x, block, timeout)` / `get(block, timeout)` are options objects in mpts.
 *
 * Skipped, and why:
 * - test_no_import_lock_contention: Python's import lock; Node has none.
 * - test_queue_feeder_donot_stop_onexc, test_queue_feeder_on_queue_feeder_error: the feeder
 *   thread of `multiprocessing.Queue` (tested for 'processes' only); a manager's queue has none,
 *   and mpts refuses a value it cannot encode before sending it.
 * - test_closed_queue_empty_exceptions, test_closed_queue_put_get_exceptions: `close()` and
 *   `join_thread()` of `multiprocessing.Queue`; a manager's queue proxy has neither.
 * - test_shutdown_empty, test_shutdown_nonempty, test_shutdown_immediate,
 *   test_shutdown_immediate_with_unfinished: Python 3.13's `Queue.shutdown()`, which mpts's
 *   queues do not have.
 */
import { describe, expect, it } from 'vitest';
import { Process, QueueEmpty, QueueFull } from '@mpts/manager';
import { queueGetSix, queuePutFour, queuePutTen, queueWorker } from './fixtures/targets.js';
import { built, expectError, startManager } from '../helpers.js';

// The compiled copy of the fixtures when the run has one (see vitest.fixtures.ts).
const targets = built(new URL('./fixtures/targets.ts', import.meta.url)).href;
const TIMEOUT1 = 0.1;
const TIMEOUT2 = 0.1;
const TIMEOUT3 = 0.1;
const CLOCK_RES = 0.02;

/** Python's TimingWrapper: the seconds `promise` took to settle. */
async function elapsedUntilSettled(promise: Promise<unknown>): Promise<number> {
  const start = performance.now();
  await promise.catch(() => {});
  return (performance.now() - start) / 1000;
}

describe('_TestQueue', () => {
  it('test_put', async () => {
    await using manager = await startManager();
    const MAXSIZE = 6;
    using queue = await manager.queue<number>(MAXSIZE);
    using childCanStart = await manager.event();
    using parentCanContinue = await manager.event();
    const proc = new Process({ target: queueGetSix, args: [queue, childCanStart, parentCanContinue], module: targets });
    await proc.start();
    try {
      expect(await queue.empty()).toBe(true);
      expect(await queue.full()).toBe(false);

      await queue.put(1);
      await queue.put(2, { block: true });
      await queue.put(3, { block: true, timeout: undefined });
      await queue.put(4, { block: false });
      await queue.put(5, { block: false, timeout: undefined });
      await queue.putNowait(6);

      // Python sleeps DELTA here for its feeder thread; a manager's queue has the items at once.
      expect(await queue.empty()).toBe(false);
      expect(await queue.full()).toBe(true);

      await expect(queue.put(7, { block: false })).rejects.toBeInstanceOf(QueueFull);
      await expect(queue.put(7, { block: false, timeout: undefined })).rejects.toBeInstanceOf(QueueFull);
      await expect(queue.putNowait(7)).rejects.toBeInstanceOf(QueueFull);
      let put = queue.put(7, { block: true, timeout: TIMEOUT1 });
      expect(await elapsedUntilSettled(put)).toBeGreaterThanOrEqual(TIMEOUT1 - CLOCK_RES);
      await expect(put).rejects.toBeInstanceOf(QueueFull);
      await expect(queue.put(7, { block: false, timeout: TIMEOUT2 })).rejects.toBeInstanceOf(QueueFull);
      put = queue.put(7, { timeout: TIMEOUT3 });
      expect(await elapsedUntilSettled(put)).toBeGreaterThanOrEqual(TIMEOUT3 - CLOCK_RES);
      await expect(put).rejects.toBeInstanceOf(QueueFull);

      await childCanStart.set();
      await parentCanContinue.wait();

      expect(await queue.empty()).toBe(true);
      expect(await queue.full()).toBe(false);

      await proc.join();
      expect(proc.exitCode).toBe(0);
    } finally {
      proc.kill();
      await proc.join();
    }
  });

  it('test_get', async () => {
    await using manager = await startManager();
    using queue = await manager.queue<number>();
    using childCanStart = await manager.event();
    using parentCanContinue = await manager.event();
    const proc = new Process({ target: queuePutFour, args: [queue, childCanStart, parentCanContinue], module: targets });
    await proc.start();
    try {
      expect(await queue.empty()).toBe(true);

      await childCanStart.set();
      await parentCanContinue.wait();

      // Python sleeps DELTA here for the child's feeder thread; the child's puts are done.
      expect(await queue.empty()).toBe(false);

      expect(await queue.get({ block: true, timeout: undefined })).toBe(2);
      expect(await queue.get({ block: true })).toBe(3);
      expect(await queue.get({ timeout: 1 })).toBe(4);
      expect(await queue.getNowait()).toBe(5);

      expect(await queue.empty()).toBe(true);

      await expect(queue.get({ block: false })).rejects.toBeInstanceOf(QueueEmpty);
      await expect(queue.get({ block: false, timeout: undefined })).rejects.toBeInstanceOf(QueueEmpty);
      await expect(queue.getNowait()).rejects.toBeInstanceOf(QueueEmpty);
      let get = queue.get({ block: true, timeout: TIMEOUT1 });
      expect(await elapsedUntilSettled(get)).toBeGreaterThanOrEqual(TIMEOUT1 - CLOCK_RES);
      await expect(get).rejects.toBeInstanceOf(QueueEmpty);
      await expect(queue.get({ block: false, timeout: TIMEOUT2 })).rejects.toBeInstanceOf(QueueEmpty);
      get = queue.get({ timeout: TIMEOUT3 });
      expect(await elapsedUntilSettled(get)).toBeGreaterThanOrEqual(TIMEOUT3 - CLOCK_RES);
      await expect(get).rejects.toBeInstanceOf(QueueEmpty);

      await proc.join();
      expect(proc.exitCode).toBe(0);
    } finally {
      proc.kill();
      await proc.join();
    }
  });

  it('test_fork', async () => {
    await using manager = await startManager();
    using queue = await manager.queue<number>();
    // Put items on the queue before starting the child (Python: so that its feeder thread runs).
    for (let i = 0; i < 10; i++) await queue.put(i);
    const p = new Process({ target: queuePutTen, args: [queue], module: targets });
    await p.start();
    // Check that all expected items are in the queue.
    for (let i = 0; i < 20; i++) expect(await queue.get()).toBe(i);
    await expect(queue.get({ block: false })).rejects.toBeInstanceOf(QueueEmpty);
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('test_qsize', async () => {
    await using manager = await startManager();
    using q = await manager.queue<number>();
    expect(await q.qsize()).toBe(0);
    await q.put(1);
    expect(await q.qsize()).toBe(1);
    await q.put(5);
    expect(await q.qsize()).toBe(2);
    await q.get();
    expect(await q.qsize()).toBe(1);
    await q.get();
    expect(await q.qsize()).toBe(0);
  });

  it('test_task_done', async () => {
    await using manager = await startManager();
    using queue = await manager.joinableQueue<number | null>();
    // Python's workers sleep DELTA per item, to look busy; these take them as they come.
    const workers = Array.from({ length: 4 }, () => new Process({ target: queueWorker, args: [queue], module: targets }));
    await Promise.all(workers.map((p) => p.start()));
    try {
      for (let i = 0; i < 10; i++) await queue.put(i);
      await queue.join();
      for (let i = 0; i < workers.length; i++) await queue.put(null);
      for (const p of workers) {
        await p.join();
        expect(p.exitCode).toBe(0);
      }
    } finally {
      for (const p of workers) p.kill();
      await Promise.all(workers.map((p) => p.join()));
    }
  });

  it('test_timeout', async () => {
    await using manager = await startManager();
    using q = await manager.queue();
    const get = q.get({ block: true, timeout: 0.2 });
    // bpo-30317: Python tolerates 100 ms less than asked for.
    expect(await elapsedUntilSettled(get)).toBeGreaterThanOrEqual(0.1);
    await expectError(get, QueueEmpty, '');
  });
});
