import { describe, expect, it } from 'vitest';
import {
  MemoryError,
  messages,
  OverflowError,
  pyEquals,
  pyLessThan,
  pySorted,
  pythonRepr,
  pythonReprPreview,
  RecursionError,
  ValueError,
} from '@mpts/proxy/wire';
import { HashableKeys } from '../../src/hashable-keys.js';
import { maxItems } from '../../src/large-lists.js';
import { ArrayServant } from '../../src/servants/array-servant.js';
import { DictServant } from '../../src/servants/dict-servant.js';
import { ListServant } from '../../src/servants/list-servant.js';
import { NamespaceServant } from '../../src/servants/namespace-servant.js';
import { SetServant } from '../../src/servants/set-servant.js';
import { ValueServant } from '../../src/servants/value-servant.js';
import { runPython } from './python-oracle.js';

/** A list nested `levels` deep: nest(1) is `[]`, nest(2) is `[[]]`. */
function nest(levels: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
}

/** 0..n-1, pushed: quicker than Array.from for millions. */
function range(n: number): number[] {
  const items: number[] = [];
  for (let i = 0; i < n; i++) items.push(i);
  return items;
}

function errorOf(f: () => unknown): { name: string; message: string } | null {
  try {
    f();
    return null;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
}

// CPython 3.11's messages, checked with python3.
const intDigits =
  'Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit';
const reprRecursion = 'maximum recursion depth exceeded while getting the repr of an object';
const compareRecursion = 'maximum recursion depth exceeded in comparison';

describe('pythonRepr bounds', () => {
  it('refuses ints past 4,300 digits as Python does', () => {
    const python = runPython<string[]>(`
import json
out = []
for n in [10**4299, 10**4300 - 1, 10**4300, -(10**4300 - 1), -(10**4300)]:
    try: out.append(str(len(repr(n))))
    except ValueError as e: out.append('ValueError: ' + str(e))
print(json.dumps(out))`);
    const ours = [10n ** 4299n, 10n ** 4300n - 1n, 10n ** 4300n, -(10n ** 4300n - 1n), -(10n ** 4300n)].map((n) => {
      const error = errorOf(() => pythonRepr(n));
      return error ? `${error.name}: ${error.message}` : String(pythonRepr(n).length);
    });
    expect(ours).toEqual(python);
    expect(python[2]).toBe(`ValueError: ${intDigits}`);
    expect(() => pythonRepr([1, { a: 2n ** 20000n }])).toThrow(ValueError);
  });

  it('does not write out a huge int to find it too long', () => {
    // 2**30000000 has over 9 million digits: its decimal text would take minutes.
    expect(() => pythonRepr(2n ** 30_000_000n)).toThrow(intDigits);
  });

  it('raises RecursionError for containers nested past 1,000 levels, at any depth', () => {
    expect(pythonRepr(nest(1000))).toBe('['.repeat(1000) + ']'.repeat(1000));
    for (const levels of [1001, 3000, 100_000]) {
      const error = errorOf(() => pythonRepr(nest(levels)));
      expect(error).toEqual({ name: 'RecursionError', message: reprRecursion });
    }
    let deepDict: unknown = new Map();
    for (let i = 0; i < 100_000; i++) deepDict = { a: new Map([[1, new Set([deepDict])]]) };
    expect(() => pythonRepr(deepDict)).toThrow(RecursionError);
    expect(new RecursionError('x')).toBeInstanceOf(Error);
  });

  it('prints a container that holds itself as Python does', () => {
    const list: unknown[] = [];
    list.push(list);
    const dict = new Map<string, unknown>();
    dict.set('x', dict);
    const shared = [1];
    expect([pythonRepr(list), pythonRepr(dict), pythonRepr([shared, shared])]).toEqual(
      runPython<string[]>(`
import json
a = []; a.append(a)
d = {}; d['x'] = d
b = [1]
print(json.dumps([repr(a), repr(d), repr([b, b])]))`),
    );
  });

  it('previews a value of any size by rendering only the start', () => {
    const text = 'x'.repeat(32 * 1024 * 1024);
    expect(pythonReprPreview(text, 75)).toBe(`'${'x'.repeat(74)}`);
    expect(pythonReprPreview(new Uint8Array(32 * 1024 * 1024), 10)).toBe("b'\\x00\\x00");
    const items = range(10_000_000);
    expect(pythonReprPreview(items, 20)).toBe('[0, 1, 2, 3, 4, 5, 6');
    const map = new Map<number, unknown>();
    for (let i = 0; i < 100_000; i++) map.set(i, [i]);
    expect(pythonReprPreview(map, 16)).toBe('{0: [0], 1: [1],');
    expect(pythonReprPreview(new Set(map.keys()), 8)).toBe('{0, 1, 2');
    expect(pythonReprPreview(nest(100_000), 5)).toBe('[[[[[');
    // A preview that fits is the whole repr.
    expect(pythonReprPreview([1, 'a', null], 75)).toBe("[1, 'a', None]");
    expect(pythonReprPreview([1, 2], 0)).toBe('');
    expect(pythonReprPreview([1, 2], -5)).toBe('');
  });
});

describe('Python comparisons bounds', () => {
  it('raises RecursionError past 1,000 levels instead of overflowing the stack', () => {
    expect(pyEquals(nest(1000), nest(1000))).toBe(true);
    expect(pyLessThan(nest(1000), [nest(1000)])).toBe(true);
    for (const levels of [1001, 100_000]) {
      expect(errorOf(() => pyEquals(nest(levels), nest(levels)))).toEqual({ name: 'RecursionError', message: compareRecursion });
      expect(errorOf(() => pyLessThan(nest(levels), nest(levels)))).toEqual({ name: 'RecursionError', message: compareRecursion });
      expect(() => pySorted([nest(levels), nest(levels)], false)).toThrow(RecursionError);
    }
    const deepMap = (levels: number) => {
      let value: unknown = 1;
      for (let i = 0; i < levels; i++) value = new Map([['a', value]]);
      return value;
    };
    expect(pyEquals(deepMap(1000), deepMap(1000))).toBe(true);
    expect(() => pyEquals(deepMap(100_000), deepMap(100_000))).toThrow(compareRecursion);
  });

  it('does not hang on a list that holds itself', () => {
    const a: unknown[] = [];
    a.push(a);
    const b: unknown[] = [];
    b.push(b);
    expect(pyEquals(a, a)).toBe(true);
    expect(() => pyEquals(a, b)).toThrow(RecursionError);
    expect(() => pyLessThan(a, b)).toThrow(RecursionError);
  });
});

describe('HashableKeys bounds', () => {
  it('hashes a tuple nested 100,000 deep, as Python does', () => {
    const keys = new Map<unknown, unknown>();
    const hashable = new HashableKeys((key) => keys.has(key));
    const first = nest(100_000);
    keys.set(hashable.resolve(first, true), 'deep');
    expect(keys.get(hashable.resolve(nest(100_000), false))).toBe('deep');
    expect(keys.has(hashable.resolve(nest(99_999), false))).toBe(false);
    expect(keys.has(hashable.resolve([nest(99_999), []], false))).toBe(false);
  });

  it('keeps equal numbers of every kind equal inside tuples, and huge ints cheap', () => {
    const hashable = new HashableKeys();
    const key = [1, [2, 'a'], 2n ** 64n, new Uint8Array([1])];
    expect(hashable.resolve(key, true)).toBe(key);
    expect(hashable.resolve([true, [2n, 'a'], 2n ** 64n, new Uint8Array([1])], false)).toBe(key);
    expect(hashable.resolve([1, [2, 'b'], 2n ** 64n, new Uint8Array([1])], false)).not.toBe(key);
    // The tuple (1, 2) is not the tuple ((1, 2),), nor (1, (2,)).
    const pair = [1, 2];
    expect(hashable.resolve(pair, true)).toBe(pair);
    expect(hashable.resolve([[1, 2]], false)).not.toBe(pair);
    expect(hashable.resolve([1, [2]], false)).not.toBe(pair);
    const huge = [2n ** 30_000_000n];
    expect(hashable.resolve(huge, true)).toBe(huge);
  });

  it('refuses a list that holds itself as unhashable', () => {
    const list: unknown[] = [1];
    list.push([list]);
    expect(() => new HashableKeys().resolve(list, true)).toThrow(messages.unhashable('list'));
  });
});

describe('ListServant on 10 million items', () => {
  const big = () => {
    const list = new ListServant([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    list.imul(1_000_000);
    return list;
  };

  it('repeats, extends, concatenates and copies without spreading arguments', () => {
    const list = big();
    expect(list.len()).toBe(10_000_000);
    expect(list.getItem(9_999_999)).toBe(9);
    expect(list.repeat(1).length).toBe(10_000_000);
    expect(list.concat(new Array(200_000).fill('x')).length).toBe(10_200_000);
    list.extend(new Array(200_000).fill('x'));
    expect(list.len()).toBe(10_200_000);
    expect(list.getItem(-1)).toBe('x');
    expect(list.getSlice(null, null, null).length).toBe(10_200_000);
    expect(list.getSlice(null, null, -2).length).toBe(5_100_000);
    expect(list.copy().length).toBe(10_200_000);
  });

  it('assigns and deletes huge slices', () => {
    const list = big();
    list.setSlice(5, 10, null, new Array(300_000).fill('y'));
    expect(list.len()).toBe(10_000_000 - 5 + 300_000);
    expect(list.getSlice(3, 7, null)).toEqual([3, 4, 'y', 'y']);
    expect(list.getItem(300_005)).toBe(0);
    list.setSlice(0, 10_000_000, null, [1, 2]);
    expect(list.len()).toBe(10_299_995 - 10_000_000 + 2);
    const again = big();
    again.delSlice(null, null, 2);
    expect(again.len()).toBe(5_000_000);
    expect(again.getSlice(0, 5, null)).toEqual([1, 3, 5, 7, 9]);
    again.delSlice(1, null, null);
    expect(again.getValue()).toEqual([1]);
  });

  it('repeats an empty list at once, whatever the count', () => {
    const empty = new ListServant([]);
    empty.imul(1e9);
    expect(empty.len()).toBe(0);
    expect(empty.repeat(2 ** 53 - 1)).toEqual([]);
    expect(empty.repeat(2n ** 62n)).toEqual([]);
    expect(new ListServant([1, 2]).repeat(-(2 ** 53 - 1))).toEqual([]);
  });

  it('refuses a repeat too large with MemoryError, and a count Python refuses with its error', () => {
    const list = new ListServant([1]);
    expect(errorOf(() => list.repeat(2n ** 62n))).toEqual({
      name: 'MemoryError',
      message: `cannot make a list of ${2n ** 62n} items: the manager's limit is ${maxItems} items`,
    });
    expect(() => list.imul(maxItems + 1)).toThrow(MemoryError);
    expect(() => new ListServant([1, 2]).repeat(maxItems / 2 + 1)).toThrow(MemoryError);
    expect(list.len()).toBe(1);
    // Checked with python3: [] * 2**63, [1] * 1e19, [1] * True.
    expect(errorOf(() => new ListServant([]).repeat(2n ** 63n))).toEqual({
      name: 'OverflowError',
      message: "cannot fit 'int' into an index-sized integer",
    });
    expect(() => list.repeat(-(2n ** 63n) - 1n)).toThrow(OverflowError);
    expect(errorOf(() => list.repeat(1e19))).toEqual({
      name: 'TypeError',
      message: "can't multiply sequence by non-int of type 'float'",
    });
    expect(list.repeat(true)).toEqual([1]);
    expect(list.repeat(3n)).toEqual([1, 1, 1]);
  });

  it('slices as Python does', () => {
    const cases: [number | null, number | null, number | null][] = [
      [null, null, 2], [null, null, -3], [1, 8, 3], [8, 1, -2], [-3, null, null], [2, 5, null], [5, 2, null],
      [null, null, -1], [-100, 100, 4], [3, 3, null],
    ];
    const python = runPython<{ del: number[]; set: number[] }[]>(
      `
import json, sys
out = []
for a, b, c in json.load(sys.stdin):
    d = list(range(10)); del d[a:b:c]
    s = list(range(10)); s[a:b] = [70, 80, 90] if c is None else s[a:b]
    out.append({'del': d, 'set': s})
print(json.dumps(out))`,
      cases,
    );
    const ours = cases.map(([a, b, c]) => {
      const d = new ListServant([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      d.delSlice(a, b, c);
      const s = new ListServant([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      s.setSlice(a, b, null, c === null ? [70, 80, 90] : s.getSlice(a, b, null));
      return { del: d.getValue(), set: s.getValue() };
    });
    expect(ours).toEqual(python);
  });

  it('previews its str in about as many steps as characters', () => {
    const list = big();
    expect(list.str(30)).toBe('[0, 1, 2, 3, 4, 5, 6, 7, 8, 9,');
    expect(() => new ListServant([nest(1000)]).str()).toThrow(reprRecursion);
  });
});

describe('ArrayServant sizes', () => {
  it('refuses a huge array with MemoryError, and a bad length with Python’s error', () => {
    expect(errorOf(() => new ArrayServant('b', 2 ** 31 - 1))).toEqual({
      name: 'MemoryError',
      message: `cannot make an array of ${2 ** 31 - 1} items: the manager's limit is ${maxItems} items`,
    });
    expect(() => new ArrayServant('u', 2 ** 40)).toThrow(MemoryError);
    // multiprocessing.Array('b', -1) and Array('b', 2.5), checked with python3.
    expect(errorOf(() => new ArrayServant('b', -1))).toEqual({ name: 'ValueError', message: 'Array length must be >= 0, not -1' });
    expect(errorOf(() => new ArrayServant('b', 2.5))).toEqual({ name: 'TypeError', message: "object of type 'float' has no len()" });
  });

  it('makes a zero-filled array of millions straight in its storage', () => {
    const array = new ArrayServant('d', 10_000_000);
    expect(array.len()).toBe(10_000_000);
    expect(array.getItem(-1)).toBe(0);
    expect(array.str(30)).toBe("array('d', [0.0, 0.0, 0.0, 0.0");
    // Python: repr(array.array('d', [0, 0.5, -0.0, 1e16, float('inf')])), and an 'f' array.
    expect(new ArrayServant('d', [0, 0.5, -0, 1e16, Infinity]).str()).toBe("array('d', [0.0, 0.5, -0.0, 1e+16, inf])");
    expect(new ArrayServant('f', [1, 2.5]).str()).toBe("array('f', [1.0, 2.5])");
    expect(new ArrayServant('u', 3).str()).toBe("array('u', '\\x00\\x00\\x00')");
    expect(new ArrayServant('u', 1_000_000).str(14)).toBe("array('u', '\\x");
    expect(new ArrayServant('i', [1, 2]).str()).toBe("array('i', [1, 2])");
    expect(new ArrayServant('i', [1, 2]).str(100)).toBe("array('i', [1, 2])");
  });
});

describe('servant previews', () => {
  it('render only the start of large values', () => {
    const huge = 'z'.repeat(32 * 1024 * 1024);
    expect(new ValueServant('c_char_p', huge).str(20)).toBe("Value('c_char_p', 'z");
    expect(new ValueServant('i', 5).str(100)).toBe("Value('i', 5)");
    expect(new DictServant(new Map([['k', huge]])).str(10)).toBe("{'k': 'zzz");
    expect(new SetServant([huge]).str(5)).toBe("{'zzz");
    const namespace = new NamespaceServant({ b: huge, a: 1, _hidden: 2 });
    expect(namespace.str(20)).toBe("Namespace(a=1, b='zz");
    expect(new NamespaceServant({ b: 'x', a: 1 }).str()).toBe("Namespace(a=1, b='x')");
  });

  it('keep KeyError a KeyError when its key cannot be printed, as Python does', () => {
    // Python: {}[10**5000] is a KeyError that prints as `<exception str() failed>`.
    expect(errorOf(() => new DictServant().getItem(10n ** 5000n))).toEqual({ name: 'KeyError', message: '<exception str() failed>' });
    expect(errorOf(() => new SetServant().remove([nest(2000)]))).toEqual({ name: 'KeyError', message: '<exception str() failed>' });
    expect(errorOf(() => new DictServant().getItem(12))).toEqual({ name: 'KeyError', message: '12' });
  });
});
