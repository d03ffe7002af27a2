import { describe, expect, it } from 'vitest';
import { RuntimeError, ValueError } from '@mpts/proxy';
import { Lock, RLock, Value } from '../src/index.js';

// multiprocessing.synchronize's Lock and RLock are the oracle (CPython 3.11).
describe('Lock', () => {
  it('acquires, refuses a second acquire, and times out', () => {
    const lock = new Lock();
    expect(lock.acquire()).toBe(true);
    expect(lock.acquire({ blocking: false })).toBe(false);
    expect(lock.acquire({ timeout: 0.05 })).toBe(false);
    expect(lock.acquire({ timeout: -5 })).toBe(false); // a negative timeout is 0, as in Python
    expect(lock.acquire({ blocking: false, timeout: 1 })).toBe(false); // the timeout is ignored
    lock.release();
    expect(lock.acquire({ blocking: false })).toBe(true);
    lock.release();
  });

  it("raises Python's ValueError when released unlocked", () => {
    const lock = new Lock();
    expect(() => lock.release()).toThrow(new ValueError('semaphore or lock released too many times'));
  });

  it('does not block the event loop in acquireAsync: a timer can release the lock meanwhile', async () => {
    const lock = new Lock();
    lock.acquire();
    setTimeout(() => lock.release(), 50);
    // If acquireAsync blocked this thread, the timer would never run and this would hang.
    expect(await lock.acquireAsync()).toBe(true);
    expect(await lock.acquireAsync({ timeout: 0.05 })).toBe(false);
    lock.release();
  });

  it('stops an async wait when its signal aborts', async () => {
    const lock = new Lock();
    lock.acquire();
    const controller = new AbortController();
    const waiting = lock.acquireAsync({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(waiting).rejects.toThrow('stop');
    lock.release();
    expect(lock.acquire({ blocking: false })).toBe(true);
    lock.release();
  });

  it('holds for withLock, also across an async function, and for a disposable hold', async () => {
    const lock = new Lock();
    expect(lock.withLock(() => lock.acquire({ blocking: false }))).toBe(false);
    expect(lock.acquire({ blocking: false })).toBe(true);
    lock.release();
    const result = lock.withLock(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return lock.acquire({ blocking: false });
    });
    expect(await result).toBe(false);
    expect(() => lock.withLock(() => { throw new Error('boom'); })).toThrow('boom');
    {
      using held = lock.hold();
      void held;
      expect(lock.acquire({ blocking: false })).toBe(false);
    }
    expect(await lock.withLockAsync(() => 7)).toBe(7);
    expect(lock.acquire({ blocking: false })).toBe(true);
    lock.release();
  });
});

describe('RLock', () => {
  it('may be taken again by its holder and must be released as often', () => {
    const lock = new RLock();
    expect(lock.acquire()).toBe(true);
    expect(lock.acquire({ blocking: false })).toBe(true);
    expect(lock.count).toBe(2);
    lock.release();
    expect(lock.count).toBe(1);
    lock.release();
    expect(lock.count).toBe(0);
    expect(() => lock.release()).toThrow(new RuntimeError('cannot release un-acquired lock'));
  });

  it("is a Value's default lock, taken for each .value access", () => {
    const v = Value('i', 0);
    const lock = v.getLock();
    expect(lock).toBeInstanceOf(RLock);
    v.withLock(() => {
      v.value += 1;
      expect((lock as RLock).count).toBe(1);
    });
    expect(v.value).toBe(1);
    expect(String(v.getObj())).toBe('c_int(1)');
  });

  it('can be shared by several values', () => {
    const lock = new Lock();
    const a = Value('i', 0, { lock });
    const b = Value('d', 0, { lock });
    expect(a.getLock()).toBe(lock);
    expect(b.getLock()).toBe(lock);
    a.acquire();
    expect(b.acquire({ blocking: false })).toBe(false);
    a.release();
  });
});
