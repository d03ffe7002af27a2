/** Reference lifetime (DESIGN D5): explicit release, disposal, per-connection counts. */
import { describe, expect, it } from 'vitest';
import { Process, ProxyReleasedError, type BaseProxy, type Manager } from '@mpts/manager';
import { keepProxies } from '../fixtures/sync-children.js';
import { fixture, serveManager, startManager } from '../helpers.js';

const factories: ((manager: Manager) => Promise<BaseProxy>)[] = [
  (m) => m.dict({ a: 1 }),
  (m) => m.list([1, 2]),
  (m) => m.namespace({ x: 1 }),
  (m) => m.value('i', 1),
  (m) => m.array('i', [1, 2]),
  (m) => m.lock(),
  (m) => m.rlock(),
  (m) => m.semaphore(2),
  (m) => m.boundedSemaphore(2),
  (m) => m.condition(),
  (m) => m.event(),
  (m) => m.barrier(2),
  (m) => m.queue(),
  (m) => m.joinableQueue(),
];

describe('reference lifetime', () => {
  it('10,000 create/release cycles leave numberOfObjects() where it started', async () => {
    await using manager = await serveManager();
    const start = await manager.numberOfObjects();
    for (let i = 0; i < 10_000; i += 50) {
      // 50 at a time in flight, every shared type in turn.
      const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => factories[(i + j) % factories.length]!(manager)));
      if (i === 0) expect(await manager.numberOfObjects()).toBe(start + 50);
      for (const proxy of batch) proxy.releaseProxy();
    }
    expect(await manager.numberOfObjects()).toBe(start);
  });

  it('a Condition over a passed lock, created and released 1,000 times, leaves nothing behind', async () => {
    await using manager = await serveManager();
    const start = await manager.numberOfObjects();
    for (let i = 0; i < 1000; i++) {
      using lock = await manager.rlock();
      using cond = await manager.condition(lock);
      if (i % 100 === 0) await cond.withLock(() => cond.notifyAll());
    }
    expect(await manager.numberOfObjects()).toBe(start);
  });

  it('releaseProxy is idempotent and a released proxy rejects further calls', async () => {
    await using manager = await serveManager();
    const start = await manager.numberOfObjects();
    const ev = await manager.event();
    ev.releaseProxy();
    ev.releaseProxy();
    expect(ev.released).toBe(true);
    await expect(ev.isSet()).rejects.toBeInstanceOf(ProxyReleasedError);
    await expect(ev.wait({ timeout: 0.01 })).rejects.toThrow('was released and cannot be used any more');
    {
      await using sem = await manager.semaphore(1);
      // On lock-like proxies release() is the lock's release; the proxy stays usable.
      await sem.acquire();
      await sem.release();
      expect(await sem.acquire({ blocking: false })).toBe(true);
    }
    expect(await manager.numberOfObjects()).toBe(start);
  });

  it("a child's references keep objects alive, and are dropped when it is killed", async () => {
    await using manager = await startManager();
    const start = await manager.numberOfObjects();
    const lock = await manager.lock();
    const q = await manager.queue();
    using ready = await manager.event();
    const child = new Process({ target: keepProxies, args: [[lock, q], ready], module: fixture('sync-children.ts') });
    await child.start();
    expect(await ready.wait({ timeout: 10 })).toBe(true);
    lock.releaseProxy();
    q.releaseProxy();
    // The count runs any pending collection first: only the child's references keep them now.
    expect(await manager.numberOfObjects()).toBe(start + 3);
    const info = await manager.debugInfo();
    const lockEntry = info.objects.find((object) => object.id === lock.id)!;
    expect(lockEntry.refcount).toBe(1);
    expect(Object.keys(lockEntry.heldBy)).toHaveLength(1);
    child.kill();
    await child.join();
    await expect.poll(() => manager.numberOfObjects(), { timeout: 1000 }).toBe(start + 1);
  });

  it('a proxy stored in a dict keeps its object alive until removed', async () => {
    await using manager = await serveManager();
    const start = await manager.numberOfObjects();
    using d = await manager.dict<string, unknown>();
    const lock = await manager.lock();
    await d.setItem('lock', lock);
    lock.releaseProxy();
    // The count runs any pending collection first: only the dict keeps the lock now.
    expect(await manager.numberOfObjects()).toBe(start + 2);
    {
      using again = (await d.getItem('lock')) as Awaited<ReturnType<Manager['lock']>>;
      expect(await again.acquire()).toBe(true);
      await again.release();
    }
    await d.delItem('lock');
    expect(await manager.numberOfObjects()).toBe(start + 1);
  });
});
