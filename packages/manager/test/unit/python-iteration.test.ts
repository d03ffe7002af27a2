import { describe, expect, it } from 'vitest';
import { elementsOf } from '../../src/python-iteration.js';
import { ListServant } from '../../src/servants/list-servant.js';
import { runPython, toPython } from './python-oracle.js';

/** `[class name, message]` of what `fn` throws, or `['ok', result]`. */
function trial(fn: () => unknown): [string, unknown] {
  try {
    return ['ok', fn()];
  } catch (error) {
    return [(error as Error).name, (error as Error).message];
  }
}

const iterables: unknown[] = [
  [1, 'a', [2]],
  'a😀b',
  new Uint8Array([0, 97, 255]),
  new Map<unknown, unknown>([['k', 1], [2, 'v']]),
  { x: 1, y: 2 },
  // Small ints only: a Python set of strings iterates in a per-run order.
  new Set([3, 4]),
  [],
];
const notIterables: unknown[] = [5, 1.5, true, null, 10n ** 30n];

describe("elementsOf: Python's for x in other", () => {
  it('yields what Python yields for each kind of value a client can send', () => {
    const python = runPython<unknown[][]>(`
import json
print(json.dumps([list(v) for v in [${iterables.map((value) => toPython(value)).join(', ')}]]))
`);
    expect(iterables.map((value) => [...elementsOf(value)])).toEqual(python);
  });

  it("refuses anything else with Python's TypeError", () => {
    const python = runPython<[string, string][]>(`
import json
out = []
for v in [${notIterables.map((value) => toPython(value)).join(', ')}]:
    try: list(v); out.append(['ok', None])
    except Exception as e: out.append([type(e).__name__, str(e)])
print(json.dumps(out))
`);
    expect(notIterables.map((value) => trial(() => [...elementsOf(value)]))).toEqual(python);
  });

  it("is what a list extends with, as Python's list.extend", () => {
    const python = runPython<unknown[]>(`
import json
l = [0]
for v in [${iterables.map((value) => toPython(value)).join(', ')}]: l.extend(v)
print(json.dumps(l))
`);
    const list = new ListServant([0]);
    for (const value of iterables) list.extend(value);
    expect(list.getValue()).toEqual(python);
  });
});
