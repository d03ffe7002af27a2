import { describe, expect, it } from 'vitest';
import { OverflowError } from '@mpts/proxy/wire';
import { coerce, findTypecode } from '../../src/typecodes.js';
import { runPython, toPython } from './python-oracle.js';

const codes = ['b', 'B', 'h', 'H', 'i', 'I', 'l', 'L', 'q', 'Q', 'f', 'd'];

/** Each width's edges and one past them, the C long edges, and values of other kinds. */
const edges = [8, 16, 32, 63, 64].flatMap((bits) => {
  const p = 2n ** BigInt(bits);
  const half = 2n ** BigInt(bits - 1);
  return [p - 1n, p, -half, -half - 1n, half - 1n, half];
});
const values: unknown[] = [
  0, 1, -1, 127, 255, true, false, 2n ** 100n, -(2n ** 100n), ...edges,
  1.5, 'a', null, [1], Buffer.from('a'), -0.5, 2.5,
];

type Outcome = { value: number | string } | { error: string; message: string };

describe("typecodes agree with Python's array module", () => {
  it('on ranges, and on the OverflowError and TypeError messages', () => {
    const cases = codes.flatMap((code) => values.map((value) => [code, value] as const));
    const expected = runPython<Outcome[]>(
      `
import array, json, sys
out = []
for code, v in json.load(sys.stdin):
    try:
        x = array.array(code, [eval(v)])[0]
        out.append({'value': x if isinstance(x, float) else str(x)})
    except Exception as e:
        out.append({'error': type(e).__name__, 'message': str(e)})
print(json.dumps(out))
`,
      cases.map(([code, value]) => [code, toPython(value)]),
    );
    const actual: Outcome[] = cases.map(([code, value]) => {
      const typecode = findTypecode(code)!;
      try {
        const stored = new typecode.View(1);
        stored[0] = coerce(typecode, value);
        const x = stored[0]!;
        return { value: typeof x === 'number' && typecode.kind === 'float' ? x : String(x) };
      } catch (error) {
        return { error: (error as Error).name, message: (error as Error).message };
      }
    });
    const disagreements = cases
      .map(([code, value], i) => ({ code, value: toPython(value), ours: actual[i], python: expected[i] }))
      .filter((d) => JSON.stringify(d.ours) !== JSON.stringify(d.python));
    expect(disagreements).toEqual([]);
    expect(expected.filter((o) => 'error' in o && o.error === 'OverflowError').length).toBeGreaterThan(40);
  });

  it('knows exactly the codes of array', () => {
    expect(codes.every((code) => findTypecode(code)?.code === code)).toBe(true);
    expect(findTypecode('u')).toBeUndefined();
    expect(findTypecode('x')).toBeUndefined();
    expect(findTypecode(1)).toBeUndefined();
    expect(() => coerce(findTypecode('b')!, 128)).toThrow(OverflowError);
  });
});
