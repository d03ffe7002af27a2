import { describe, expect, it } from 'vitest';
import { DictProxy, QueueEmpty, QueueFull, RemoteError, ValueError, type Manager } from '@mpts/manager';
import { Connection } from '@mpts/proxy/wire';
import { serveManager, waitFor, rejection } from '../helpers.js';

function otherClient(manager: Manager): Connection {
  return new Connection(manager.address, { authkey: manager.authkey });
}

async function waiters(manager: Manager): Promise<number> {
  return (await manager.debugInfo()).clients.reduce((sum, client) => sum + client.waiting, 0);
}

// Expected results are CPython 3.11's for manager.Queue(maxsize).
describe('Queue', () => {
  it('put and get in FIFO order; qsize, empty, full', async () => {
    await using manager = await serveManager();
    using q = await manager.queue<unknown>(2);
    expect(await q.empty()).toBe(true);
    expect(await q.full()).toBe(false);
    await q.put('a');
    await q.putNowait({ b: [1] });
    expect(await q.qsize()).toBe(2);
    expect(await q.full()).toBe(true);
    expect(await q.empty()).toBe(false);
    expect(await q.get()).toBe('a');
    expect(await q.getNowait()).toEqual({ b: [1] });
    expect(await q.qsize()).toBe(0);
  });

  it('raises QueueEmpty and QueueFull (with no message) for non-blocking and timed-out calls', async () => {
    await using manager = await serveManager();
    using q = await manager.queue(1);
    const empty = await rejection(q.getNowait());
    expect(empty).toBeInstanceOf(QueueEmpty);
    expect(empty.message).toBe('');
    expect((empty as QueueEmpty).remoteStack).toBeTypeOf('string');
    expect(await rejection(q.get({ block: false }))).toBeInstanceOf(QueueEmpty);
    expect(await rejection(q.get({ timeout: 0.1 }))).toBeInstanceOf(QueueEmpty);
    expect(await rejection(q.get({ timeout: 0 }))).toBeInstanceOf(QueueEmpty);
    await q.put(1);
    expect(await rejection(q.putNowait(2))).toBeInstanceOf(QueueFull);
    expect(await rejection(q.put(2, { block: false }))).toBeInstanceOf(QueueFull);
    const full = await rejection(q.put(2, { timeout: 0.1 }));
    expect(full).toBeInstanceOf(QueueFull);
    expect(full.message).toBe('');
    expect(await q.qsize()).toBe(1);
    expect(await q.get()).toBe(1);
    expect(await waiters(manager)).toBe(0);
  });

  it("refuses a negative timeout with Python's ValueError, but ignores the timeout of a non-blocking call", async () => {
    await using manager = await serveManager();
    using q = await manager.queue(1);
    const negative = await rejection(q.get({ timeout: -1 }));
    expect(negative).toBeInstanceOf(ValueError);
    expect(negative.message).toBe("'timeout' must be a non-negative number");
    expect((await rejection(q.put(1, { timeout: -1 }))).message).toBe("'timeout' must be a non-negative number");
    expect(await rejection(q.get({ block: false, timeout: -1 }))).toBeInstanceOf(QueueEmpty);
  });

  it('hands a put item to a blocked get, and lets a blocked put in when a get makes room', async () => {
    await using manager = await serveManager();
    using q = await manager.queue<string>(1);
    const other = otherClient(manager);
    try {
      const got = q.get();
      await waitFor(async () => (await waiters(manager)) === 1);
      await other.call(q.id, 'put', ['x', true, null]);
      expect(await got).toBe('x');

      await q.put('first');
      const blockedPut = other.call(q.id, 'put', ['second', true, 5]);
      await waitFor(async () => (await waiters(manager)) === 1);
      expect(await q.qsize()).toBe(1);
      expect(await q.get()).toBe('first');
      await blockedPut;
      expect(await q.get()).toBe('second');
    } finally {
      await other.close();
    }
  });

  it('is unbounded when maxsize <= 0', async () => {
    await using manager = await serveManager();
    using q = await manager.queue<number>(-1);
    await Promise.all(Array.from({ length: 100 }, (_, i) => q.putNowait(i)));
    expect(await q.qsize()).toBe(100);
    expect(await q.full()).toBe(false);
    const items: number[] = [];
    for await (const item of q) {
      items.push(item);
      if (items.length === 100) break;
    }
    expect(items).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('an aborted get never takes an item later', async () => {
    await using manager = await serveManager();
    using q = await manager.queue<string>();
    const controller = new AbortController();
    const waiting = q.get({ signal: controller.signal });
    await waitFor(async () => (await waiters(manager)) === 1);
    controller.abort(new Error('stop'));
    expect((await rejection(waiting)).message).toBe('stop');
    await q.put('kept');
    expect(await q.qsize()).toBe(1);
    expect(await q.get()).toBe('kept');
  });

  it('a get whose client went away leaves the item for the next getter', async () => {
    await using manager = await serveManager();
    using q = await manager.queue<string>();
    const other = otherClient(manager);
    const lost = other.call(q.id, 'get', [true, null]);
    lost.catch(() => {});
    await waitFor(async () => (await waiters(manager)) === 1);
    other.destroy();
    await waitFor(async () => (await waiters(manager)) === 0);
    await q.put('item');
    expect(await q.get({ timeout: 5 })).toBe('item');
  });

  it('carries proxies: a queued shared object stays alive and comes out as a live proxy', async () => {
    await using manager = await serveManager();
    using q = await manager.queue<unknown>();
    const baseline = await manager.numberOfObjects();
    {
      using d = await manager.dict<string, number>({ a: 1 });
      await q.put({ payload: d });
    }
    // Our proxy is released and collected now if nothing else held the dict: the queue does.
    expect(await manager.numberOfObjects()).toBe(baseline + 1);
    const { payload } = (await q.get()) as { payload: DictProxy<string, number> };
    expect(payload).toBeInstanceOf(DictProxy);
    expect(await payload.getItem('a')).toBe(1);
    payload.releaseProxy();
    expect(await manager.numberOfObjects()).toBe(baseline);
  });

  it('refuses a method outside the exposed list', async () => {
    await using manager = await serveManager();
    using q = await manager.queue();
    expect(await rejection(q.callMethod('nope'))).toBeInstanceOf(RemoteError);
  });
});

describe('JoinableQueue', () => {
  it('taskDone counts down to join; too many is a ValueError', async () => {
    await using manager = await serveManager();
    using q = await manager.joinableQueue<number>();
    await q.join();
    await q.put(1);
    await q.put(2);
    let joined = false;
    const joining = q.join().then(() => (joined = true));
    await q.get();
    await q.taskDone();
    await q.get();
    expect(joined).toBe(false);
    await q.taskDone();
    await joining;
    expect(joined).toBe(true);
    const error = await rejection(q.taskDone());
    expect(error).toBeInstanceOf(ValueError);
    expect(error.message).toBe('task_done() called too many times');
  });
});
