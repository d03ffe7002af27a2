import { describe, expect, it } from 'vitest';
import { KeyError, pythonRepr, RemoteError, type SetProxy } from '@mpts/manager';
import { expectError, expectRemoteError, rejection, serveManager } from '../helpers.js';
import { runPython } from '../unit/python-oracle.js';

// Python's `set` (3.14's `SyncManager.set`) is the oracle: messages below are CPython 3.11's for
// the same calls (its `set` behaves as 3.14's), and the table test runs python3 itself.
describe('SetProxy', () => {
  it('add, discard, remove, contains, len, has, delete; KeyError with the repr of the element', async () => {
    await using manager = await serveManager();
    using s = await manager.set<unknown>();
    expect(await s.str()).toBe('set()');
    await s.add('a');
    await s.add(1);
    await s.add([1, 2]);
    await s.add('a');
    expect(await s.len()).toBe(3);
    expect(await s.contains('a')).toBe(true);
    expect(await s.contains('1')).toBe(false);
    expect(await s.contains([1, 2])).toBe(true);
    expect(await s.has(1)).toBe(true);

    await s.discard('missing');
    await s.discard('a');
    expect(await s.contains('a')).toBe(false);
    await expectRemoteError(s.remove('a'), KeyError, "'a'");
    await expectRemoteError(s.remove(2), KeyError, '2');
    await s.remove(1);
    expect(await s.delete([1, 2])).toBe(true);
    expect(await s.delete([1, 2])).toBe(false);
    expect(await s.len()).toBe(0);
  });

  it('pop removes an element; an empty set raises KeyError, as Python does', async () => {
    await using manager = await serveManager();
    using s = await manager.set([3, 1, 2]);
    const popped = new Set([await s.pop(), await s.pop(), await s.pop()]);
    expect(popped).toEqual(new Set([1, 2, 3]));
    await expectRemoteError(s.pop(), KeyError, 'pop from an empty set');
  });

  it('refuses unhashable elements with TypeError, as Python does', async () => {
    await using manager = await serveManager();
    using s = await manager.set<unknown>([1]);
    await expectRemoteError(s.add({}), TypeError, "unhashable type: 'dict'");
    await expectRemoteError(s.add(new Map()), TypeError, "unhashable type: 'dict'");
    await expectRemoteError(s.add(new Set([1])), TypeError, "unhashable type: 'set'");
    await expectRemoteError(s.add([1, { a: 1 }]), TypeError, "unhashable type: 'dict'");
    await expectRemoteError(s.contains({ a: 1 }), TypeError, "unhashable type: 'dict'");
    await expectRemoteError(s.discard({}), TypeError, "unhashable type: 'dict'");
    await expectRemoteError(s.remove({}), TypeError, "unhashable type: 'dict'");
    await expectRemoteError(s.update([new Map()]), TypeError, "unhashable type: 'dict'");
    await expectRemoteError(s.issuperset([new Set()]), TypeError, "unhashable type: 'set'");
    // A factory that throws is the manager's failure (Python: RemoteError), naming the cause.
    await expectError(manager.set([{}]), RemoteError, "TypeError: unhashable type: 'dict'");
    // As in Python, a set argument to contains/discard/remove is looked up as a frozenset.
    expect(await s.contains(new Set([1]))).toBe(false);
    await s.discard(new Set());
    await expectRemoteError(s.remove(new Set()), KeyError, 'set()');
    await expectRemoteError(s.remove(new Set([1, 2])), KeyError, '{1, 2}');
    expect(await s.copy()).toEqual(new Set([1]));
  });

  it('treats 1, 1.0, true and 1n as one element, and equal arrays as one tuple', async () => {
    await using manager = await serveManager();
    using s = await manager.set<unknown>([1, true, 1.0, 1n]);
    expect(await s.str()).toBe('{1}');
    expect(await s.contains(true)).toBe(true);
    expect(await s.contains(1n)).toBe(true);
    await s.add(false);
    await s.add(0);
    await s.add([1, 2]);
    await s.add([true, 2n]);
    expect(await s.len()).toBe(3);
    expect(await s.str()).toBe('{1, False, (1, 2)}');
    await s.remove(0n);
    await s.remove([1, 2]);
    expect(await s.copy()).toEqual(new Set([1]));
  });

  it('update and friends change the set in place and take any number of iterables', async () => {
    await using manager = await serveManager();
    using s = await manager.set<number | string>();
    await s.update([1, 2], new Set([3]), 'ab');
    expect(await s.copy()).toEqual(new Set([1, 2, 3, 'a', 'b']));
    await s.differenceUpdate(['a'], new Set(['b', 9]));
    expect(await s.copy()).toEqual(new Set([1, 2, 3]));
    await s.intersectionUpdate([1, 2, 5], new Set([2, 3, 1]));
    expect(await s.copy()).toEqual(new Set([1, 2]));
    await s.symmetricDifferenceUpdate([2, 3, 3]);
    expect(await s.copy()).toEqual(new Set([1, 3]));
    // Any iterable is read on the caller's side, a generator too.
    await s.update((function* () { yield 7; yield 8; })());
    expect(await s.copy()).toEqual(new Set([1, 3, 7, 8]));
    await expectRemoteError(s.callMethod('update', [5]), TypeError, "'int' object is not iterable");
    await expectRemoteError(s.callMethod('union', [null]), TypeError, "'NoneType' object is not iterable");
    expect(await s.len()).toBe(4);
  });

  it('union, intersection, difference, symmetricDifference return new Sets and leave the set alone', async () => {
    await using manager = await serveManager();
    using s = await manager.set([1, 2, 3]);
    const union = await s.union([3, 4], new Set([5]));
    expect(union).toBeInstanceOf(Set);
    expect(union).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(await s.intersection([2, 3, 4], [3, 2])).toEqual(new Set([2, 3]));
    expect(await s.intersection()).toEqual(new Set([1, 2, 3]));
    expect(await s.difference([1], new Set([3]))).toEqual(new Set([2]));
    expect(await s.symmetricDifference([3, 4])).toEqual(new Set([1, 2, 4]));
    expect(await s.copy()).toEqual(new Set([1, 2, 3]));
  });

  it('isdisjoint, issubset, issuperset and their JavaScript names', async () => {
    await using manager = await serveManager();
    using s = await manager.set([1, 2]);
    expect(await s.isdisjoint([3, 4])).toBe(true);
    expect(await s.isdisjoint(new Set([2]))).toBe(false);
    expect(await s.issubset([1, 2, 3])).toBe(true);
    expect(await s.issubset([1])).toBe(false);
    expect(await s.issuperset([1, true])).toBe(true);
    expect(await s.issuperset([3])).toBe(false);
    expect(await s.isDisjointFrom([5])).toBe(true);
    expect(await s.isSubsetOf(new Set([1, 2]))).toBe(true);
    expect(await s.isSupersetOf([2])).toBe(true);
    await expectRemoteError(s.issubset([{}] as never), TypeError, "unhashable type: 'dict'");
    await expectRemoteError(s.isdisjoint([{}] as never), TypeError, "unhashable type: 'dict'");
    await expectRemoteError(s.callMethod('issubset', [1]), TypeError, "'int' object is not iterable");
  });

  it('takes another shared set, list or dict as an operand', async () => {
    await using manager = await serveManager();
    using s = await manager.set([1, 2]);
    using t = await manager.set([2, 3]);
    using l = await manager.list([3, 4]);
    using d = await manager.dict([['k', 0]]);
    expect(await s.union(t, l, d)).toEqual(new Set([1, 2, 3, 4, 'k']));
    expect(await s.issubset(t)).toBe(false);
    await s.update(t);
    expect(await s.copy()).toEqual(new Set([1, 2, 3]));
  });

  it('copy and getValue are Set snapshots; for await; clear; str prints Python\'s repr', async () => {
    await using manager = await serveManager();
    using s: SetProxy<string | number> = await manager.set<string | number>(['x', 1, 0.25]);
    const copy = await s.copy();
    expect(copy).toEqual(new Set(['x', 1, 0.25]));
    copy.add('z');
    expect(await s.len()).toBe(3);
    expect(await s.getValue()).toEqual(new Set(['x', 1, 0.25]));
    const seen: unknown[] = [];
    for await (const element of s) seen.push(element);
    expect(seen).toEqual(['x', 1, 0.25]);
    expect(await s.str()).toBe("{'x', 1, 0.25}");
    await s.clear();
    expect(await s.len()).toBe(0);
    expect(await s.str()).toBe('set()');
  });

  it('holds a proxy stored in it, and lets it go when removed', async () => {
    await using manager = await serveManager();
    const before = await manager.numberOfObjects();
    using s = await manager.set<unknown>();
    {
      using l = await manager.list([1]);
      await s.add(l);
    }
    expect(await manager.numberOfObjects()).toBe(before + 2);
    {
      using l = (await s.pop()) as Awaited<ReturnType<typeof manager.list>>;
      expect(await l.copy()).toEqual([1]);
    }
  });

  it('refuses a method outside the exposed list with RemoteError', async () => {
    await using manager = await serveManager();
    using s = await manager.set();
    await expectError(s.callMethod('nope'), RemoteError, "method 'nope' of set object is not in exposed");
    for (const name of ['constructor', '__proto__', 'str', 'getValue', 'toString']) {
      expect(await rejection(s.callMethod(name))).toBeInstanceOf(RemoteError);
    }
    expect(await s.len()).toBe(0);
  });

  it('gives what Python gives, method by method', async () => {
    type Case = { init: unknown[]; method: string; python: string; args: unknown[] };
    const cases: Case[] = [
      { init: [1, 2, 3], method: 'union', python: 'union', args: [[3, 4], 'ab'] },
      { init: [1, 2, 3], method: 'intersection', python: 'intersection', args: [[2, 3, 4], [3]] },
      { init: [1], method: 'intersection', python: 'intersection', args: [[true]] },
      { init: [true], method: 'union', python: 'union', args: [[1, 2]] },
      { init: [1, 2, 3], method: 'difference', python: 'difference', args: [[1], [2]] },
      { init: [1, 2, 3], method: 'symmetricDifference', python: 'symmetric_difference', args: [[3, 4, 4]] },
      { init: [1, 2, 3], method: 'update', python: 'update', args: [[4], 'xy'] },
      { init: [1, 2, 3], method: 'differenceUpdate', python: 'difference_update', args: [[1, 5]] },
      { init: [1, 2, 3], method: 'intersectionUpdate', python: 'intersection_update', args: [[2, 3, 7], [3, 2]] },
      { init: [1, 2, 3], method: 'symmetricDifferenceUpdate', python: 'symmetric_difference_update', args: [[3, 4, 4]] },
      { init: [1, 2], method: 'isdisjoint', python: 'isdisjoint', args: [[3]] },
      { init: [1, 2], method: 'issubset', python: 'issubset', args: [[true, 2, 3]] },
      { init: [1, 2], method: 'issuperset', python: 'issuperset', args: [[2, 2]] },
      { init: [1], method: 'remove', python: 'remove', args: ['a'] },
      { init: [1], method: 'remove', python: 'remove', args: [true] },
      { init: [], method: 'pop', python: 'pop', args: [] },
      { init: [1], method: 'add', python: 'add', args: [{}] },
      { init: [1], method: 'update', python: 'update', args: [5] },
      { init: [1], method: 'issuperset', python: 'issuperset', args: [[{}]] },
      { init: [1], method: 'discard', python: 'discard', args: [{}] },
      { init: [1], method: 'difference', python: 'difference', args: [[{}]] },
    ];
    const script = `
import json, sys
def norm(v):
    if isinstance(v, (set, frozenset)): return {'set': sorted(repr(x) for x in v)}
    return {'value': v}
out = []
for case in json.load(sys.stdin):
    s = set(case['init'])
    try:
        r = norm(getattr(s, case['python'])(*case['args']))
    except Exception as e:
        r = {'error': [type(e).__name__, e.args[0] if case['python'] == 'pop' else str(e)]}
    r['after'] = sorted(repr(x) for x in s)
    out.append(r)
print(json.dumps(out))
`;
    const expected = runPython<Record<string, unknown>[]>(script, cases);
    await using manager = await serveManager();
    for (const [i, c] of cases.entries()) {
      using s = await manager.set(c.init);
      let got: Record<string, unknown>;
      try {
        const result = await s.callMethod(c.method, c.args);
        got = result instanceof Set ? { set: [...result].map(pythonRepr).sort() } : { value: result ?? null };
      } catch (error) {
        const e = error as Error;
        got = { error: [e.constructor.name, e.message] };
      }
      got['after'] = [...(await s.copy())].map(pythonRepr).sort();
      expect(got, `case ${i}: ${c.python}(${JSON.stringify(c.args)})`).toEqual(expected[i]);
    }
  });
});
