import { describe, expect, it } from 'vitest';
import {
  IndexError,
  messages,
  resolveIndex,
  resolveSlice,
  sliceIndices,
  ValueError,
} from '@mpts/proxy/wire';
import { runPython, toPython } from './python-oracle.js';

type Outcome = { indices: [number, number, number]; count: number; selected: number[] } | { error: string; message: string };

/** Python's `slice(start, stop, step).indices(length)` and what `range(length)[slice]` selects, or its error. */
function pythonSlices(cases: [number, string, string, string][]): Outcome[] {
  return runPython<Outcome[]>(
    `
import json, sys
out = []
for n, a, b, c in json.load(sys.stdin):
    try:
        s = slice(eval(a), eval(b), eval(c))
        i = s.indices(n)
        out.append({'indices': list(i), 'count': len(range(*i)), 'selected': list(range(n))[s]})
    except Exception as e:
        out.append({'error': type(e).__name__, 'message': str(e)})
print(json.dumps(out))
`,
    cases,
  );
}

function ours(length: number, start: unknown, stop: unknown, step: unknown): Outcome {
  try {
    const s = resolveSlice(length, start, stop, step);
    return { indices: [s.start, s.stop, s.step], count: s.count, selected: [...sliceIndices(s)] };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

describe('resolveSlice agrees with Python', () => {
  it('over a grid of lengths, bounds and steps (None included)', () => {
    const bounds: unknown[] = [null, 0, 1, 2, 3, 5, 7, 9, -1, -2, -3, -5, -7, -9, 10n ** 20n, -(10n ** 20n)];
    const steps: unknown[] = [null, 1, 2, 3, 5, -1, -2, -3, -5, 0, 10n ** 20n, -(10n ** 20n)];
    const js: [number, unknown, unknown, unknown][] = [];
    for (const n of [0, 1, 2, 3, 5, 8]) {
      for (const a of bounds) for (const b of bounds) for (const c of steps) js.push([n, a, b, c]);
    }
    const expected = pythonSlices(js.map(([n, a, b, c]) => [n, toPython(a), toPython(b), toPython(c)]));
    const actual = js.map(([n, a, b, c]) => ours(n, a, b, c));
    // One assertion per case would be 10,000 lines of noise: find the first disagreement.
    const firstDiff = actual.findIndex((outcome, i) => JSON.stringify(outcome) !== JSON.stringify(expected[i]));
    expect(firstDiff === -1 ? null : { case: js[firstDiff], ours: actual[firstDiff], python: expected[firstDiff] }).toBeNull();
    expect(expected.length).toBe(js.length);
  });

  it('booleans are integers, and other kinds are refused with Python\'s message', () => {
    const js: [number, unknown, unknown, unknown][] = [
      [5, true, null, null], [5, false, true, null], [5, null, null, true], [5, null, null, false],
      [5, 'a', null, null], [5, null, 1.5, null], [5, null, null, 0.5], [5, [1], null, null], [5, null, Number.NaN, null],
    ];
    const expected = pythonSlices(js.map(([n, a, b, c]) => [n, toPython(a), toPython(b), toPython(c)]));
    expect(js.map(([n, a, b, c]) => ours(n, a, b, c))).toEqual(expected);
  });

  it('a zero step is a ValueError', () => {
    expect(() => resolveSlice(3, null, null, 0)).toThrow(ValueError);
    expect(() => resolveSlice(3, null, null, 0)).toThrow(messages.sliceStepZero);
  });
});

describe('resolveIndex agrees with Python', () => {
  it('resolves negative indices, refuses out-of-range ones and non-integers with Python\'s messages', () => {
    const cases: [number, unknown][] = [];
    for (const n of [0, 1, 3]) for (const i of [-4, -3, -1, 0, 1, 2, 3, true, false, 2n, -1n, 10n ** 20n, 1.5, 'a', null]) cases.push([n, i]);
    const expected = runPython<unknown[]>(
      `
import json, sys
out = []
for n, i in json.load(sys.stdin):
    l = list(range(n))
    try:
        out.append(l[eval(i)])
    except Exception as e:
        out.append({'error': type(e).__name__, 'message': str(e)})
print(json.dumps(out))
`,
      cases.map(([n, i]) => [n, toPython(i)]),
    );
    const actual = cases.map(([n, i]) => {
      try {
        return resolveIndex(n, i, messages.listIndexOutOfRange);
      } catch (error) {
        return { error: (error as Error).name, message: (error as Error).message };
      }
    });
    expect(actual).toEqual(expected);
  });

  it('an out-of-range index is an IndexError with the message it was given', () => {
    expect(() => resolveIndex(2, 2, 'deque index out of range', 'deque')).toThrow(IndexError);
    expect(() => resolveIndex(2, 'x', 'deque index out of range', 'deque')).toThrow('deque indices must be integers or slices, not str');
  });
});
