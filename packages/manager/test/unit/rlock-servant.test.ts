import { describe, expect, it } from 'vitest';
import { RuntimeError, ValueError } from '@mpts/proxy/wire';
import { builtinTypes } from '../../src/builtin-types.js';
import { dispatchTableOf } from '../../src/dispatch-table.js';
import { RLockServant } from '../../src/servants/rlock-servant.js';
import { as, client, goAway, settle, track } from './sessions.js';

const unacquired = new RuntimeError('cannot release un-acquired lock');

// Python's RLock belongs to a thread; an mpts RLock to a task of a client: the async task chain
// whose id a proxy sends last, or the connection's default task for a caller sending none.
describe('RLockServant', () => {
  it('two tasks of one client exclude each other; each re-enters its own hold', async () => {
    const rlock = new RLockServant();
    const c = client();
    expect(as(c, () => rlock.acquire(true, null, 1))).toBe(true);
    expect(as(c, () => rlock.acquire(true, null, 1))).toBe(true);
    expect(as(c, () => rlock.acquire(false, null, 2))).toBe(false);
    const second = track(c, () => rlock.acquire(true, null, 2));
    expect(() => as(c, () => rlock.release(2))).toThrow(unacquired);
    as(c, () => rlock.release(1));
    await settle();
    expect(second.settled.done).toBe(false);
    as(c, () => rlock.release(1));
    await settle();
    expect(second.settled).toEqual({ done: true, value: true });
    expect(rlock.debugState()).toMatchObject({ owner: c.label, task: 2, level: 1 });
    expect(() => as(c, () => rlock.release(1))).toThrow(unacquired);
    as(c, () => rlock.release(2));
    expect(rlock.locked()).toBe(false);
  });

  it('a caller that names no task is its connection\'s default task, as a Python proxy', () => {
    const rlock = new RLockServant();
    const [c, other] = [client(), client()];
    expect(as(c, () => rlock.acquire())).toBe(true);
    expect(as(c, () => rlock.acquire(true, null))).toBe(true);
    expect(as(c, () => rlock.acquire(false, null, 1))).toBe(false);
    expect(as(other, () => rlock.acquire(false))).toBe(false);
    expect(() => as(c, () => rlock.release(1))).toThrow(unacquired);
    expect(() => as(other, () => rlock.release())).toThrow(unacquired);
    as(c, () => rlock.release());
    as(c, () => rlock.release(null));
    expect(rlock.locked()).toBe(false);
  });

  it('the same task id of another client is another owner', () => {
    const rlock = new RLockServant();
    const [a, b] = [client(), client()];
    as(a, () => rlock.acquire(true, null, 1));
    expect(as(b, () => rlock.acquire(false, null, 1))).toBe(false);
    expect(() => as(b, () => rlock.release(1))).toThrow(unacquired);
  });

  it("re-entry keeps Python's timeout checks; a task id must be a positive integer", () => {
    const rlock = new RLockServant();
    const c = client();
    as(c, () => rlock.acquire(true, null, 1));
    expect(() => as(c, () => rlock.acquire(false, 1, 1))).toThrow(new ValueError("can't specify a timeout for a non-blocking call"));
    for (const bad of ['1', 0, -1, 1.5]) {
      expect(() => as(c, () => rlock.acquire(true, null, bad))).toThrow(TypeError);
      expect(() => as(c, () => rlock.release(bad))).toThrow(TypeError);
    }
    expect(rlock.debugState().level).toBe(1);
  });

  it('takes the task id as an extra last argument: Python-style calls still fit', () => {
    const spec = builtinTypes().get('RLock');
    const table = dispatchTableOf(spec, new RLockServant());
    expect(table.get('acquire')).toMatchObject({ min: 0, max: 3 });
    expect(table.get('release')).toMatchObject({ min: 0, max: 1 });
  });

  it('a lost owner: released, every level, to a waiting task', async () => {
    const rlock = new RLockServant();
    const [owner, waiter] = [client(), client()];
    as(owner, () => rlock.acquire(true, null, 3));
    as(owner, () => rlock.acquire(true, null, 3));
    const waiting = track(waiter, () => rlock.acquire(true, null, 7));
    goAway(owner, true);
    await settle();
    expect(waiting.settled).toEqual({ done: true, value: true });
    expect(rlock.debugState()).toMatchObject({ owner: waiter.label, task: 7, level: 1 });
  });

  it('an owner that closed cleanly keeps it, as a Python thread that ended holding it does', async () => {
    const rlock = new RLockServant();
    const [owner, other] = [client(), client()];
    as(owner, () => rlock.acquire(true, null, 3));
    const waiting = track(other, () => rlock.acquire(true, null, 3));
    goAway(owner, false);
    await settle();
    expect(waiting.settled.done).toBe(false);
    expect(() => as(other, () => rlock.release(3))).toThrow(unacquired);
    expect(rlock.debugState()).toMatchObject({ owner: owner.label, level: 1 });
  });
});
