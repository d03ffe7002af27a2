import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { asPythonFloat, asPythonInt } from '@mpts/proxy/wire';

/** Values as a client may send them, and how python3 writes each. */
const values: [unknown, string][] = [
  [7, '7'], [-0, '0'], [1.5, '1.5'], [NaN, "float('nan')"], [Infinity, "float('inf')"], [2 ** 60, '2**60'],
  [10n ** 30n, '10**30'], [true, 'True'], [false, 'False'], [null, 'None'], ['7', "'7'"], [[1], '[1]'],
  [new Uint8Array([1]), "b'\\x01'"],
];

/** `[class name, message]` of what `fn` throws, or `['ok', result as text]`. */
function trial(fn: () => unknown): [string, string] {
  try {
    return ['ok', String(fn())];
  } catch (error) {
    return [(error as Error).name, (error as Error).message];
  }
}

/** What python3 says for `convert(v)` of each value: `['ok', str(result)]` or `[class name, message]`. */
function python(convert: string): [string, string][] {
  const script = `
import array, json, operator
out = []
for v in [${values.map(([, text]) => text).join(', ')}]:
    try: out.append(['ok', str(${convert})])
    except Exception as e: out.append([type(e).__name__, str(e)])
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' })) as [string, string][];
}

describe('Python number arguments', () => {
  it("asPythonInt takes what Python's operator.index takes, and refuses the rest in its words", () => {
    // A number past 2**53 is whole in JavaScript; Python's 2**60 is an int too.
    expect(values.map(([value]) => trial(() => asPythonInt(value)))).toEqual(python('operator.index(v)'));
  });

  it("asPythonFloat takes what an array('d') takes, and refuses the rest in its words", () => {
    const floats = values.map(([value]) => trial(() => asPythonFloat(value)));
    const expected = python("array.array('d', [v])[0]").map(([kind, text]) =>
      // Python prints a whole float as 7.0, JavaScript as 7; the value is the same.
      kind === 'ok' ? ['ok', String(Number(text.replace('inf', 'Infinity')))] : [kind, text]);
    expect(floats).toEqual(expected);
  });
});
