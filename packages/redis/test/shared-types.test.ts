import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AttributeError,
  BrokenBarrierError,
  IndexError,
  KeyError,
  MemoryError,
  OverflowError,
  QueueEmpty,
  QueueFull,
  RemoteError,
  RuntimeError,
  ValueError,
  fromToken,
  runAsTask,
  toToken,
  type AcquirerProxy,
  type DictProxy,
  type Manager,
} from '@mpts/manager';
import { runFixture } from './child.js';
import { managerBackend, redisBackend, type Backend } from './backends.js';
import { redisSkipReason } from './redis-server.js';

/** Rejects with an error of class `kind` and exactly `message`, as Python raises it. */
async function raises(call: Promise<unknown>, kind: new (...args: never[]) => Error, message: string): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(kind);
  expect((error as Error).message).toBe(message);
}

const backends: Backend[] = [managerBackend(), redisBackend()];

describe.each(backends)('shared types on the $name backend', (backend) => {
  const skip = backend.name === 'redis' && redisSkipReason !== undefined;
  afterAll(() => backend.close());

  async function withManager(body: (manager: Manager) => Promise<void>): Promise<void> {
    const manager = await backend.open();
    try {
      await body(manager);
    } finally {
      await manager.shutdown();
    }
  }

  it.skipIf(skip)('dict: items keep insertion order, 1 and True are one key, KeyError carries the key\'s repr', () =>
    withManager(async (manager) => {
      const d = await manager.dict<unknown, unknown>([['a', 1], [1, 'one']]);
      await d.setItem(true, 'true');
      await d.setItem([1, 2], 'tuple');
      expect(await d.len()).toBe(3);
      expect(await d.getItem(1)).toBe('true');
      expect(await d.keys()).toEqual(['a', 1, [1, 2]]);
      expect(await d.getItem([1, 2])).toBe('tuple');
      expect(await d.contains('b')).toBe(false);
      expect(await d.get('b', 'fallback')).toBe('fallback');
      await raises(d.getItem('b'), KeyError, "'b'");
      await raises(d.delItem(2), KeyError, '2');
      await raises(d.setItem(new Map() as never, 1), TypeError, "unhashable type: 'dict'");
      expect(await d.setdefault('s', 5)).toBe(5);
      expect(await d.setdefault('s', 6)).toBe(5);
      expect(await d.popitem()).toEqual(['s', 5]);
      expect(await d.pop('a')).toBe(1);
      expect(await d.pop('a', null)).toBe(null);
      expect(await d.str()).toBe("{1: 'true', (1, 2): 'tuple'}");
      const seen: unknown[] = [];
      for await (const key of d) seen.push(key);
      expect(seen).toEqual([1, [1, 2]]);
      const iterator = await d.iter();
      expect(await iterator.next()).toEqual({ done: false, value: 1 });
      await d.setItem('new', 0);
      await raises(iterator.next(), RuntimeError, 'dictionary changed size during iteration');
      await raises(iterator.next(), RuntimeError, 'dictionary changed size during iteration');
      iterator.releaseProxy();
      await d.delItem('new');
      await d.clear();
      await raises(d.popitem(), KeyError, 'popitem(): dictionary is empty');
      d.releaseProxy();
    }));

  it.skipIf(skip)('list: indexing, insert, pop, remove and index by Python\'s rules and messages', () =>
    withManager(async (manager) => {
      const l = await manager.list<unknown>([1, 2, 3]);
      await l.append(4);
      await l.extend([5, 6]);
      expect(await l.getItem(-1)).toBe(6);
      await raises(l.getItem(10), IndexError, 'list index out of range');
      await raises(l.setItem(10, 0), IndexError, 'list assignment index out of range');
      await l.insert(1, 'x');
      await l.insert(-100, 'first');
      await l.insert(100, 'last');
      expect(await l.copy()).toEqual(['first', 1, 'x', 2, 3, 4, 5, 6, 'last']);
      expect(await l.pop()).toBe('last');
      expect(await l.pop(0)).toBe('first');
      expect(await l.pop(1)).toBe('x');
      await raises(l.pop(10), IndexError, 'pop index out of range');
      await l.remove(true);
      expect(await l.index(3)).toBe(1);
      await raises(l.index(99), ValueError, '99 is not in list');
      await raises(l.remove(99), ValueError, 'list.remove(x): x not in list');
      expect(await l.count(2.0)).toBe(1);
      await l.reverse();
      expect(await l.copy()).toEqual([6, 5, 4, 3, 2]);
      expect(await l.getSlice(1, 3)).toEqual([5, 4]);
      await l.delItem(0);
      expect(await l.len()).toBe(4);
      await l.clear();
      await raises(l.pop(), IndexError, 'pop from empty list');
      l.releaseProxy();
    }));

  it.skipIf(skip)('list: sort, slice assignment and deletion by Python\'s rules and messages', () =>
    withManager(async (manager) => {
      const numbers = await manager.list<unknown>([3, 1.5, true, 10n, -5]);
      await numbers.sort();
      expect(await numbers.copy()).toEqual([-5, true, 1.5, 3, 10n]);
      await numbers.sort({ reverse: true });
      expect(await numbers.copy()).toEqual([10n, 3, 1.5, true, -5]);
      const words = await manager.list(['b', 'é', 'a', 'B']);
      await words.sort();
      expect(await words.copy()).toEqual(['B', 'a', 'b', 'é']);
      const mixed = await manager.list<unknown>([3, 'a']);
      await raises(mixed.sort(), TypeError, "'<' not supported between instances of 'str' and 'int'");
      expect(await mixed.copy()).toEqual([3, 'a']);

      const l = await manager.list<unknown>([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      await l.setSlice(1, 3, ['a', 'b', 'c']);
      expect(await l.copy()).toEqual([0, 'a', 'b', 'c', 3, 4, 5, 6, 7, 8, 9]);
      await raises(l.setSlice(null, null, 2, [1, 2]), ValueError, 'attempt to assign sequence of size 2 to extended slice of size 6');
      await l.setSlice(null, null, -3, ['x', 'y', 'z', 'w']);
      expect(await l.copy()).toEqual([0, 'w', 'b', 'c', 'z', 4, 5, 'y', 7, 8, 'x']);
      await l.delSlice(null, null, 3);
      expect(await l.copy()).toEqual(['w', 'b', 'z', 4, 'y', 7, 'x']);
      await l.delSlice(-1, -6, -2);
      expect(await l.copy()).toEqual(['w', 'b', 4, 7]);
      await l.setSlice(100, null, [8, 9]);
      await l.setSlice(0, 2, []);
      await l.delSlice(1, 1);
      expect(await l.copy()).toEqual([4, 7, 8, 9]);
      await l.setSlice(null, null, ['only']);
      expect(await l.copy()).toEqual(['only']);
      await raises(l.delSlice(null, null, 0), ValueError, 'slice step cannot be zero');
      for (const proxy of [numbers, words, mixed, l]) proxy.releaseProxy();
    }));

  it.skipIf(skip)('list: repeat and *= with zero, negative and large counts by Python\'s rules and messages', () =>
    withManager(async (manager) => {
      const l = await manager.list<unknown>([1, 'a']);
      expect(await l.repeat(3)).toEqual([1, 'a', 1, 'a', 1, 'a']);
      expect(await l.repeat(0)).toEqual([]);
      expect(await l.repeat(-4)).toEqual([]);
      expect(await l.repeat(true as never)).toEqual([1, 'a']);
      expect(await l.repeat(-(2n ** 63n) as never)).toEqual([]);
      await raises(l.repeat(1.5), TypeError, "can't multiply sequence by non-int of type 'float'");
      await raises(l.repeat(2n ** 64n as never), OverflowError, "cannot fit 'int' into an index-sized integer");
      await raises(l.repeat(2 ** 25 + 1), MemoryError, "cannot make a list of 67108866 items: the manager's limit is 67108864 items");
      await raises(l.imul(2n ** 62n as never), MemoryError, "cannot make a list of 9223372036854775808 items: the manager's limit is 67108864 items");
      await raises(l.imul('2' as never), TypeError, "can't multiply sequence by non-int of type 'str'");
      expect(await l.copy()).toEqual([1, 'a']);
      await l.imul(3);
      expect(await l.copy()).toEqual([1, 'a', 1, 'a', 1, 'a']);
      await l.imul(1);
      expect(await l.len()).toBe(6);
      await l.imul(-1);
      expect(await l.copy()).toEqual([]);
      await l.imul(2n ** 62n as never);
      expect(await l.copy()).toEqual([]);
      const big = await manager.list<unknown>([7]);
      await big.imul(100_000);
      expect(await big.len()).toBe(100_000);
      expect(await big.getItem(-1)).toBe(7);
      expect((await big.repeat(2)).length).toBe(200_000);
      l.releaseProxy();
      big.releaseProxy();
    }));

  it.skipIf(skip)('list: slice writes, sort and *= racing appends lose nothing and apply once each', () =>
    withManager(async (manager) => {
      const l = await manager.list<number>(Array.from({ length: 40 }, (_, i) => i));
      await Promise.all([
        ...Array.from({ length: 20 }, () => l.delSlice(null, 1)),
        ...Array.from({ length: 20 }, (_, i) => l.setSlice(0, 0, [100 + i])),
        ...Array.from({ length: 20 }, (_, i) => l.append(200 + i)),
        l.sort(),
        l.sort({ reverse: true }),
      ]);
      expect(await l.len()).toBe(60);
      const before = await l.copy();
      // Twenty deleted, none duplicated, nothing that was never put in.
      expect(new Set(before).size).toBe(60);
      for (const x of before) expect(x < 40 || (x >= 100 && x < 120) || (x >= 200 && x < 220)).toBe(true);
      await Promise.all([l.imul(2), l.append(-1)]);
      // Either order, never a half-repeated list: l *= 2 then append, or append then l *= 2.
      expect([[...before, ...before, -1], [...before, -1, ...before, -1]]).toContainEqual(await l.copy());
      l.releaseProxy();
    }));

  it.skipIf(skip)('namespace and value: attributes, AttributeError, and add in one step', () =>
    withManager(async (manager) => {
      const ns = await manager.namespace<Record<string, unknown>>({ a: 1 });
      await ns.setattr('b', [1, 2]);
      expect(await ns.getattr('b')).toEqual([1, 2]);
      expect(await ns.snapshot()).toEqual({ a: 1, b: [1, 2] });
      await raises(ns.getattr('c'), AttributeError, "'Namespace' object has no attribute 'c'");
      await ns.delattr('a');
      await raises(ns.delattr('a'), AttributeError, "'Namespace' object has no attribute 'a'");
      const v = await manager.value('d', 1.5);
      expect(await v.add(0.25)).toBe(1.75);
      const counter = await manager.value<unknown>('x', 10n);
      await Promise.all(Array.from({ length: 20 }, () => counter.add(1)));
      expect(await counter.get()).toBe(30n);
      ns.releaseProxy();
      v.releaseProxy();
      counter.releaseProxy();
    }));

  it.skipIf(skip)('value: every typecode of Python\'s array keeps its range, with Python\'s OverflowError and TypeError', () =>
    withManager(async (manager) => {
      // Python's array.array(code, [x]) messages just past each end of the range.
      const ranges: [string, bigint, bigint, string, string][] = [
        ['b', -128n, 127n, 'signed char is less than minimum', 'signed char is greater than maximum'],
        ['B', 0n, 255n, 'unsigned byte integer is less than minimum', 'unsigned byte integer is greater than maximum'],
        ['h', -(2n ** 15n), 2n ** 15n - 1n, 'signed short integer is less than minimum', 'signed short integer is greater than maximum'],
        ['H', 0n, 2n ** 16n - 1n, 'unsigned short is less than minimum', 'unsigned short is greater than maximum'],
        ['i', -(2n ** 31n), 2n ** 31n - 1n, 'signed integer is less than minimum', 'signed integer is greater than maximum'],
        ['I', 0n, 2n ** 32n - 1n, "can't convert negative value to unsigned int", 'unsigned int is greater than maximum'],
        ['l', -(2n ** 63n), 2n ** 63n - 1n, 'Python int too large to convert to C long', 'Python int too large to convert to C long'],
        ['L', 0n, 2n ** 64n - 1n, "can't convert negative value to unsigned int", 'Python int too large to convert to C unsigned long'],
        ['q', -(2n ** 63n), 2n ** 63n - 1n, 'int too big to convert', 'int too big to convert'],
        ['Q', 0n, 2n ** 64n - 1n, "can't convert negative int to unsigned", 'int too big to convert'],
      ];
      for (const [code, min, max, tooSmall, tooLarge] of ranges) {
        const wide = max > 2n ** 32n;
        const v = await manager.value<unknown>(code, 7);
        expect(await v.get()).toBe(wide ? 7n : 7);
        await v.set(max);
        expect(await v.get()).toBe(wide ? max : Number(max));
        await raises(v.set(max + 1n), OverflowError, tooLarge);
        await raises(v.add(1), OverflowError, tooLarge);
        expect(await v.get()).toBe(wide ? max : Number(max));
        await v.set(min);
        await raises(v.set(min - 1n), OverflowError, tooSmall);
        await raises(v.set('x'), TypeError, "'str' object cannot be interpreted as an integer");
        await raises(v.set(1.5), TypeError, "'float' object cannot be interpreted as an integer");
        await raises(manager.value(code, max + 1n), RemoteError, `OverflowError: ${tooLarge}`);
        v.releaseProxy();
      }
      const f = await manager.value<unknown>('f', 2);
      expect(await f.get()).toBe(2);
      expect(await f.add(0.5)).toBe(2.5);
      await raises(f.set('x'), TypeError, 'must be real number, not str');
      await raises(f.add(1n), TypeError, "unsupported operand type(s) for +=: 'float' and 'int'");
      expect(await f.str()).toBe("Value('f', 2.5)");
      const i = await manager.value<number>('i', 5);
      expect(await i.add(-10)).toBe(-5);
      expect(await i.str()).toBe("Value('i', -5)");
      expect(await i.getValue()).toBe(-5);
      // A typecode array does not know holds anything, as Python's manager does.
      const c = await manager.value<unknown>('c', 'text');
      expect(await c.get()).toBe('text');
      f.releaseProxy();
      i.releaseProxy();
      c.releaseProxy();
    }));

  it.skipIf(skip)('value: adds from two processes at once lose no update', () =>
    withManager(async (manager) => {
      const v = await manager.value<number>('i', 0);
      const authkey = backend.name === 'manager' ? manager.authkey.toString('base64') : '';
      const args = [manager.address, authkey, JSON.stringify(toToken(v)), '200'];
      await using first = runFixture('value-adder', args);
      await using second = runFixture('value-adder', args);
      expect([await first.nextLine(), await second.nextLine()]).toEqual(['ready', 'ready']);
      first.send('go');
      second.send('go');
      expect([await first.nextLine(), await second.nextLine()]).toEqual(['done', 'done']);
      expect([await first.exited, await second.exited]).toEqual([[0, null], [0, null]]);
      expect(await v.get()).toBe(400);
      v.releaseProxy();
    }));

  it.skipIf(skip)('array: typecodes, index and slice reads and writes, Python\'s errors and repr', () =>
    withManager(async (manager) => {
      const a = await manager.array('h', [1, 2, 3, 4, 5]);
      expect(await a.len()).toBe(5);
      expect(await a.getItem(0)).toBe(1);
      expect(await a.getItem(-1)).toBe(5);
      expect(await a.getItem(4n as never)).toBe(5);
      await raises(a.getItem(5), IndexError, 'array index out of range');
      await raises(a.getItem(-6), IndexError, 'array index out of range');
      await raises(a.getItem(2n ** 70n as never), IndexError, "cannot fit 'int' into an index-sized integer");
      await raises(a.getItem('x' as never), TypeError, 'array indices must be integers');
      await raises(a.getItem(1.5), TypeError, 'array indices must be integers');
      await a.setItem(-5, 10);
      await a.setItem(1, -(2 ** 15));
      await raises(a.setItem(-6, 1), IndexError, 'array assignment index out of range');
      // The index is checked before the item, as in Python.
      await raises(a.setItem(9, 'x' as never), IndexError, 'array assignment index out of range');
      await raises(a.setItem(0, 2 ** 15), OverflowError, 'signed short integer is greater than maximum');
      await raises(a.setItem(0, 'x' as never), TypeError, "'str' object cannot be interpreted as an integer");
      expect(await a.copy()).toEqual([10, -(2 ** 15), 3, 4, 5]);
      expect(await a.getSlice(null, null, -2)).toEqual([5, 3, 10]);
      expect(await a.getSlice(-2)).toEqual([4, 5]);
      expect(await a.getSlice(4, 1, -1)).toEqual([5, 4, 3]);
      expect(await a.getSlice(1, 4, 2)).toEqual([-(2 ** 15), 4]);
      expect(await a.getSlice(10)).toEqual([]);
      await raises(a.getSlice(null, null, 0), ValueError, 'slice step cannot be zero');
      const seen: number[] = [];
      for await (const item of a) seen.push(item);
      expect(seen).toEqual([10, -(2 ** 15), 3, 4, 5]);
      expect(await a.str()).toBe("array('h', [10, -32768, 3, 4, 5])");
      expect(await a.getValue()).toEqual([10, -(2 ** 15), 3, 4, 5]);

      const zeros = await manager.array('d', 3);
      expect(await zeros.copy()).toEqual([0, 0, 0]);
      await zeros.setItem(2, 0.5);
      await raises(zeros.setItem(0, 'x' as never), TypeError, 'must be real number, not str');
      expect(await zeros.getSlice(1)).toEqual([0, 0.5]);
      const wide = await manager.array<bigint>('Q', [2n ** 64n - 1n]);
      expect(await wide.getItem(0)).toBe(2n ** 64n - 1n);
      await raises(wide.setItem(0, -1n), OverflowError, "can't convert negative int to unsigned");
      const longs = await manager.array<bigint>('q', 2);
      expect(await longs.copy()).toEqual([0n, 0n]);
      const text = await manager.array('u', ['a', '😀']);
      expect(await text.getItem(1)).toBe('😀');
      await raises(text.setItem(0, 'ab'), TypeError, 'array item must be unicode character');
      expect(await text.str()).toBe("array('u', 'a😀')");
      const nuls = await manager.array('u', 2);
      expect(await nuls.copy()).toEqual(['\0', '\0']);
      const empty = await manager.array('i');
      expect(await empty.len()).toBe(0);
      expect(await empty.str()).toBe("array('i')");
      await raises(empty.getItem(0), IndexError, 'array index out of range');

      await raises(manager.array('c', [1]), RemoteError, 'ValueError: bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)');
      await raises(manager.array('b', [128]), RemoteError, 'OverflowError: signed char is greater than maximum');
      await raises(manager.array('i', -1), RemoteError, 'ValueError: Array length must be >= 0, not -1');
      await raises(manager.array('i', 1.5), RemoteError, "TypeError: object of type 'float' has no len()");
      await raises(manager.array('i', 2 ** 26 + 1), RemoteError, "MemoryError: cannot make an array of 67108865 items: the manager's limit is 67108864 items");
      for (const proxy of [a, zeros, wide, longs, text, nuls, empty]) proxy.releaseProxy();
    }));

  it.skipIf(skip)('queue: FIFO, QueueEmpty and QueueFull, a timed get, taskDone and join', () =>
    withManager(async (manager) => {
      const q = await manager.joinableQueue<unknown>(2);
      await q.put('a');
      await q.put({ b: [1] });
      expect(await q.full()).toBe(true);
      await raises(q.put('c', { block: false }), QueueFull, '');
      await raises(q.put('c', { timeout: 0.05 }), QueueFull, '');
      expect(await q.qsize()).toBe(2);
      expect(await q.get()).toBe('a');
      expect(await q.get()).toEqual({ b: [1] });
      await raises(q.get({ block: false }), QueueEmpty, '');
      await raises(q.get({ timeout: 0.05 }), QueueEmpty, '');
      await raises(q.get({ timeout: -1 }), ValueError, "'timeout' must be a non-negative number");
      const joined = q.join();
      await q.taskDone();
      await q.taskDone();
      await joined;
      await raises(q.taskDone(), ValueError, 'task_done() called too many times');
      // A waiting get is served by the next put.
      const waiting = q.get();
      await q.put('later');
      expect(await waiting).toBe('later');
      q.releaseProxy();
    }));

  it.skipIf(skip)('queue: an aborted get rejects with the reason and never takes a later item', () =>
    withManager(async (manager) => {
      const q = await manager.queue<string>();
      const controller = new AbortController();
      const waiting = q.get({ signal: controller.signal });
      controller.abort(new Error('stop'));
      await expect(waiting).rejects.toThrow('stop');
      await q.put('kept');
      expect(await q.get({ block: false })).toBe('kept');
      q.releaseProxy();
    }));

  it.skipIf(skip)('queue: many puts and gets in flight keep FIFO order, each item once; calls of one turn apply in the order made', () =>
    withManager(async (manager) => {
      const q = await manager.queue<number>();
      const gets = Array.from({ length: 100 }, () => q.get());
      await Promise.all(Array.from({ length: 150 }, (_, i) => q.put(i)));
      expect(await Promise.all(gets)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(await q.qsize()).toBe(50);
      const more = Array.from({ length: 50 }, () => q.get({ block: false }));
      await raises(q.get({ block: false }), QueueEmpty, '');
      expect(await Promise.all(more)).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
      // Sent without waiting, in one turn: each sees the calls made before it, none after.
      const [emptyGet, , size] = [q.get({ block: false }), q.put(7), q.qsize()];
      await raises(emptyGet, QueueEmpty, '');
      expect(await size).toBe(1);
      // A get cancelled among waiting ones is never given an item; the others get them in order.
      const controller = new AbortController();
      const waiting = [q.get(), q.get({ signal: controller.signal }), q.get({ timeout: 0.05 }), q.get()];
      controller.abort(new Error('stop'));
      await expect(waiting[1]).rejects.toThrow('stop');
      await raises(waiting[2]!, QueueEmpty, '');
      await q.put(8);
      await q.put(9);
      expect(await Promise.all([waiting[0], waiting[3]])).toEqual([7, 8]);
      expect(await q.get({ block: false })).toBe(9);
      // Gets that leave while others' take is in flight, and gets made then: all served, in order.
      const aborts = [new AbortController(), new AbortController(), new AbortController()];
      const first = [q.get(), q.get(), ...aborts.map((c) => q.get({ signal: c.signal }))];
      const [later, sizeThen] = await new Promise<[Promise<number>[], Promise<number>]>((resolve) => process.nextTick(() => {
        for (const controller of aborts) controller.abort(new Error('left'));
        const gets = Array.from({ length: 4 }, () => q.get());
        resolve([gets, q.qsize()]);
      }));
      expect(await sizeThen).toBe(0);
      for (const aborted of first.slice(2)) await expect(aborted).rejects.toThrow('left');
      await Promise.all(Array.from({ length: 6 }, (_, i) => q.put(10 + i)));
      expect(await Promise.all([...first.slice(0, 2), ...later])).toEqual([10, 11, 12, 13, 14, 15]);
      // Puts of one turn on a bounded queue: the first fill it, the rest are refused in order.
      const bounded = await manager.queue<number>(2);
      const outcomes = await Promise.allSettled([1, 2, 3, 4].map((i) => bounded.put(i, { block: false })));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
      expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(QueueFull);
      const blocked = [5, 6].map((i) => bounded.put(i));
      expect([await bounded.get(), await bounded.get()]).toEqual([1, 2]);
      await Promise.all(blocked);
      expect([await bounded.get(), await bounded.get()].sort()).toEqual([5, 6]);
      bounded.releaseProxy();
      q.releaseProxy();
    }));

  it.skipIf(skip)('lock: FIFO hand-over, non-blocking and timed acquires, and Python\'s release errors', () =>
    withManager(async (manager) => {
      const lock = await manager.lock();
      expect(await lock.acquire()).toBe(true);
      expect(await lock.locked()).toBe(true);
      expect(await lock.acquire({ blocking: false })).toBe(false);
      expect(await lock.acquire({ timeout: 0.05 })).toBe(false);
      await raises(lock.acquire({ blocking: false, timeout: 1 }), ValueError, "can't specify a timeout for a non-blocking call");
      const order: number[] = [];
      const waiters = [1, 2, 3].map(async (n) => {
        await lock.acquire();
        order.push(n);
        await lock.release();
      });
      // Each waiter is handed the lock after the one before it, in the order they asked.
      await lock.release();
      await Promise.all(waiters);
      expect(order).toEqual([1, 2, 3]);
      await raises(lock.release(), RuntimeError, 'release unlocked lock');
      lock.releaseProxy();
    }));

  it.skipIf(skip)('lock: a cancelled wait never takes the lock later', () =>
    withManager(async (manager) => {
      const lock = await manager.lock();
      await lock.acquire();
      const controller = new AbortController();
      const cancelled = lock.acquire({ signal: controller.signal });
      const next = lock.acquire();
      controller.abort(new Error('no longer needed'));
      await expect(cancelled).rejects.toThrow('no longer needed');
      await lock.release();
      expect(await next).toBe(true);
      await lock.release();
      expect(await lock.locked()).toBe(false);
      lock.releaseProxy();
    }));

  it.skipIf(skip)('rlock: the holding task re-enters, another waits, a non-holder cannot release', () =>
    withManager(async (manager) => {
      const rlock = await manager.rlock();
      await raises(rlock.release(), RuntimeError, 'cannot release un-acquired lock');
      await rlock.withLock(async () => {
        expect(await rlock.acquire()).toBe(true);
        await rlock.release();
        // Another task of this process is another owner.
        expect(await runAsTask(() => rlock.acquire({ blocking: false }))).toBe(false);
      });
      expect(await rlock.acquire({ blocking: false })).toBe(true);
      await rlock.release();
      rlock.releaseProxy();
    }));

  it.skipIf(skip)('set: equal elements are one, KeyError on remove and pop, algebra with lists and shared sets', () =>
    withManager(async (manager) => {
      const s = await manager.set<unknown>([1, 'a', [1, 2]]);
      await s.add(true);
      await s.add(1.0);
      expect(await s.len()).toBe(3);
      expect(await s.contains([1, 2])).toBe(true);
      await raises(s.remove('zz'), KeyError, "'zz'");
      await s.discard('zz');
      await s.update(['b', 'c'], new Set(['d']));
      await s.differenceUpdate(['c', 'd']);
      const other = await manager.set<unknown>(['a', 'b', 'x']);
      expect(await s.intersection(other)).toEqual(new Set(['a', 'b']));
      expect(await s.issuperset(['a', 1])).toBe(true);
      await s.intersectionUpdate(['a', 'b', 1], other);
      expect(await s.copy()).toEqual(new Set(['a', 'b']));
      await s.symmetricDifferenceUpdate(['b', 'q']);
      expect(await s.copy()).toEqual(new Set(['a', 'q']));
      await s.clear();
      await raises(s.pop(), KeyError, 'pop from an empty set');
      s.releaseProxy();
      other.releaseProxy();
    }));

  it.skipIf(skip)('semaphore: permits, FIFO waiters, Python\'s errors; a bounded one refuses an extra release', () =>
    withManager(async (manager) => {
      const semaphore = await manager.semaphore(2);
      expect(await semaphore.acquire()).toBe(true);
      expect(await semaphore.acquire()).toBe(true);
      expect(await semaphore.acquire({ blocking: false })).toBe(false);
      expect(await semaphore.acquire({ timeout: 0.05 })).toBe(false);
      await raises(semaphore.acquire({ blocking: false, timeout: 1 }), ValueError, "can't specify timeout for non-blocking acquire");
      const order: number[] = [];
      const waiters = [1, 2].map(async (n) => {
        await semaphore.acquire();
        order.push(n);
      });
      await semaphore.release(2);
      await Promise.all(waiters);
      expect(order).toEqual([1, 2]);
      await raises(semaphore.release(0), ValueError, 'n must be one or more');
      await raises(manager.semaphore(-1), RemoteError, 'ValueError: semaphore initial value must be >= 0');
      const bounded = await manager.boundedSemaphore(1);
      await raises(bounded.release(), ValueError, 'Semaphore released too many times');
      expect(await bounded.acquire()).toBe(true);
      await bounded.release();
      semaphore.releaseProxy();
      bounded.releaseProxy();
    }));

  it.skipIf(skip)('str() of the locks, semaphores, condition, event, barrier and queues is Python\'s, but for the address and a holder\'s number', () =>
    withManager(async (manager) => {
      const lock = await manager.lock();
      const rlock = await manager.rlock();
      const semaphore = await manager.semaphore(2);
      const bounded = await manager.boundedSemaphore(2);
      const condition = await manager.condition();
      const overLock = await manager.condition(lock);
      const event = await manager.event();
      const barrier = await manager.barrier(2);
      const queue = await manager.queue();
      const joinable = await manager.joinableQueue();
      const shown: string[] = [];
      const show = async (proxy: { str(): Promise<string> }) => shown.push(await proxy.str());
      for (const proxy of [lock, rlock, semaphore, bounded, condition, overLock, event, barrier, queue, joinable]) await show(proxy);
      await lock.acquire();
      await rlock.acquire();
      await rlock.acquire();
      await semaphore.acquire();
      await bounded.acquire();
      await event.set();
      await barrier.abort();
      for (const proxy of [lock, rlock, semaphore, bounded, overLock, event, barrier]) await show(proxy);
      // The same objects in the same states on Python's own manager.
      const python = execFileSync('python3', ['-c', `
from multiprocessing import Manager
m = Manager()
lock, rlock = m.Lock(), m.RLock()
semaphore, bounded = m.Semaphore(2), m.BoundedSemaphore(2)
condition, over_lock = m.Condition(), m.Condition(lock)
event, barrier, queue, joinable = m.Event(), m.Barrier(2), m.Queue(), m.JoinableQueue()
for p in (lock, rlock, semaphore, bounded, condition, over_lock, event, barrier, queue, joinable): print(str(p))
lock.acquire(); rlock.acquire(); rlock.acquire(); semaphore.acquire(); bounded.acquire(); event.set(); barrier.abort()
for p in (lock, rlock, semaphore, bounded, over_lock, event, barrier): print(str(p))
m.shutdown()
`], { encoding: 'utf8' });
      const identity = (str: string) => str.replace(/ at 0x[0-9a-f]+/g, ' at 0x…').replace(/ owner=[1-9]\d*/g, ' owner=…');
      expect(shown.map(identity)).toEqual(python.trimEnd().split('\n').map(identity));
      // An object keeps its address; two objects have two (the second condition shows the lock's).
      expect(await event.str()).toBe(shown[15]);
      const addresses = shown.slice(0, 10).filter((_, i) => i !== 5).map((str) => /at (0x[0-9a-f]+)/.exec(str)![1]);
      expect(new Set(addresses).size).toBe(9);
      await lock.release();
      await rlock.release();
      await rlock.release();
      for (const proxy of [lock, rlock, semaphore, bounded, condition, overLock, event, barrier, queue, joinable]) proxy.releaseProxy();
    }));

  it.skipIf(skip)('event: wait returns at once when set, wakes every waiter on set, times out with the flag', () =>
    withManager(async (manager) => {
      const event = await manager.event();
      expect(await event.isSet()).toBe(false);
      expect(await event.wait({ timeout: 0.05 })).toBe(false);
      const waiters = [event.wait(), event.wait({ timeout: 10 })];
      await event.set();
      expect(await Promise.all(waiters)).toEqual([true, true]);
      expect(await event.wait()).toBe(true);
      expect(await event.str()).toMatch(/^<threading\.Event at 0x[0-9a-f]+: set>$/);
      await event.clear();
      const controller = new AbortController();
      const aborted = event.wait({ signal: controller.signal });
      controller.abort(new Error('stop waiting'));
      await expect(aborted).rejects.toThrow('stop waiting');
      event.releaseProxy();
    }));

  it.skipIf(skip)('condition: wait releases the lock until notified, times out holding it again, and refuses a non-holder', () =>
    withManager(async (manager) => {
      const lock = await manager.lock();
      const condition = await manager.condition(lock);
      await raises(condition.wait({ timeout: 0.01 }), RuntimeError, 'cannot wait on un-acquired lock');
      await raises(condition.notify(), RuntimeError, 'cannot notify on un-acquired lock');
      const box = await manager.namespace<{ ready: boolean }>({ ready: false });
      const consumer = runAsTask(() =>
        condition.withLock(async () => {
          const ready = await condition.waitFor(() => box.getattr('ready'), { timeout: 10 });
          // wait returns holding the lock again.
          return [ready, await lock.locked()];
        }),
      );
      // The consumer's wait released the lock: the producer can take it.
      await condition.withLock(async () => {
        await box.setattr('ready', true);
        await condition.notifyAll();
      });
      expect(await consumer).toEqual([true, true]);
      await condition.acquire();
      expect(await condition.wait({ timeout: 0.05 })).toBe(false);
      expect(await condition.locked()).toBe(true);
      await condition.release();
      expect(await lock.locked()).toBe(false);
      const own = await manager.condition();
      await own.withLock(async () => {
        await own.acquire();
        expect(await own.wait({ timeout: 0.01 })).toBe(false);
        await own.release();
      });
      expect(await own.locked()).toBe(false);
      for (const proxy of [condition, own, lock, box]) proxy.releaseProxy();
    }));

  it.skipIf(skip)('barrier: releases every party with its index, runs the action once, breaks on a timeout, resets', () =>
    withManager(async (manager) => {
      let actions = 0;
      const barrier = await manager.barrier(3, { action: () => void actions++ });
      expect(await barrier.parties()).toBe(3);
      const indices = await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()]);
      expect(indices.sort()).toEqual([0, 1, 2]);
      expect(actions).toBe(1);
      const first = barrier.wait();
      await expect.poll(() => barrier.nWaiting()).toBe(1);
      await raises(barrier.wait({ timeout: 0.05 }), BrokenBarrierError, '');
      await raises(first, BrokenBarrierError, '');
      expect(await barrier.broken()).toBe(true);
      await raises(barrier.wait(), BrokenBarrierError, '');
      await barrier.reset();
      expect(await barrier.broken()).toBe(false);
      await raises(manager.barrier(0), RemoteError, 'ValueError: parties must be > 0');
      barrier.releaseProxy();
    }));

  it.skipIf(skip)('toToken and fromToken rebuild a proxy that reaches the same object', () =>
    withManager(async (manager) => {
      const d = await manager.dict<string, number>({ n: 1 });
      const copy = fromToken<DictProxy<string, number>>(JSON.parse(JSON.stringify(toToken(d))));
      await copy.ready;
      await copy.setItem('m', 2);
      expect(await d.getItem('m')).toBe(2);
      copy.releaseProxy();
      expect(await d.len()).toBe(2);
      d.releaseProxy();
    }));

  it.skipIf(skip)('a released object is gone from the backend once its last proxy is released', () =>
    withManager(async (manager) => {
      const before = await manager.numberOfObjects();
      const lock: AcquirerProxy = await manager.lock();
      expect(await manager.numberOfObjects()).toBe(before + 1);
      lock.releaseProxy();
      // The release travels on the same connection as the next call, so it is applied first.
      await expect.poll(() => manager.numberOfObjects()).toBe(before);
    }));
});
