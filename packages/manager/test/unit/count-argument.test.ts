import { describe, expect, it } from 'vitest';
import { comparedCount, wholeCount } from '../../src/count-argument.js';
import { runPython, toPython } from './python-oracle.js';

/** Values that are not numbers, as a client may send them for a count. */
const notNumbers: unknown[] = ['2', null, [1], new Map([[1, 2]]), new Uint8Array([1])];

/** `[class name, message]` of what `fn` throws, or `['ok', result]`. */
function trial(fn: () => unknown): [string, unknown] {
  try {
    return ['ok', fn()];
  } catch (error) {
    return [(error as Error).name, (error as Error).message];
  }
}

describe('comparedCount', () => {
  it("fails for anything but a number as Python's comparison with an int does", () => {
    const python = runPython<[string, string][]>(`
import json
out = []
for value in [${notNumbers.map((value) => toPython(value)).join(', ')}]:
    for compare in (lambda: value < 1, lambda: value > 0):
        try: compare(); out.append(['ok', None])
        except Exception as e: out.append([type(e).__name__, str(e)])
print(json.dumps(out))
`);
    const mpts = notNumbers.flatMap((value) => [trial(() => comparedCount(value, '<')), trial(() => comparedCount(value, '>'))]);
    expect(mpts).toEqual(python);
    expect(mpts.every(([kind]) => kind === 'TypeError')).toBe(true);
  });

  it('takes a bool as an int and a bigint as its number, as Python compares them', () => {
    expect([true, false, 3n, -2n, 1.5, -0.5, Infinity].map((value) => comparedCount(value, '<')))
      .toEqual([1, 0, 3, -2, 1.5, -0.5, Infinity]);
  });
});

describe('wholeCount', () => {
  it("refuses a fraction in Python's words for a float where an int is needed", () => {
    const python = runPython<[string, string]>(`
import json, operator
try: operator.index(1.5)
except Exception as e: print(json.dumps([type(e).__name__, str(e)]))
`);
    expect(trial(() => wholeCount(1.5))).toEqual(python);
    expect(trial(() => wholeCount(-0.25))).toEqual(python);
    expect(trial(() => wholeCount(NaN))).toEqual(python);
  });

  it('returns a whole count unchanged', () => {
    expect([0, 1, -3, 2 ** 40].map(wholeCount)).toEqual([0, 1, -3, 2 ** 40]);
  });
});
