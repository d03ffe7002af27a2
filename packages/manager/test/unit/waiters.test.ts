import { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CancelledError, messages, ValueError } from '@mpts/proxy/wire';
import { runAsCall } from '../../src/call-context.js';
import { ClientSession } from '../../src/client-session.js';
import { lockTimeout, WaitQueue } from '../../src/waiters.js';

const sockets: Socket[] = [];
function client(): ClientSession {
  const socket = new Socket();
  sockets.push(socket);
  return new ClientSession(socket);
}

let nextRequest = 1;
/** A blocking call of `who`, waiting in `queue` as a servant method would make it wait. */
function wait<T>(queue: WaitQueue<T>, who: ClientSession, timeout: number | null, onTimeout: () => T = () => 'timed out' as T) {
  const requestId = nextRequest++;
  const promise = runAsCall({ client: who, requestId }, () => queue.wait(timeout, onTimeout));
  const settled: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(settled, { value, done: true }),
    (error) => Object.assign(settled, { error, done: true }),
  );
  return { requestId, promise, settled };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  for (const socket of sockets.splice(0)) socket.destroy();
});

describe('WaitQueue', () => {
  it('grants waiters in arrival order', async () => {
    const queue = new WaitQueue<string>();
    const [a, b] = [client(), client()];
    const waits = [wait(queue, a, null), wait(queue, b, null), wait(queue, a, null)];
    expect(queue.size).toBe(3);
    expect(queue.all().map((w) => w.requestId)).toEqual(waits.map((w) => w.requestId));
    expect(a.waits.size).toBe(2);
    const order: number[] = [];
    while (queue.first() !== undefined) {
      const first = queue.first()!;
      order.push(first.requestId);
      first.grant(`item ${order.length}`);
    }
    expect(order).toEqual(waits.map((w) => w.requestId));
    expect(await Promise.all(waits.map((w) => w.promise))).toEqual(['item 1', 'item 2', 'item 3']);
    expect(a.waits.size + b.waits.size).toBe(0);
  });

  it('a wait that times out replies what onTimeout returns, or rejects with what it throws', async () => {
    const queue = new WaitQueue<unknown>();
    const who = client();
    const returns = wait(queue, who, 2, () => false);
    const throws = wait(queue, who, 3, () => {
      throw new ValueError('empty');
    });
    const forever = wait(queue, who, null);
    await vi.advanceTimersByTimeAsync(1999);
    expect(returns.settled.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(returns.settled).toMatchObject({ done: true, value: false });
    await vi.advanceTimersByTimeAsync(1000);
    expect(throws.settled.error).toBeInstanceOf(ValueError);
    expect(queue.all()).toEqual([who.waits.get(forever.requestId)]);
    await vi.advanceTimersByTimeAsync(10 ** 9);
    expect(forever.settled.done).toBe(false);
  });

  it('a granted waiter cannot time out afterwards, and a timed-out one cannot be granted', async () => {
    const queue = new WaitQueue<string>();
    const who = client();
    let timeouts = 0;
    const granted = wait(queue, who, 1, () => {
      timeouts++;
      return 'timed out';
    });
    const waiter = queue.first()!;
    waiter.grant('granted');
    await vi.advanceTimersByTimeAsync(5000);
    expect(await granted.promise).toBe('granted');
    expect(timeouts).toBe(0);

    const late = wait(queue, who, 1);
    const lateWaiter = queue.first()!;
    await vi.advanceTimersByTimeAsync(1000);
    lateWaiter.grant('too late');
    lateWaiter.fail(new Error('too late'));
    expect(await late.promise).toBe('timed out');
    expect(queue.size).toBe(0);
  });

  it('a wait longer than setTimeout can hold does not end early', async () => {
    const queue = new WaitQueue<string>();
    const who = client();
    const days = 30;
    const long = wait(queue, who, days * 86400);
    await vi.advanceTimersByTimeAsync(25 * 86400 * 1000);
    expect(long.settled.done).toBe(false);
    await vi.advanceTimersByTimeAsync(5 * 86400 * 1000 - 1);
    expect(long.settled.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(long.settled.value).toBe('timed out');
  });

  it('cancel rejects with CancelledError and frees the place in line', async () => {
    const queue = new WaitQueue<string>();
    const [a, b] = [client(), client()];
    const first = wait(queue, a, 10);
    const second = wait(queue, b, null);
    a.waits.get(first.requestId)!.cancel();
    await expect(first.promise).rejects.toBeInstanceOf(CancelledError);
    expect(a.waits.size).toBe(0);
    expect(queue.first()!.requestId).toBe(second.requestId);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(second.settled.done).toBe(false);
  });

  it("a closed client's waiters are dropped without a reply, and skipped by first()", async () => {
    const queue = new WaitQueue<string>();
    const [gone, alive] = [client(), client()];
    const dropped = wait(queue, gone, 1);
    const skipped = wait(queue, gone, null);
    const next = wait(queue, alive, null);
    // As the server does when a connection closes.
    gone.closed = true;
    gone.waits.get(dropped.requestId)!.drop();
    expect(queue.size).toBe(2);
    expect(queue.first()!.requestId).toBe(next.requestId);
    expect(queue.size).toBe(1);
    expect(gone.waits.size).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(dropped.settled.done).toBe(false);
    expect(skipped.settled.done).toBe(false);
  });

  it('needs a call context', () => {
    expect(() => new WaitQueue().wait(null, () => null)).toThrow(/outside a servant call/);
  });
});

describe("lockTimeout follows Lock.acquire's rules", () => {
  it('turns -1 and None into forever and refuses what Python refuses', () => {
    expect(lockTimeout(true, -1, 'x')).toBeNull();
    expect(lockTimeout(true, null, 'x')).toBeNull();
    expect(lockTimeout(false, undefined, 'x')).toBeNull();
    expect(lockTimeout(true, 0.5, 'x')).toBe(0.5);
    expect(() => lockTimeout(false, 1, "can't specify a timeout for a non-blocking call")).toThrow(
      new ValueError("can't specify a timeout for a non-blocking call"),
    );
    expect(() => lockTimeout(true, -2, 'x')).toThrow(new ValueError(messages.timeoutNegative));
    expect(() => lockTimeout(true, 'soon', 'x')).toThrow(TypeError);
  });
});
