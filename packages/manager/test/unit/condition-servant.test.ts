import { describe, expect, it } from 'vitest';
import { RuntimeError } from '@mpts/proxy/wire';
import { builtinTypes } from '../../src/builtin-types.js';
import { dispatchTableOf } from '../../src/dispatch-table.js';
import { ObjectRegistry } from '../../src/object-registry.js';
import { ConditionServant } from '../../src/servants/condition-servant.js';
import { LockServant } from '../../src/servants/lock-servant.js';
import { as, client, goAway, settle, track } from './sessions.js';

// A Condition's default lock is an RLock: held means held by the calling task (Python: thread),
// which every call names last (a caller naming none is its connection's default task).
describe('ConditionServant', () => {
  it('wait and notify check that the calling task holds the lock (Python\'s _is_owned)', () => {
    const cond = new ConditionServant();
    const c = client();
    as(c, () => cond.acquire(true, null, 1));
    expect(() => as(c, () => cond.wait(null, 2))).toThrow(new RuntimeError('cannot wait on un-acquired lock'));
    expect(() => as(c, () => cond.notify(1, 2))).toThrow(new RuntimeError('cannot notify on un-acquired lock'));
    expect(() => as(c, () => cond.notifyAll(2))).toThrow(new RuntimeError('cannot notify on un-acquired lock'));
    expect(() => as(c, () => cond.notifyAll())).toThrow(new RuntimeError('cannot notify on un-acquired lock'));
    expect(() => as(c, () => cond.release(2))).toThrow(new RuntimeError('cannot release un-acquired lock'));
    as(c, () => cond.notifyAll(1));
    as(c, () => cond.release(1));
  });

  it('two tasks of one client: one waits, the other takes the lock, notifies, and the first holds it again', async () => {
    const cond = new ConditionServant();
    const c = client();
    as(c, () => cond.acquire(true, null, 1));
    as(c, () => cond.acquire(true, null, 1));
    const blocked = track(c, () => cond.acquire(true, null, 2));
    await settle();
    expect(blocked.settled.done).toBe(false);
    const waiting = track(c, () => cond.wait(null, 1));
    await settle();
    // The wait gave up both levels at once: task 2 has the lock now.
    expect(blocked.settled).toEqual({ done: true, value: true });
    as(c, () => cond.notify(1, 2));
    await settle();
    expect(waiting.settled.done).toBe(false);
    as(c, () => cond.release(2));
    await settle();
    expect(waiting.settled).toEqual({ done: true, value: true });
    // Task 1 holds it again, at both levels.
    expect(cond.debugState().lock).toMatchObject({ task: 1, level: 2 });
    as(c, () => cond.release(1));
    as(c, () => cond.release(1));
    expect(cond.locked()).toBe(false);
  });

  it('over a plain Lock, any task may wait while the lock is held, as Python checks a Lock', async () => {
    const lock = new LockServant();
    const cond = new ConditionServant(new ObjectRegistry('unit test').add(builtinTypes().get('Lock'), lock).ref);
    const [c, other] = [client(), client()];
    expect(() => as(c, () => cond.wait(null, 1))).toThrow(new RuntimeError('cannot wait on un-acquired lock'));
    as(c, () => cond.acquire(true, null, 1));
    const waiting = track(other, () => cond.wait(null, 9));
    await settle();
    expect(lock.locked()).toBe(false);
    // Any task may release a plain Lock, and take it again.
    expect(as(c, () => cond.acquire(true, null, 2))).toBe(true);
    as(c, () => cond.notify(1, 3));
    as(other, () => cond.release(4));
    await settle();
    expect(waiting.settled).toEqual({ done: true, value: true });
    expect(lock.debugState().owner).toBe(other.label);
    as(c, () => lock.release());
  });

  it('takes the task id as an extra last argument: Python-style calls still fit', () => {
    const table = dispatchTableOf(builtinTypes().get('Condition'), new ConditionServant());
    expect(table.get('acquire')).toMatchObject({ min: 0, max: 3 });
    expect(table.get('release')).toMatchObject({ min: 0, max: 1 });
    expect(table.get('wait')).toMatchObject({ min: 0, max: 2 });
    expect(table.get('notify')).toMatchObject({ min: 0, max: 2 });
    expect(table.get('notifyAll')).toMatchObject({ min: 0, max: 1 });
  });

  it("a lost client's hold on the lock is released; a clean close keeps it", async () => {
    for (const lost of [true, false]) {
      const cond = new ConditionServant();
      const [holder, other] = [client(), client()];
      as(holder, () => cond.acquire(true, null, 1));
      const waiting = track(other, () => cond.acquire(true, null, 1));
      goAway(holder, lost);
      await settle();
      expect(waiting.settled.done).toBe(lost);
      expect(cond.locked()).toBe(true);
    }
  });

  it('a lost waiter is dropped and never takes the lock back', async () => {
    const cond = new ConditionServant();
    const [doomed, alive] = [client(), client()];
    as(doomed, () => cond.acquire(true, null, 1));
    const waiting = track(doomed, () => cond.wait(null, 1));
    as(alive, () => cond.acquire(true, null, 1));
    goAway(doomed, true);
    as(alive, () => cond.notifyAll(1));
    as(alive, () => cond.release(1));
    await settle();
    expect(waiting.settled.done).toBe(false);
    expect(cond.locked()).toBe(false);
    expect(cond.debugState().waiting).toEqual([]);
  });
});
