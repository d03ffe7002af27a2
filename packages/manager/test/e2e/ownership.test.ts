/**
 * Who owns a lock, across real processes (DESIGN D6). An RLock, and a Condition's lock, belong
 * to an async task chain, as a Python lock to a thread: two concurrent tasks of one process
 * exclude each other, and a chain re-enters its own hold. A process that is lost (SIGKILL)
 * gives back its loans (Lock, RLock, BoundedSemaphore permits, a Condition's lock) and breaks a
 * Barrier it waits at; one that ends normally keeps what it holds, as in Python. A Semaphore's
 * permits are a counter and never come back for a gone client.
 */
import { describe, expect, it } from 'vitest';
import { BrokenBarrierError, Process, RuntimeError, runAsTask, ValueError, type AcquirerProxy, type Manager } from '@mpts/manager';
import {
  acquireAndCallExit,
  acquireAndCrash,
  acquireAndExit,
  consumeOneAndExit,
  consumeOneAndHang,
  leaveBarrierWhileWaiting,
  releaseLock,
} from '../fixtures/ownership-children.js';
import { holdLock, holdPermits, waitAtBarrierExpectBroken } from '../fixtures/sync-children.js';
import { expectRemoteError, fixture, killAndReap, rejection, serveManager, startManager } from '../helpers.js';

const children = fixture('ownership-children.ts');
const syncChildren = fixture('sync-children.ts');

/**
 * A critical section that yields to the event loop many times (each call is a round trip to
 * the manager): a task that is not excluded gets in meanwhile. Records entry and exit.
 */
async function section(name: string, log: string[], lock: AcquirerProxy): Promise<void> {
  log.push(`${name} in`);
  for (let i = 0; i < 5; i++) await lock.locked();
  log.push(`${name} out`);
}

/** Whether the entries of `log` come in whole in/out pairs, never two sections at once. */
function exclusive(log: string[]): boolean {
  for (let i = 0; i < log.length; i += 2) {
    const name = log[i]!.split(' ')[0];
    if (log[i] !== `${name} in` || log[i + 1] !== `${name} out`) return false;
  }
  return true;
}

/** Waits until the manager has seen every other client go: only this process is connected. */
async function othersGone(manager: Manager): Promise<void> {
  await expect.poll(async () => (await manager.debugInfo()).clients.length, { timeout: 5000 }).toBe(1);
}

/** A promise and its resolve (Node 20 has no `Promise.withResolvers`). */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}


describe('an RLock belongs to an async task chain', () => {
  it('two concurrent tasks of one process exclude each other: bare acquire, hold(), withLock()', async () => {
    await using manager = await serveManager();
    using rlock = await manager.rlock();
    const log: string[] = [];
    // Each task's first acquire runs before either task awaits anything.
    const bare = async (name: string) => {
      await rlock.acquire();
      await section(name, log, rlock);
      await rlock.release();
    };
    const held = async (name: string) => {
      await using _held = await rlock.hold();
      await section(name, log, rlock);
    };
    const within = (name: string) => rlock.withLock(() => section(name, log, rlock));
    await Promise.all([bare('a'), bare('b'), held('c'), held('d'), within('e'), within('f'), bare('g')]);
    expect(log).toHaveLength(14);
    expect(exclusive(log), log.join(', ')).toBe(true);
    expect(await rlock.locked()).toBe(false);
  });

  it('a task that does not hold it cannot release it, even while another task of its process does', async () => {
    await using manager = await serveManager();
    using rlock = await manager.rlock();
    const acquired = signal();
    const done = signal();
    const holder = runAsTask(async () => {
      await rlock.acquire();
      acquired.resolve();
      await done.promise;
      await rlock.release();
    });
    await acquired.promise;
    await runAsTask(async () => {
      await expectRemoteError(rlock.release(), RuntimeError, 'cannot release un-acquired lock');
      expect(await rlock.acquire({ blocking: false })).toBe(false);
    });
    done.resolve();
    await holder;
    expect(await rlock.locked()).toBe(false);
  });

  it('re-entry inside one chain: nested acquires, withLock in withLock, a called helper', async () => {
    await using manager = await serveManager();
    using rlock = await manager.rlock();
    const helper = async () => {
      expect(await rlock.acquire({ blocking: false })).toBe(true);
      await rlock.release();
    };
    expect(await rlock.acquire()).toBe(true);
    expect(await rlock.acquire({ timeout: 1 })).toBe(true);
    await helper();
    await rlock.withLock(() => rlock.withLock(helper));
    await rlock.release();
    expect(await rlock.locked()).toBe(true);
    await rlock.release();
    expect(await rlock.locked()).toBe(false);
    expect(await rlock.withLock(() => rlock.withLock(async () => {
      await helper();
      return 'inner';
    }))).toBe('inner');
    {
      await using _outer = await rlock.hold();
      await using _inner = await rlock.hold();
      await helper();
    }
    expect(await rlock.locked()).toBe(false);
  });
});

describe("a Condition's lock belongs to an async task chain", () => {
  it('two concurrent tasks of one process exclude each other', async () => {
    await using manager = await serveManager();
    using cond = await manager.condition();
    const log: string[] = [];
    const bare = async (name: string) => {
      await cond.acquire();
      await section(name, log, cond);
      await cond.release();
    };
    const within = (name: string) => cond.withLock(() => section(name, log, cond));
    await Promise.all([bare('a'), bare('b'), within('c'), within('d')]);
    expect(exclusive(log), log.join(', ')).toBe(true);
  });

  it('wait and notify are checked against the calling task; one task waits, another notifies', async () => {
    await using manager = await serveManager();
    using cond = await manager.condition();
    using ready = await manager.value('b', 0);
    const waiting = signal();
    const waiter = runAsTask(() => cond.withLock(async () => {
      const seen = cond.waitFor(() => ready.get());
      waiting.resolve();
      return seen;
    }));
    await waiting.promise;
    await expect.poll(async () => ((await manager.debugInfo()).objects.find((o) => o.id === cond.id)!.state.waiting as string[]).length).toBe(1);
    // This task does not hold the lock: Python's RuntimeError, as for a thread that does not.
    await expectRemoteError(cond.notify(), RuntimeError, 'cannot notify on un-acquired lock');
    await expectRemoteError(cond.wait({ timeout: 0 }), RuntimeError, 'cannot wait on un-acquired lock');
    await cond.withLock(async () => {
      await ready.set(1);
      await cond.notifyAll();
    });
    expect(await waiter).toBe(1);
  });
});

describe('a process lost while holding releases its loans', () => {
  const kinds = {
    Lock: (manager: Manager) => manager.lock(),
    RLock: (manager: Manager) => manager.rlock(),
    BoundedSemaphore: (manager: Manager) => manager.boundedSemaphore(1),
    Condition: (manager: Manager) => manager.condition(),
  };
  for (const [kind, make] of Object.entries(kinds)) {
    it(`a ${kind}: SIGKILLed, it goes to the waiter`, async () => {
      await using manager = await startManager();
      using lock = await make(manager);
      using held = await manager.event();
      const child = new Process({ target: holdLock, args: [lock, held], module: syncChildren });
      await child.start();
      expect(await held.wait({ timeout: 10 })).toBe(true);
      const waiting = lock.acquire({ timeout: 10 });
      await killAndReap(child);
      expect(await waiting).toBe(true);
      await lock.release();
    });
  }
});

describe('a process that ends normally keeps what it holds, as in Python', () => {
  it('a Lock stays held after its acquirer exits, and another process releases it to a waiter', async () => {
    await using manager = await startManager();
    using lock = await manager.lock();
    const acquirer = new Process({ target: acquireAndExit, args: [lock], module: children });
    await acquirer.start();
    await acquirer.join({ timeout: 10 });
    expect(acquirer.exitCode).toBe(0);
    await othersGone(manager);
    expect(await lock.locked()).toBe(true);
    const waiting = lock.acquire({ timeout: 10 });
    const releaser = new Process({ target: releaseLock, args: [lock], module: children });
    await releaser.start();
    await releaser.join({ timeout: 10 });
    expect(releaser.exitCode).toBe(0);
    expect(await waiting).toBe(true);
    await lock.release();
  });

  it('process.exit() is an end on purpose: the Lock stays held; a crash is not: it is released', async () => {
    await using manager = await startManager();
    using lock = await manager.lock();
    const exiting = new Process({ target: acquireAndCallExit, args: [lock], module: children });
    await exiting.start();
    await exiting.join({ timeout: 10 });
    expect(exiting.exitCode).toBe(0);
    await othersGone(manager);
    expect(await lock.locked()).toBe(true);
    await lock.release();
    const crashing = new Process({ target: acquireAndCrash, args: [lock], module: children });
    await crashing.start();
    await crashing.join({ timeout: 10 });
    expect(crashing.exitCode).toBe(1);
    expect(await lock.acquire({ timeout: 10 })).toBe(true);
    await lock.release();
  });

  it('BoundedSemaphore permits stay taken after their taker exits', async () => {
    await using manager = await startManager();
    using sem = await manager.boundedSemaphore(2);
    const taker = new Process({ target: acquireAndExit, args: [sem], module: children });
    await taker.start();
    await taker.join({ timeout: 10 });
    expect(taker.exitCode).toBe(0);
    await othersGone(manager);
    expect(await sem.acquire({ blocking: false })).toBe(true);
    expect(await sem.acquire({ blocking: false })).toBe(false);
    await sem.release(2);
    await expectRemoteError(sem.release(), ValueError, 'Semaphore released too many times');
  });
});

describe('a Semaphore counting items: a gone consumer never hands its item back', () => {
  it('a consumer that exits normally, and one SIGKILLed, leave the count at what remains', async () => {
    await using manager = await startManager();
    using items = await manager.semaphore(0);
    using queue = await manager.list<string>();
    using out = await manager.list<string>();
    using took = await manager.event();
    const produce = async (item: string) => {
      await queue.append(item);
      await items.release();
    };
    await produce('one');
    await produce('two');
    const exits = new Process({ target: consumeOneAndExit, args: [items, queue, out], module: children });
    await exits.start();
    await exits.join({ timeout: 10 });
    expect(exits.exitCode).toBe(0);
    const killed = new Process({ target: consumeOneAndHang, args: [items, queue, out, took], module: children });
    await killed.start();
    expect(await took.wait({ timeout: 10 })).toBe(true);
    await killAndReap(killed);
    await othersGone(manager);
    expect((await out.copy()).sort()).toEqual(['one', 'two']);
    // No permit without an item: the next consumer waits instead of popping an empty list.
    expect(await items.acquire({ blocking: false })).toBe(false);
    await produce('three');
    expect(await items.acquire({ blocking: false })).toBe(true);
    expect(await queue.pop(0)).toBe('three');
  });
});

describe('a Barrier and a gone party', () => {
  it('a waiting party SIGKILLed breaks it for the others, until reset', async () => {
    await using manager = await startManager();
    using barrier = await manager.barrier(3);
    using out = await manager.list<string>();
    const first = new Process({ target: waitAtBarrierExpectBroken, args: [barrier, out], module: syncChildren });
    const doomed = new Process({ target: waitAtBarrierExpectBroken, args: [barrier, out], module: syncChildren });
    await first.start();
    await doomed.start();
    await expect.poll(() => barrier.nWaiting()).toBe(2);
    await killAndReap(doomed);
    await first.join({ timeout: 10 });
    expect(first.exitCode).toBe(0);
    expect(await out.copy()).toEqual(['BrokenBarrierError']);
    expect(await barrier.broken()).toBe(true);
    expect(await rejection(barrier.wait({ timeout: 1 }))).toBeInstanceOf(BrokenBarrierError);
    await barrier.reset();
    expect(await barrier.broken()).toBe(false);
  });

  it('a party that ends normally while it waits gives its place back: the barrier stays whole', async () => {
    await using manager = await startManager();
    using barrier = await manager.barrier(2);
    using waiting = await manager.event();
    const leaver = new Process({ target: leaveBarrierWhileWaiting, args: [barrier, waiting], module: children });
    await leaver.start();
    expect(await waiting.wait({ timeout: 10 })).toBe(true);
    await leaver.join({ timeout: 10 });
    expect(leaver.exitCode).toBe(0);
    await othersGone(manager);
    expect(await barrier.broken()).toBe(false);
    expect(await barrier.nWaiting()).toBe(0);
    const indexes = await Promise.all([barrier.wait({ timeout: 10 }), barrier.wait({ timeout: 10 })]);
    expect(indexes.sort()).toEqual([0, 1]);
  });
});
