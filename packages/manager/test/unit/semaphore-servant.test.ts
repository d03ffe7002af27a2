import { describe, expect, it } from 'vitest';
import { ValueError } from '@mpts/proxy/wire';
import { BoundedSemaphoreServant, SemaphoreServant } from '../../src/servants/semaphore-servant.js';
import { as, client, goAway, settle, track } from './sessions.js';

describe('SemaphoreServant: permits are a counter, never given back for a gone client', () => {
  for (const lost of [true, false]) {
    it(`a Semaphore(0) counting items: a consumer that ${lost ? 'is lost' : 'closes cleanly'} does not hand its item back`, async () => {
      const items = new SemaphoreServant(0);
      const [producer, consumer, next] = [client(), client(), client()];
      as(producer, () => items.release());
      as(producer, () => items.release());
      expect(as(consumer, () => items.acquire())).toBe(true);
      expect(as(consumer, () => items.acquire())).toBe(true);
      const waiting = track(next, () => items.acquire());
      goAway(consumer, lost);
      await settle();
      expect(waiting.settled.done).toBe(false);
      expect(items.str()).toMatch(/^<threading\.Semaphore at 0x[0-9a-f]+: value=0>$/);
      // Its record is forgotten: nothing of the gone client lingers.
      expect(items.debugState().holders).toEqual({});
      as(producer, () => items.release());
      await settle();
      expect(waiting.settled).toEqual({ done: true, value: true });
    });
  }
});

describe('BoundedSemaphoreServant: permits are a loan', () => {
  it("a lost client's permits go back, to the longest waiters", async () => {
    const sem = new BoundedSemaphoreServant(2);
    const [doomed, waiter] = [client(), client()];
    as(doomed, () => sem.acquire());
    as(doomed, () => sem.acquire());
    const first = track(waiter, () => sem.acquire());
    goAway(doomed, true);
    await settle();
    expect(first.settled).toEqual({ done: true, value: true });
    expect(sem.str()).toMatch(/^<threading\.BoundedSemaphore at 0x[0-9a-f]+: value=1\/2>$/);
    expect(sem.debugState().holders).toEqual({ [waiter.label]: 1 });
  });

  it('a client that closed cleanly keeps its permits out, until another releases them', async () => {
    const sem = new BoundedSemaphoreServant(1);
    const [owner, waiter, other] = [client(), client(), client()];
    as(owner, () => sem.acquire());
    const waiting = track(waiter, () => sem.acquire());
    goAway(owner, false);
    await settle();
    expect(waiting.settled.done).toBe(false);
    as(other, () => sem.release());
    await settle();
    expect(waiting.settled).toEqual({ done: true, value: true });
  });

  it("a release after a clean close is counted against the gone client's permits, not a live holder's", () => {
    const sem = new BoundedSemaphoreServant(2);
    const [leaver, holder, releaser] = [client(), client(), client()];
    as(leaver, () => sem.acquire());
    goAway(leaver, false);
    as(holder, () => sem.acquire());
    as(releaser, () => sem.release());
    expect(sem.debugState().holders).toEqual({ [holder.label]: 1 });
    // So when the live holder is lost, its one permit comes back and the bound still holds.
    goAway(holder, true);
    expect(sem.str()).toMatch(/^<threading\.BoundedSemaphore at 0x[0-9a-f]+: value=2\/2>$/);
    expect(() => as(releaser, () => sem.release())).toThrow(new ValueError('Semaphore released too many times'));
  });
});
