import { describe, expect, it } from 'vitest';
import { KeyError, RemoteError, ValueError, type DictProxy } from '@mpts/manager';
import { serveManager, rejection } from '../helpers.js';

/** The error a promise rejects with. */

// Expected values and errors are what CPython 3.11 gives for the same calls on a manager dict.
describe('DictProxy', () => {
  it('getItem, setItem, delItem, contains, len, and KeyError with the repr of the key', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<unknown, unknown>();
    await d.setItem('a', 1);
    await d.setItem(1, 'one');
    await d.setItem([1, 2], 'tuple');
    expect(await d.getItem('a')).toBe(1);
    expect(await d.getItem(1)).toBe('one');
    expect(await d.getItem([1, 2])).toBe('tuple');
    expect(await d.len()).toBe(3);
    expect(await d.contains('a')).toBe(true);
    expect(await d.contains('1')).toBe(false);

    const missing = await rejection(d.getItem('zz'));
    expect(missing).toBeInstanceOf(KeyError);
    expect(missing.message).toBe("'zz'");
    expect((missing as KeyError).remoteStack).toMatch(/KeyError/);
    expect((await rejection(d.getItem(2))).message).toBe('2');

    await d.delItem('a');
    expect(await d.contains('a')).toBe(false);
    const deleted = await rejection(d.delItem('a'));
    expect(deleted).toBeInstanceOf(KeyError);
    expect(deleted.message).toBe("'a'");
    expect(await d.str()).toBe("{1: 'one', (1, 2): 'tuple'}");
  });

  it('refuses unhashable keys with TypeError, as Python does', async () => {
    await using manager = await serveManager();
    using d = await manager.dict();
    for (const key of [new Map(), {}, new Set([1])]) {
      const error = await rejection(d.setItem(key, 1));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/^unhashable type: '(dict|set)'$/);
    }
    expect((await rejection(d.getItem({ a: 1 }))).message).toBe("unhashable type: 'dict'");
    expect((await rejection(d.contains(new Map()))).message).toBe("unhashable type: 'dict'");
  });

  it('get, pop, popitem, setdefault with and without defaults', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<unknown, unknown>([['a', 1], ['b', 2]]);
    expect(await d.get('q')).toBeNull();
    expect(await d.get('q', 3)).toBe(3);
    expect(await d.get('a', 3)).toBe(1);
    expect(await d.setdefault('x')).toBeNull();
    expect(await d.setdefault('a', 9)).toBe(1);
    expect(await d.pop('x', 7)).toBeNull();
    expect(await d.pop('zz', 7)).toBe(7);
    const popped = await rejection(d.pop('zz'));
    expect(popped).toBeInstanceOf(KeyError);
    expect(popped.message).toBe("'zz'");
    expect(await d.pop('a')).toBe(1);
    await d.setItem('c', 3);
    expect(await d.popitem()).toEqual(['c', 3]);
    expect(await d.popitem()).toEqual(['b', 2]);
    const empty = await rejection(d.popitem());
    expect(empty).toBeInstanceOf(KeyError);
    expect(empty.message).toBe('popitem(): dictionary is empty');
  });

  it('update from a Map, a plain object and pairs; its errors are Python\'s', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<unknown, unknown>();
    await d.update(new Map<unknown, unknown>([[1, 'n'], ['1', 's']]));
    await d.update({ a: 1 });
    await d.update([['b', 2]]);
    await d.update(new Map([['a', 10]]).entries());
    expect(await d.items()).toEqual([[1, 'n'], ['1', 's'], ['a', 10], ['b', 2]]);

    const long = await rejection(d.update([[1, 2, 3]] as never));
    expect(long).toBeInstanceOf(ValueError);
    expect(long.message).toBe('dictionary update sequence element #0 has length 3; 2 is required');
    const short = await rejection(d.update([['a']] as never));
    expect(short).toBeInstanceOf(ValueError);
    expect(short.message).toBe('dictionary update sequence element #0 has length 1; 2 is required');
    const notASequence = await rejection(d.update([1] as never));
    expect(notASequence).toBeInstanceOf(TypeError);
    expect(notASequence.message).toBe('cannot convert dictionary update sequence element #0 to a sequence');
    const notIterable = await rejection(d.callMethod('update', [5]));
    expect(notIterable).toBeInstanceOf(TypeError);
    expect(notIterable.message).toBe("'int' object is not iterable");
    expect(await d.len()).toBe(4);
  });

  it('keys, values, items, copy are snapshots; clear empties', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<unknown, unknown>({ x: 1, y: [2, 3] });
    expect(await d.keys()).toEqual(['x', 'y']);
    expect(await d.values()).toEqual([1, [2, 3]]);
    expect(await d.items()).toEqual([['x', 1], ['y', [2, 3]]]);
    const copy = await d.copy();
    expect(copy).toEqual(new Map<unknown, unknown>([['x', 1], ['y', [2, 3]]]));
    copy.set('z', 0);
    expect(await d.len()).toBe(2);
    expect(await d.getValue()).toEqual(new Map<unknown, unknown>([['x', 1], ['y', [2, 3]]]));
    await d.clear();
    expect(await d.len()).toBe(0);
    expect(await d.str()).toBe('{}');
  });

  it("Map's get/set/has/delete and for await", async () => {
    await using manager = await serveManager();
    using d: DictProxy<string, number> = await manager.dict<string, number>();
    expect(await d.set('a', 1)).toBe(d);
    await d.set('b', 2);
    expect(await d.has('a')).toBe(true);
    expect(await d.delete('a')).toBe(true);
    expect(await d.delete('a')).toBe(false);
    expect(await d.has('a')).toBe(false);
    const seen: string[] = [];
    for await (const key of d) seen.push(key);
    expect(seen).toEqual(['b']);
  });

  it('keeps 1, "1" and 0.25 as three keys, and prints as Python does', async () => {
    await using manager = await serveManager();
    using d = await manager.dict();
    await d.setItem(1, '1');
    await d.setItem('2', 2);
    await d.setItem(0.25, null);
    await d.setItem('1', 'string one');
    expect(await d.len()).toBe(4);
    expect(await d.str()).toBe("{1: '1', '2': 2, 0.25: None, '1': 'string one'}");
  });

  it('treats equal numbers of different kinds as one key, as Python does (1 == True == 1.0 == 1n)', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<unknown, unknown>();
    await d.setItem(1, 'a');
    await d.setItem(true, 'b');
    await d.setItem(1.0, 'c');
    expect(await d.str()).toBe("{1: 'c'}");
    expect(await d.getItem(1n)).toBe('c');
    expect(await d.contains(true)).toBe(true);
    await d.setItem(false, 'false first');
    await d.setItem(0, 'zero');
    await d.setItem(0.5, 'half');
    expect(await d.str()).toBe("{1: 'c', False: 'zero', 0.5: 'half'}");
    await d.setItem(2n ** 64n, 'big');
    expect(await d.getItem(2 ** 64)).toBe('big');
    await d.setItem([1, 2], 'tuple');
    expect(await d.getItem([true, 2n])).toBe('tuple');
    expect(await d.pop(0n)).toBe('zero');
    await d.delItem(true);
    expect(await d.keys()).toEqual([0.5, 2n ** 64n, [1, 2]]);
    expect((await rejection(d.getItem(true))).message).toBe('True');
  });

  it('refuses a method outside the exposed list with RemoteError', async () => {
    await using manager = await serveManager();
    using d = await manager.dict();
    const error = await rejection(d.callMethod('nope'));
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toBe("method 'nope' of dict object is not in exposed");
    for (const name of ['constructor', '__proto__', 'str', 'getValue', 'toString']) {
      expect(await rejection(d.callMethod(name))).toBeInstanceOf(RemoteError);
    }
    // The connection is still good.
    expect(await d.len()).toBe(0);
  });
});
