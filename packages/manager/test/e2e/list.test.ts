import { describe, expect, it } from 'vitest';
import { IndexError, RemoteError, ValueError } from '@mpts/manager';
import { serveManager, rejection, expectRemoteError } from '../helpers.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

// Expected values and errors are what CPython 3.11 gives for the same calls on a manager list.
describe('ListProxy', () => {
  it('indexes with negative indices; out of range is IndexError', async () => {
    await using manager = await serveManager();
    using l = await manager.list(range(10));
    expect(await l.getItem(-1)).toBe(9);
    expect(await l.at(0)).toBe(0);
    await l.setItem(-2, 80);
    expect(await l.getItem(8)).toBe(80);
    await l.delItem(-1);
    expect(await l.len()).toBe(9);
    await expectRemoteError(l.getItem(100), IndexError, 'list index out of range');
    await expectRemoteError(l.getItem(-11), IndexError, 'list index out of range');
    await expectRemoteError(l.setItem(10, 1), IndexError, 'list assignment index out of range');
    await expectRemoteError(l.delItem(-11), IndexError, 'list assignment index out of range');
    await expectRemoteError(l.callMethod('getItem', ['a']), TypeError, 'list indices must be integers or slices, not str');
    await expectRemoteError(l.getItem(1.5), TypeError, 'list indices must be integers or slices, not float');
  });

  it('slices with steps and negative bounds', async () => {
    await using manager = await serveManager();
    using l = await manager.list(range(10));
    expect(await l.getSlice(1, 3)).toEqual([1, 2]);
    expect(await l.getSlice(null, null, -1)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(await l.getSlice(-3)).toEqual([7, 8, 9]);
    expect(await l.getSlice(8, 2, -2)).toEqual([8, 6, 4]);
    expect(await l.getSlice(-100, 100, 3)).toEqual([0, 3, 6, 9]);
    expect(await l.getSlice(5, 1)).toEqual([]);
    await expectRemoteError(l.getSlice(null, null, 0), ValueError, 'slice step cannot be zero');
  });

  it('assigns and deletes slices, and refuses a wrong-sized extended slice', async () => {
    await using manager = await serveManager();
    using l = await manager.list<unknown>(range(10));
    await l.setSlice(2, 5, [7]);
    expect(await l.copy()).toEqual([0, 1, 7, 5, 6, 7, 8, 9]);
    await expectRemoteError(l.setSlice(null, null, 2, [1]), ValueError, 'attempt to assign sequence of size 1 to extended slice of size 4');
    expect(await l.copy()).toEqual([0, 1, 7, 5, 6, 7, 8, 9]);
    await l.setSlice(null, null, 2, [0, 0, 0, 0]);
    expect(await l.copy()).toEqual([0, 1, 0, 5, 0, 7, 0, 9]);
    await l.delSlice(null, null, 3);
    expect(await l.copy()).toEqual([1, 0, 0, 7, 9]);
    await l.setSlice(1, 1, ['x', 'y']);
    expect(await l.copy()).toEqual([1, 'x', 'y', 0, 0, 7, 9]);

    using m = await manager.list([1, 2, 3]);
    await m.delSlice(5, 10);
    expect(await m.copy()).toEqual([1, 2, 3]);
    await m.setSlice(10, 20, [4]);
    expect(await m.copy()).toEqual([1, 2, 3, 4]);
    await m.setSlice(-100, 1, [0]);
    expect(await m.copy()).toEqual([0, 2, 3, 4]);
    await m.setSlice(0, 4, -1, []);
    expect(await m.copy()).toEqual([0, 2, 3, 4]);
    await m.setSlice(3, 1, []);
    expect(await m.copy()).toEqual([0, 2, 3, 4]);
    await m.setSlice(3, 1, [9]);
    expect(await m.copy()).toEqual([0, 2, 3, 9, 4]);
    await m.setSlice(null, null, -1, [5, 6, 7, 8, 9]);
    expect(await m.copy()).toEqual([9, 8, 7, 6, 5]);
    await m.delSlice(null, null, -2);
    expect(await m.copy()).toEqual([8, 6]);
  });

  it('append, extend, insert, pop, remove, index, count, contains', async () => {
    await using manager = await serveManager();
    using l = await manager.list<unknown>([1]);
    await l.insert(-10, 0);
    await l.insert(99, 2);
    await l.append('x');
    await l.extend([3, 'x']);
    expect(await l.copy()).toEqual([0, 1, 2, 'x', 3, 'x']);
    expect(await l.index('x')).toBe(3);
    expect(await l.index('x', 4)).toBe(5);
    expect(await l.index(true)).toBe(1);
    expect(await l.count('x')).toBe(2);
    expect(await l.contains(3)).toBe(true);
    expect(await l.includes(1.0)).toBe(true);
    expect(await l.contains('3')).toBe(false);
    await expectRemoteError(l.index(99), ValueError, '99 is not in list');
    await expectRemoteError(l.index('x', 6), ValueError, "'x' is not in list");
    await expectRemoteError(l.remove(99), ValueError, 'list.remove(x): x not in list');
    await expectRemoteError(l.callMethod('insert', ['a', 1]), TypeError, "'str' object cannot be interpreted as an integer");
    await l.remove('x');
    expect(await l.pop()).toBe('x');
    expect(await l.pop(0)).toBe(0);
    await expectRemoteError(l.pop(100), IndexError, 'pop index out of range');
    await expectRemoteError(l.callMethod('pop', ['a']), TypeError, "'str' object cannot be interpreted as an integer");
    await expectRemoteError(l.pop(1.5), TypeError, "'float' object cannot be interpreted as an integer");
    await expectRemoteError(l.callMethod('index', [1, 'a']), TypeError, 'slice indices must be integers or have an __index__ method');
    await expectRemoteError(l.callMethod('getSlice', [1, 'a', null]), TypeError, 'slice indices must be integers or None or have an __index__ method');
    expect(await l.index(3, -3)).toBe(2);
    expect(await l.copy()).toEqual([1, 2, 3]);
    using empty = await manager.list();
    await expectRemoteError(empty.pop(), IndexError, 'pop from empty list');
  });

  it("sorts with Python's ordering, and mixed types are a TypeError that leaves the list alone", async () => {
    await using manager = await serveManager();
    using numbers = await manager.list<unknown>([3, 1, 2, 1.5, true]);
    await numbers.sort();
    expect(await numbers.copy()).toEqual([1, true, 1.5, 2, 3]);
    await numbers.sort({ reverse: true });
    expect(await numbers.copy()).toEqual([3, 2, 1.5, 1, true]);
    using strings = await manager.list(['b', 'a', 'B', '\u{1F600}', '\uFFFD']);
    await strings.sort();
    expect(await strings.copy()).toEqual(['B', 'a', 'b', '\uFFFD', '\u{1F600}']);
    using tuples = await manager.list([[1, 2], [1, 1], [0, 9, 9]]);
    await tuples.sort();
    expect(await tuples.copy()).toEqual([[0, 9, 9], [1, 1], [1, 2]]);

    using mixed = await manager.list<unknown>([1, 'x', 'y', 0]);
    await expectRemoteError(mixed.sort(), TypeError, "'<' not supported between instances of 'str' and 'int'");
    expect(await mixed.copy()).toEqual([1, 'x', 'y', 0]);
    using withNone = await manager.list<unknown>([1, null]);
    await expectRemoteError(withNone.sort(), TypeError, "'<' not supported between instances of 'NoneType' and 'int'");
    using nested = await manager.list<unknown>([[1, 2], [1, 'a']]);
    await expectRemoteError(nested.sort(), TypeError, "'<' not supported between instances of 'str' and 'int'");
  });

  it('l + [9], l * 2, += and *=, reverse, copy, for await', async () => {
    await using manager = await serveManager();
    using l = await manager.list<unknown>(['B', 'a', 'b']);
    expect(await l.concat([9])).toEqual(['B', 'a', 'b', 9]);
    expect(await l.repeat(2)).toEqual(['B', 'a', 'b', 'B', 'a', 'b']);
    expect(await l.repeat(0)).toEqual([]);
    expect(await l.repeat(-1)).toEqual([]);
    expect(await l.len()).toBe(3);
    await expectRemoteError(l.callMethod('concat', [5]), TypeError, 'can only concatenate list (not "int") to list');
    expect(await l.iadd([1])).toBe(l);
    expect(await l.copy()).toEqual(['B', 'a', 'b', 1]);
    expect(await l.imul(2)).toBe(l);
    expect(await l.copy()).toEqual(['B', 'a', 'b', 1, 'B', 'a', 'b', 1]);
    await l.reverse();
    const items: unknown[] = [];
    for await (const item of l) items.push(item);
    expect(items).toEqual([1, 'b', 'a', 'B', 1, 'b', 'a', 'B']);
    expect(await l.str()).toBe("[1, 'b', 'a', 'B', 1, 'b', 'a', 'B']");
    await l.imul(0);
    expect(await l.len()).toBe(0);
  });

  it('refuses a method outside the exposed list with RemoteError', async () => {
    await using manager = await serveManager();
    using l = await manager.list();
    const error = await rejection(l.callMethod('nope'));
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toBe("method 'nope' of list object is not in exposed");
  });
});
