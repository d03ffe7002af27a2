import { describe, expect, it } from 'vitest';
import { RemoteError, RuntimeError, ValueError, type Manager } from '@mpts/manager';
import { Connection } from '@mpts/proxy/wire';
import { serveManager, waitFor, rejection, expectRemoteError } from '../helpers.js';

/** A second client of the manager, as another process would be: its own authenticated socket. */
function otherClient(manager: Manager): Connection {
  return new Connection(manager.address, { authkey: manager.authkey });
}

// Expected results are CPython 3.11's for manager.Lock() / manager.RLock().
describe('Lock', () => {
  it('acquire returns true, then false when held (non-blocking or timed out)', async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    expect(await lock.locked()).toBe(false);
    expect(await lock.acquire()).toBe(true);
    expect(await lock.locked()).toBe(true);
    expect(await lock.acquire({ blocking: false })).toBe(false);
    expect(await lock.acquire({ timeout: 0.1 })).toBe(false);
    expect(await lock.acquire({ timeout: 0 })).toBe(false);
    await lock.release();
    expect(await lock.locked()).toBe(false);
    expect(await lock.acquire({ blocking: false })).toBe(true);
    await lock.release();
  });

  it("refuses Python's invalid timeouts, and releasing an unlocked lock", async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    await expectRemoteError(lock.acquire({ blocking: false, timeout: 1 }), ValueError, "can't specify a timeout for a non-blocking call");
    await expectRemoteError(lock.acquire({ timeout: -5 }), ValueError, 'timeout value must be positive');
    await expectRemoteError(lock.release(), RuntimeError, 'release unlocked lock');
    expect(await lock.acquire({ timeout: -1 })).toBe(true);
    await lock.release();
  });

  it('may be released by another client, as in Python', async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    const other = otherClient(manager);
    try {
      expect(await other.call(lock.id, 'acquire', [true, null])).toBe(true);
      expect(await lock.acquire({ blocking: false })).toBe(false);
      await lock.release();
      expect(await lock.locked()).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('grants a blocked acquire when the holder releases, first come first served', async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    const other = otherClient(manager);
    try {
      await lock.acquire();
      const order: string[] = [];
      const first = other.call(lock.id, 'acquire', [true, null]).then(() => order.push('other'));
      await waitFor(async () => (await manager.debugInfo()).clients.some((client) => client.waiting === 1));
      const second = lock.acquire().then(() => order.push('self'));
      await lock.release();
      await first;
      expect(order).toEqual(['other']);
      await other.call(lock.id, 'release', []);
      await second;
      expect(order).toEqual(['other', 'self']);
      await lock.release();
    } finally {
      await other.close();
    }
  });

  it('waits for a timeout longer than setTimeout can hold (25 days and more)', async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    const other = otherClient(manager);
    try {
      await lock.acquire();
      const waiting = other.call(lock.id, 'acquire', [true, 3e6]);
      let settled = false;
      void waiting.then(() => (settled = true));
      await waitFor(async () => (await manager.debugInfo()).clients.some((client) => client.waiting === 1));
      // The manager is served in this process: a timer it set for the wait is on this event loop.
      // A delay setTimeout cannot hold becomes 1 ms, so one of 1 ms set now fires after it would
      // have: the wait is still there then, and later too.
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect((await manager.debugInfo()).clients.some((client) => client.waiting === 1)).toBe(true);
      expect(settled).toBe(false);
      await lock.release();
      expect(await waiting).toBe(true);
      await other.call(lock.id, 'release', []);
    } finally {
      await other.close();
    }
  });

  it('is released when the client holding it goes away', async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    const other = otherClient(manager);
    expect(await other.call(lock.id, 'acquire', [true, null])).toBe(true);
    const waiting = lock.acquire({ timeout: 10 });
    other.destroy();
    expect(await waiting).toBe(true);
    await lock.release();
  });

  it('an aborted acquire rejects with the reason and never takes the lock later', async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    const other = otherClient(manager);
    try {
      await other.call(lock.id, 'acquire', [true, null]);
      const controller = new AbortController();
      const waiting = lock.acquire({ signal: controller.signal });
      controller.abort(new Error('gave up'));
      expect((await rejection(waiting)).message).toBe('gave up');
      await other.call(lock.id, 'release', []);
      expect(await lock.locked()).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('hold() with await using, and withLock(), release however the block ends', async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    {
      await using held = await lock.hold();
      expect(await lock.locked()).toBe(true);
      await held.release();
      expect(await lock.locked()).toBe(false);
    }
    expect(await lock.locked()).toBe(false);
    {
      await using _held = await lock.hold();
      expect(await lock.locked()).toBe(true);
    }
    expect(await lock.locked()).toBe(false);
    expect(await lock.withLock(async () => {
      expect(await lock.locked()).toBe(true);
      return 42;
    })).toBe(42);
    expect(await lock.locked()).toBe(false);
    await expect(lock.withLock(() => {
      throw new Error('inside');
    })).rejects.toThrow('inside');
    expect(await lock.locked()).toBe(false);
  });

  it('refuses a method outside the exposed list', async () => {
    await using manager = await serveManager();
    using lock = await manager.lock();
    const error = await rejection(lock.callMethod('nope'));
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toBe("method 'nope' of Lock object is not in exposed");
  });
});

describe('RLock', () => {
  it('is re-entered by its holder and must be released as many times', async () => {
    await using manager = await serveManager();
    using rlock = await manager.rlock();
    expect(await rlock.acquire()).toBe(true);
    expect(await rlock.acquire()).toBe(true);
    expect(await rlock.acquire({ blocking: false })).toBe(true);
    await rlock.release();
    await rlock.release();
    expect(await rlock.locked()).toBe(true);
    await rlock.release();
    expect(await rlock.locked()).toBe(false);
    await expectRemoteError(rlock.release(), RuntimeError, 'cannot release un-acquired lock');
  });

  it('refuses release by a client that does not hold it, and makes others wait', async () => {
    await using manager = await serveManager();
    using rlock = await manager.rlock();
    const other = otherClient(manager);
    try {
      await rlock.acquire();
      await expectRemoteError(other.call(rlock.id, 'release', []), RuntimeError, 'cannot release un-acquired lock');
      expect(await other.call(rlock.id, 'acquire', [false, null])).toBe(false);
      expect(await other.call(rlock.id, 'acquire', [true, 0.05])).toBe(false);
      await expectRemoteError(other.call(rlock.id, 'acquire', [false, 1]), ValueError, "can't specify a timeout for a non-blocking call");
      const waiting = other.call(rlock.id, 'acquire', [true, null]);
      await rlock.release();
      expect(await waiting).toBe(true);
      await expectRemoteError(rlock.release(), RuntimeError, 'cannot release un-acquired lock');
      await other.call(rlock.id, 'release', []);
    } finally {
      await other.close();
    }
  });

  it('withLock nests in the same client', async () => {
    await using manager = await serveManager();
    using rlock = await manager.rlock();
    const result = await rlock.withLock(() => rlock.withLock(() => 'inner'));
    expect(result).toBe('inner');
    expect(await rlock.locked()).toBe(false);
  });
});
