import { describe, expect, it } from 'vitest';
import { pyEquals, pyLessThan, pySorted, pyTypeName } from '@mpts/proxy/wire';
import { runPython, toPython } from './python-oracle.js';

type Outcome = boolean | { error: string; message: string };

function outcome(f: () => boolean): Outcome {
  try {
    return f();
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

/** Values of every kind mpts carries, several of them equal across kinds as in Python. */
const values: unknown[] = [
  0, 1, -1, 2, 1.5, -0.5, Number.NaN, Infinity, -Infinity, -0,
  true, false, 0n, 1n, 2n ** 64n, -(2n ** 64n), 2n ** 53n + 1n, 2 ** 53, 2 ** 64,
  '', 'a', 'b', 'ab', 'B', '\u00e9', '\uffff', '\u{1F600}', '\uffffz', '\u{1F600}a',
  null,
  [], [1], [1, 2], [true, 2], [1, 'a'], [1, 2, 3], [[1], 2], [[1, 'x']], ['a'], [1n, 2.0],
  Buffer.from(''), Buffer.from('a'), Buffer.from('ab'), new Uint8Array([255]),
  new Date(0), new Date(1000), new Date(-5000),
  new Map(), new Map([['a', 1]]), new Map<unknown, unknown>([[1, 'x']]), new Map<unknown, unknown>([[true, 'x']]),
  new Set(), new Set([1]), new Set([1, 2]), new Set([true]), new Set([2, 3]),
];

describe('pyEquals and pyLessThan agree with Python', () => {
  it('on every pair of values, including the TypeError message of an unorderable pair', () => {
    const expected = runPython<{ eq: boolean; lt: Outcome }[][]>(
      `
import json, sys
vals = [eval(v) for v in json.load(sys.stdin)]
def lt(a, b):
    try:
        return a < b
    except TypeError as e:
        return {'error': 'TypeError', 'message': str(e)}
print(json.dumps([[{'eq': a == b, 'lt': lt(a, b)} for b in vals] for a in vals]))
`,
      values.map((v) => toPython(v)),
    );
    const disagreements: unknown[] = [];
    values.forEach((a, i) => {
      values.forEach((b, j) => {
        // Python lists compare items by identity first: a NaN is equal to itself inside a list.
        const ours = { eq: i === j && Number.isNaN(a) ? false : pyEquals(a, b), lt: outcome(() => pyLessThan(a, b)) };
        if (JSON.stringify(ours) !== JSON.stringify(expected[i]![j])) {
          disagreements.push({ a: toPython(a), b: toPython(b), ours, python: expected[i]![j] });
        }
      });
    });
    expect(disagreements).toEqual([]);
  });

  it('a NaN is not equal to itself, and neither below nor above anything', () => {
    expect(pyEquals(Number.NaN, Number.NaN)).toBe(false);
    expect(pyLessThan(Number.NaN, 1)).toBe(false);
    expect(pyLessThan(1, Number.NaN)).toBe(false);
  });
});

describe('pyTypeName', () => {
  it("names each kind as Python's messages do", () => {
    const kinds = [1, 1.5, 1n, true, 'a', null, [1], Buffer.from('a'), new Map(), new Set([1]), new Date(0)];
    const expected = runPython<string[]>(
      `
import json, sys
print(json.dumps([type(eval(v)).__name__ if not isinstance(eval(v), __import__('datetime').datetime) else 'datetime.datetime' for v in json.load(sys.stdin)]))
`,
      kinds.map((v) => toPython(v)),
    );
    expect(kinds.map(pyTypeName)).toEqual(expected);
    expect(pyTypeName(undefined)).toBe('NoneType');
    expect(pyTypeName({ a: 1 })).toBe('dict');
  });
});

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('pySorted agrees with sorted()', () => {
  const rand = random(20240611);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
  const numbers = [0, 1, -1, 2, 1.5, true, false, 1n, 2n ** 64n, -0.5, 3];
  const strings = ['', 'a', 'b', 'ab', 'B', '\uffff', '\u{1F600}', '\uffffz', 'é'];
  const tuples = [[1], [1, 2], [true, 2], [0, 'a'], [0, 'b'], [2], []];
  const bytes = [Buffer.from(''), Buffer.from('a'), Buffer.from('ab'), new Uint8Array([255])];
  const mixed = [1, 'a', null, [1], Buffer.from('a'), 2.5];
  const lists: unknown[][] = [];
  for (const pool of [numbers, strings, tuples, bytes] as unknown[][]) {
    for (let i = 0; i < 40; i++) lists.push(Array.from({ length: Math.floor(rand() * 9) }, () => pick(pool)));
  }
  for (let i = 0; i < 40; i++) lists.push(Array.from({ length: 2 + Math.floor(rand() * 5) }, () => pick(mixed)));

  /** Which original position each sorted item came from (stability shows in it), or the error. */
  function positions(items: unknown[], sorted: unknown[]): number[] {
    const used = new Set<number>();
    return sorted.map((item) => {
      const index = items.findIndex((candidate, i) => !used.has(i) && Object.is(candidate, item));
      used.add(index);
      return index;
    });
  }

  for (const reverse of [false, true]) {
    it(`in order, stability and errors (reverse=${reverse})`, () => {
      const expected = runPython<(number[] | { error: string; message: string })[]>(
        `
import json, sys
data = json.load(sys.stdin)
out = []
for items in data['lists']:
    vals = [eval(v) for v in items]
    try:
        out.append(sorted(range(len(vals)), key=lambda i: vals[i], reverse=data['reverse']))
    except TypeError as e:
        out.append({'error': 'TypeError', 'message': str(e)})
print(json.dumps(out))
`,
        { lists: lists.map((items) => items.map((v) => toPython(v))), reverse },
      );
      const actual = lists.map((items) => {
        try {
          return positions(items, pySorted(items, reverse));
        } catch (error) {
          return { error: (error as Error).name, message: (error as Error).message };
        }
      });
      expect(actual).toEqual(expected);
      // The mixed lists did exercise the error path.
      expect(expected.some((result) => !Array.isArray(result))).toBe(true);
    });
  }
});
