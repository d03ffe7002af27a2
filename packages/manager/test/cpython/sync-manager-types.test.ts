/**
 * CPython's `TestSyncManagerTypes` (Lib/test/_test_multiprocessing.py): every type a manager
 * shares, made in this process, checked and changed by a child process (the worker), then
 * checked here. Python's workers `assert`; these throw, and the child's exit code is checked.
 *
 * Skipped, and why:
 * - test_pool: mpts's manager has no Pool.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Process, RemoteError, RuntimeError, type Manager, type QueueProxy } from '@mpts/manager';
import {
  smtArray,
  smtBarrier,
  smtCondition,
  smtDict,
  smtEvent,
  smtList,
  smtLock,
  smtNamespace,
  smtQueue,
  smtRlock,
  smtSemaphore,
  smtSetComparisons,
  smtSetOperatorMethods,
  smtSetOperatorSymbols,
  smtValue,
} from './fixtures/targets.js';
import { built, expectError, startManager } from '../helpers.js';

// The compiled copy of the fixtures when the run has one (see vitest.fixtures.ts).
const targets = built(new URL('./fixtures/targets.ts', import.meta.url)).href;

describe('TestSyncManagerTypes', () => {
  let manager: Manager & AsyncDisposable;
  let proc: Process | undefined;

  beforeEach(async () => {
    manager = await startManager();
    proc = undefined;
  });

  afterEach(async () => {
    if (proc?.isAlive()) {
      proc.terminate();
      await proc.join();
    }
    await manager[Symbol.asyncDispose]();
  });

  async function runWorker<T>(worker: (obj: T) => Promise<void>, obj: T): Promise<void> {
    proc = new Process({ target: worker, args: [obj], module: targets });
    await proc.start();
    await proc.join();
    expect(proc.error).toBeUndefined();
    expect(proc.exitCode).toBe(0);
  }

  it('test_event', async () => {
    using o = await manager.event();
    await o.set();
    await runWorker(smtEvent, o);
    expect(await o.isSet()).toBe(false);
    await o.wait({ timeout: 0.001 });
  });

  it('test_lock', async () => {
    using o = await manager.lock();
    await runWorker(smtLock, o);
    await o.release();
    await expectError(o.release(), RuntimeError, 'release unlocked lock'); // already released
  });

  it('test_rlock', async () => {
    using o = await manager.rlock();
    await runWorker(smtRlock, o);
  });

  it('test_semaphore', async () => {
    using o = await manager.semaphore();
    await runWorker(smtSemaphore, o);
    await o.release();
  });

  it('test_bounded_semaphore', async () => {
    using o = await manager.boundedSemaphore();
    await runWorker(smtSemaphore, o);
    await o.release();
  });

  it('test_condition', async () => {
    using o = await manager.condition();
    await runWorker(smtCondition, o);
  });

  it('test_barrier', async () => {
    using o = await manager.barrier(5);
    await runWorker(smtBarrier, o);
  });

  async function testQueue(o: QueueProxy<number>): Promise<void> {
    await o.put(5);
    await o.put(6);
    await runWorker(smtQueue, o);
    expect(await o.empty()).toBe(true);
    expect(await o.full()).toBe(false);
  }

  it('test_queue', async () => {
    using o = await manager.queue<number>(2);
    await testQueue(o);
  });

  it('test_joinable_queue', async () => {
    using o = await manager.joinableQueue<number>(2);
    await testQueue(o);
  });

  // Python 3.14's ListProxy has clear(), which the worker calls (3.13's has not).
  it('test_list', async () => {
    using o = await manager.list<number>();
    await o.append(5);
    await runWorker(smtList, o);
    expect(await o.len()).toBe(0);
  });

  it('test_dict', async () => {
    using o = await manager.dict<string, number>();
    await o.setItem('foo', 5);
    await runWorker(smtDict, o);
    expect(await o.len()).toBe(0);
  });

  it('test_value', async () => {
    using o = await manager.value('i', 1);
    await runWorker(smtValue, o);
    expect(await o.get()).toBe(2);
  });

  it('test_array', async () => {
    using o = await manager.array('i', [0, 1]);
    await runWorker(smtArray, o);
  });

  it('test_namespace', async () => {
    using o = await manager.namespace();
    await o.setattr('x', 0);
    await o.setattr('y', 1);
    await runWorker(smtNamespace, o);
  });

  it('test_set', async () => {
    {
      using o = await manager.set<string>();
      await runWorker(smtSetOperatorSymbols, o);
    }
    {
      using o = await manager.set<string>();
      await runWorker(smtSetOperatorMethods, o);
    }
    {
      using o = await manager.set<string>();
      await runWorker(smtSetComparisons, o);
    }
  });

  it('test_set_init', async () => {
    const sorted = async (o: { copy(): Promise<Set<string>> }) => [...(await o.copy())].sort();
    {
      using o = await manager.set(new Set(['a', 'b', 'c']));
      expect(await sorted(o)).toEqual(['a', 'b', 'c']);
    }
    {
      using o = await manager.set(['a', 'b', 'c']);
      expect(await sorted(o)).toEqual(['a', 'b', 'c']);
    }
    {
      // Python's set(dict) takes its keys; a JavaScript Map iterates its entries, so the
      // mapping's keys() are what is passed.
      using o = await manager.set(new Map([['a', 1], ['b', 2], ['c', 3]]).keys());
      expect(await sorted(o)).toEqual(['a', 'b', 'c']);
    }
  });

  it('test_set_init, its last check: a set of a non-iterable is a RemoteError', async () => {
    await expect(manager.set(1234 as never)).rejects.toBeInstanceOf(RemoteError);
  });

  it('test_set_contain_all_method', async () => {
    using o = await manager.set();
    // Python's dunder operators are mpts's named methods (`__or__` → union, `__ior__` → update,
    // `__contains__` → contains, `__len__` → len, `__iter__` → Symbol.asyncIterator...).
    const setMethods = [
      'add', 'clear', 'contains', 'copy', 'difference', 'differenceUpdate', 'discard',
      'intersection', 'intersectionUpdate', 'isdisjoint', 'issubset', 'issuperset', 'len', 'pop',
      'remove', 'symmetricDifference', 'symmetricDifferenceUpdate', 'union', 'update',
    ];
    for (const name of setMethods) expect(typeof (o as unknown as Record<string, unknown>)[name], name).toBe('function');
    expect(typeof o[Symbol.asyncIterator]).toBe('function');
  });
});
