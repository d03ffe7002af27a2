import { describe, expect, it } from 'vitest';
import { BrokenBarrierError } from '@mpts/proxy/wire';
import { BarrierServant, RUN_ACTION } from '../../src/servants/barrier-servant.js';
import { as, client, goAway, settle, track } from './sessions.js';

describe('BarrierServant and gone parties', () => {
  it('a party lost while it waits breaks the barrier for every other waiter, until reset', async () => {
    const barrier = new BarrierServant(3);
    const [a, doomed, c] = [client(), client(), client()];
    const first = track(a, () => barrier.wait());
    track(doomed, () => barrier.wait());
    expect(doomed.holdings.has(barrier)).toBe(true);
    goAway(doomed, true);
    await settle();
    expect(first.settled.error).toBeInstanceOf(BrokenBarrierError);
    expect(barrier.broken()).toBe(true);
    expect(() => as(c, () => barrier.wait())).toThrow(BrokenBarrierError);
    as(c, () => barrier.reset());
    expect(barrier.broken()).toBe(false);
    expect(a.holdings.has(barrier)).toBe(false);
  });

  it('a party that closes cleanly while it waits gives its place back: the barrier stays whole', async () => {
    const barrier = new BarrierServant(3);
    const [a, leaver, b, c] = [client(), client(), client(), client()];
    const first = track(a, () => barrier.wait());
    track(leaver, () => barrier.wait());
    goAway(leaver, false);
    await settle();
    expect(barrier.broken()).toBe(false);
    expect(barrier.nWaiting()).toBe(1);
    const second = track(b, () => barrier.wait());
    expect(as(c, () => barrier.wait())).toBe(2);
    await settle();
    expect([first.settled.value, second.settled.value]).toEqual([0, 1]);
  });

  it('a lost client that has no party waiting does not break it', async () => {
    const barrier = new BarrierServant(2);
    const [a, b, bystander] = [client(), client(), client()];
    const first = track(a, () => barrier.wait());
    expect(as(b, () => barrier.wait())).toBe(1);
    await settle();
    expect(first.settled.value).toBe(0);
    expect(a.holdings.has(barrier)).toBe(false);
    goAway(a, true);
    goAway(bystander, true);
    barrier.clientGone(bystander, true);
    expect(barrier.broken()).toBe(false);
  });

  it('a party lost after the barrier tripped, while the action runs, does not break it', async () => {
    const barrier = new BarrierServant(2, true);
    const [doomed, runner] = [client(), client()];
    track(doomed, () => barrier.wait());
    expect(as(runner, () => barrier.wait())).toBe(RUN_ACTION);
    goAway(doomed, true);
    expect(barrier.broken()).toBe(false);
    expect(as(runner, () => barrier.actionDone(true))).toBe(1);
  });

  it('the caller running the action breaks it if it goes away, cleanly or not', async () => {
    for (const lost of [true, false]) {
      const barrier = new BarrierServant(2, true);
      const [a, runner] = [client(), client()];
      const first = track(a, () => barrier.wait());
      expect(as(runner, () => barrier.wait())).toBe(RUN_ACTION);
      goAway(runner, lost);
      await settle();
      expect(first.settled.error).toBeInstanceOf(BrokenBarrierError);
      expect(barrier.broken()).toBe(true);
    }
  });

  it('a timed-out or cancelled party leaves nothing behind', async () => {
    const barrier = new BarrierServant(3);
    const a = client();
    const timedOut = track(a, () => barrier.wait(0));
    await timedOut.promise.catch(() => {});
    expect(timedOut.settled.error).toBeInstanceOf(BrokenBarrierError);
    expect(a.holdings.has(barrier)).toBe(false);
    barrier.reset();
    const cancelled = track(a, () => barrier.wait());
    for (const wait of a.waits.values()) wait.cancel();
    await settle();
    expect(cancelled.settled.done).toBe(true);
    expect(a.holdings.has(barrier)).toBe(false);
    expect(barrier.broken()).toBe(false);
  });
});
