import { describe, expect, it } from 'vitest';
import { RuntimeError } from '@mpts/proxy/wire';
import { LockServant } from '../../src/servants/lock-servant.js';
import { as, client, goAway, settle, track } from './sessions.js';

// Python's manager.Lock(): anyone may release it. mpts adds (DESIGN D6): a lost holder's lock
// is released, a holder that closed cleanly keeps it.
describe('LockServant', () => {
  it('may be released by a client that did not acquire it, as in Python', () => {
    const lock = new LockServant();
    const [a, b] = [client(), client()];
    expect(as(a, () => lock.acquire())).toBe(true);
    as(b, () => lock.release());
    expect(lock.locked()).toBe(false);
    expect(() => as(b, () => lock.release())).toThrow(new RuntimeError('release unlocked lock'));
  });

  it('a lost holder: released to the longest live waiter', async () => {
    const lock = new LockServant();
    const [holder, waiter] = [client(), client()];
    as(holder, () => lock.acquire());
    const waiting = track(waiter, () => lock.acquire());
    goAway(holder, true);
    await settle();
    expect(waiting.settled).toEqual({ done: true, value: true });
    expect(lock.debugState().owner).toBe(waiter.label);
    expect(waiter.holdings.has(lock)).toBe(true);
  });

  it('a holder that closed cleanly keeps it, until another client releases it', async () => {
    const lock = new LockServant();
    const [holder, waiter, other] = [client(), client(), client()];
    as(holder, () => lock.acquire());
    const waiting = track(waiter, () => lock.acquire());
    goAway(holder, false);
    await settle();
    expect(waiting.settled.done).toBe(false);
    expect(lock.locked()).toBe(true);
    as(other, () => lock.release());
    await settle();
    expect(waiting.settled).toEqual({ done: true, value: true });
    expect(lock.debugState().owner).toBe(waiter.label);
  });

  it('a waiter that is gone is never handed the lock', async () => {
    const lock = new LockServant();
    const [holder, doomed, alive] = [client(), client(), client()];
    as(holder, () => lock.acquire());
    const lostWait = track(doomed, () => lock.acquire());
    const liveWait = track(alive, () => lock.acquire());
    goAway(doomed, true);
    as(holder, () => lock.release());
    await settle();
    expect(lostWait.settled.done).toBe(false);
    expect(liveWait.settled).toEqual({ done: true, value: true });
    expect(doomed.holdings.size).toBe(0);
  });

  it('a lost client that does not hold it changes nothing', () => {
    const lock = new LockServant();
    const [holder, bystander] = [client(), client()];
    as(holder, () => lock.acquire());
    lock.clientGone(bystander, true);
    expect(lock.debugState().owner).toBe(holder.label);
  });
});
