import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fitsSsize } from '@mpts/proxy/wire';

const edges = [0n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n, 10n ** 30n, -(10n ** 30n)];

describe('fitsSsize', () => {
  it('draws the line where Python refuses an int as an index-sized integer', () => {
    // Python's `operator.index`-then-`Py_ssize_t` path: `[].insert(i, 0)` overflows past it.
    const script = `
import json, sys
fits = []
for i in json.load(sys.stdin):
    try: [].insert(int(i), 0); fits.append(True)
    except OverflowError: fits.append(False)
print(json.dumps(fits))
`;
    const python = JSON.parse(execFileSync('python3', ['-c', script], {
      input: JSON.stringify(edges.map(String)),
      encoding: 'utf8',
    })) as boolean[];
    expect(edges.map(fitsSsize)).toEqual(python);
    expect(python).toEqual([true, true, false, true, false, false, false]);
  });
});
