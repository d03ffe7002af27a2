/**
 * CPython's `_TestContainers` (Lib/test/_test_multiprocessing.py): a manager's list, dict and
 * Namespace, with Python's operators as mpts's named methods (`a[:]` → `copy()`, `b[2:10]` →
 * `getSlice(2, 10)`, `b *= 2` → `imul(2)`, `b + [5, 6]` → `concat([5, 6])`, `iter(a)` →
 * `a[Symbol.asyncIterator]()`, `iter(d)` → `d.iter()`).
 *
 * Proxies that come back from a container (`d['supplies']`) are released once used: Python
 * drops such temporaries at once, and the manager fixture checks that nothing is left.
 *
 * Skipped, and why:
 * - test_list_isinstance, test_dict_isinstance: Python's `collections.abc` classes have no
 *   JavaScript counterpart to check against.
 */
import { describe, expect, it } from 'vitest';
import { RuntimeError, type DictProxy, type ListProxy, type QueueProxy } from '@mpts/manager';
import { expectRemoteError, serveManager } from '../helpers.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Python's `list(it)`: drains an async iterator. */
async function drain<T>(it: AsyncIterator<T>): Promise<T[]> {
  const items: T[] = [];
  for (let step = await it.next(); !step.done; step = await it.next()) items.push(step.value);
  return items;
}

/** Runs `fn` on a proxy that came back from a container, and releases it. */
async function using_<P extends { releaseProxy(): void }, R>(proxy: Promise<P> | P, fn: (p: P) => Promise<R>): Promise<R> {
  const p = await proxy;
  try {
    return await fn(p);
  } finally {
    p.releaseProxy();
  }
}

describe('_TestContainers', () => {
  it('test_list', async () => {
    await using manager = await serveManager();
    using a = await manager.list(range(10));
    expect(await a.copy()).toEqual(range(10));

    using b = await manager.list<number>();
    expect(await b.copy()).toEqual([]);

    await b.extend(range(5));
    expect(await b.copy()).toEqual(range(5));

    expect(await b.getItem(2)).toBe(2);
    expect(await b.getSlice(2, 10)).toEqual([2, 3, 4]);

    await b.imul(2);
    expect(await b.copy()).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);

    expect(await b.concat([5, 6])).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6]);

    expect(await a.copy()).toEqual(range(10));

    const d = [a, b];
    using e = await manager.list<ListProxy<number>>(d);
    const elements = await e.copy();
    expect(await Promise.all(elements.map((element) => element.copy()))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [0, 1, 2, 3, 4, 0, 1, 2, 3, 4],
    ]);
    for (const element of elements) element.releaseProxy();

    using f = await manager.list<ListProxy<number | string>>([a as ListProxy<number | string>]);
    await a.append('hello' as never);
    expect(await using_(f.getItem(0), (inner) => inner.copy())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 'hello']);
  });

  it('test_list_iter', async () => {
    await using manager = await serveManager();
    using a = await manager.list(range(10));
    let it = a[Symbol.asyncIterator]();
    expect(await drain(it)).toEqual(range(10));
    expect(await drain(it)).toEqual([]); // exhausted
    // List modified during iteration.
    it = a[Symbol.asyncIterator]();
    await a.setItem(0, 100);
    expect((await it.next()).value).toBe(100);
    await it.return?.(undefined);
  });

  it('test_list_proxy_in_list', async () => {
    await using manager = await serveManager();
    const inners = await Promise.all(range(3).map(() => manager.list(range(3))));
    const a = await manager.list<ListProxy<number>>(inners);
    for (const inner of inners) inner.releaseProxy();
    const copies = await a.copy();
    expect(await Promise.all(copies.map((inner) => inner.copy()))).toEqual([[0, 1, 2], [0, 1, 2], [0, 1, 2]]);
    for (const inner of copies) inner.releaseProxy();

    await using_(a.getItem(0), (inner) => inner.setItem(-1, 55));
    expect(await using_(a.getItem(0), (inner) => inner.copy())).toEqual([0, 1, 55]);
    for (const i of [1, 2]) expect(await using_(a.getItem(i), (inner) => inner.copy())).toEqual([0, 1, 2]);

    expect(await using_(a.getItem(1), (inner) => inner.pop())).toBe(2);
    expect(await using_(a.getItem(1), (inner) => inner.len())).toBe(2);
    for (const i of [0, 2]) expect(await using_(a.getItem(i), (inner) => inner.len())).toBe(3);

    a.releaseProxy(); // del a

    // A list that holds itself: collected once nobody else holds it (the fixture checks).
    const b = await manager.list<unknown>();
    await b.append(b);
    b.releaseProxy(); // del b
  });

  it('test_dict', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<number, string>();
    const indices = range(5).map((i) => i + 65);
    for (const i of indices) await d.setItem(i, String.fromCharCode(i));
    expect(await d.copy()).toEqual(new Map(indices.map((i) => [i, String.fromCharCode(i)])));
    expect((await d.keys()).sort()).toEqual(indices);
    expect((await d.values()).sort()).toEqual(indices.map((i) => String.fromCharCode(i)));
    expect((await d.items()).sort((x, y) => x[0] - y[0])).toEqual(indices.map((i) => [i, String.fromCharCode(i)]));
  });

  it('test_dict_iter', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<number, string>();
    const indices = range(5).map((i) => i + 65);
    for (const i of indices) await d.setItem(i, String.fromCharCode(i));
    // Python's iter(d) is d.iter(): an iterator that lives in the manager.
    let it = await d.iter();
    expect(await drain(it)).toEqual(indices);
    expect(await drain(it)).toEqual([]); // exhausted
    it.releaseProxy();
    // Dictionary changed size during iteration.
    it = await d.iter();
    await d.clear();
    await expectRemoteError(it.next(), RuntimeError, 'dictionary changed size during iteration');
    it.releaseProxy();
  });

  it('test_dict_proxy_nested', async () => {
    await using manager = await serveManager();
    let pets: DictProxy<string, number> | undefined = await manager.dict({ ferrets: 2, hamsters: 4 });
    let supplies: DictProxy<string, number> | undefined = await manager.dict({ water: 10, feed: 3 });
    using d = await manager.dict<string, DictProxy<string, number>>({ pets, supplies });
    const inD = <R>(key: string, fn: (inner: DictProxy<string, number>) => Promise<R>) => using_(d.getItem(key), fn);

    expect(await supplies.getItem('water')).toBe(10);
    expect(await inD('supplies', (s) => s.getItem('water'))).toBe(10);

    await inD('supplies', (s) => s.setItem('blankets', 5));
    expect(await supplies.getItem('blankets')).toBe(5);
    expect(await inD('supplies', (s) => s.getItem('blankets'))).toBe(5);

    await inD('supplies', (s) => s.setItem('water', 7));
    expect(await supplies.getItem('water')).toBe(7);
    expect(await inD('supplies', (s) => s.getItem('water'))).toBe(7);

    pets.releaseProxy(); // del pets
    supplies.releaseProxy(); // del supplies
    expect(await inD('pets', (p) => p.getItem('ferrets'))).toBe(2);
    await inD('supplies', (s) => s.setItem('blankets', 11));
    expect(await inD('supplies', (s) => s.getItem('blankets'))).toBe(11);

    pets = await d.getItem('pets');
    supplies = await d.getItem('supplies');
    await supplies.setItem('water', 7);
    expect(await supplies.getItem('water')).toBe(7);
    expect(await inD('supplies', (s) => s.getItem('water'))).toBe(7);

    await d.clear();
    expect(await d.len()).toBe(0);
    expect(await supplies.getItem('water')).toBe(7);
    expect(await pets.getItem('hamsters')).toBe(4);

    using l = await manager.list<DictProxy<string, number>>([pets, supplies]);
    await using_(l.getItem(0), (p) => p.setItem('marmots', 1));
    expect(await pets.getItem('marmots')).toBe(1);
    expect(await using_(l.getItem(0), (p) => p.getItem('marmots'))).toBe(1);

    pets.releaseProxy(); // del pets
    supplies.releaseProxy(); // del supplies
    expect(await using_(l.getItem(0), (p) => p.getItem('marmots'))).toBe(1);

    using outer = await manager.list<unknown>([[88, 99], l]);
    expect(Array.isArray(await outer.getItem(0))).toBe(true); // not a ListProxy
    const last = (await outer.getItem(-1)) as ListProxy<DictProxy<string, number>>;
    expect(await using_(last, (inner) => using_(inner.getItem(-1), (s) => s.getItem('feed')))).toBe(3);
  });

  it('test_nested_queue', async () => {
    await using manager = await serveManager();
    using a = await manager.list<QueueProxy<number>>(); // a queue inside a list
    await using_(manager.queue<number>(), (q) => a.append(q));
    await using_(a.getItem(0), (q) => q.put(123));
    expect(await using_(a.getItem(0), (q) => q.get())).toBe(123);
    using b = await manager.dict<number, QueueProxy<number>>(); // a queue inside a dict
    await using_(manager.queue<number>(), (q) => b.setItem(0, q));
    await using_(b.getItem(0), (q) => q.put(456));
    expect(await using_(b.getItem(0), (q) => q.get())).toBe(456);
  });

  it('test_namespace', async () => {
    await using manager = await serveManager();
    using n = await manager.namespace();
    await n.setattr('name', 'Bob');
    await n.setattr('job', 'Builder');
    await n.setattr('_hidden', 'hidden');
    expect([await n.getattr('name'), await n.getattr('job')]).toEqual(['Bob', 'Builder']);
    await n.delattr('job');
    expect(await n.str()).toBe("Namespace(name='Bob')");
    expect(await n.hasattr('name')).toBe(true);
    expect(await n.hasattr('job')).toBe(false);
  });
});
