import { describe, expect, it } from 'vitest';
import { HashableKeys } from '../../src/hashable-keys.js';
import { ServerRef } from '../../src/server-ref.js';
import { runPython, toPython } from './python-oracle.js';
import { pyTypeName } from '@mpts/proxy/wire';

/** A Map with Python's key rules, used the way DictServant uses HashableKeys. */
class PyDict {
  readonly map = new Map<unknown, unknown>();
  readonly keys = new HashableKeys((key) => this.map.has(key));
  set(key: unknown, value: unknown): void {
    this.map.set(this.keys.resolve(key, true), value);
  }
  get(key: unknown): unknown {
    return this.map.get(this.keys.resolve(key, false));
  }
  has(key: unknown): boolean {
    return this.map.has(this.keys.resolve(key, false));
  }
  delete(key: unknown): boolean {
    const resolved = this.keys.resolve(key, false);
    if (!this.map.delete(resolved)) return false;
    this.keys.forget(resolved);
    return true;
  }
}

const keyTypeName = (key: unknown) => (Array.isArray(key) ? 'tuple' : pyTypeName(key));

function errorOf(f: () => void): string | null {
  try {
    f();
    return null;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('HashableKeys agrees with a Python dict', () => {
  const keys: unknown[] = [
    1, 1.0, true, 1n, 0, false, 0n, -0, 2, 2n, 1.5, 2n ** 64n, 2 ** 64, 2n ** 53n + 1n, '1', '', 'a', null,
    [1, 2], [true, 2], [1n, 2.0], [2, 1], [[1], 2], [[true], 2], [[1, [2n]], 'x'], [[1, [2]], 'x'], ['a'], ['1'], [1],
    [1.5], [null], [], [[]], ['a,b'], ['a', 'b'],
    Buffer.from('ab'), new Uint8Array([97, 98]), Buffer.from('ba'), Buffer.from(''),
    new Date(0), new Date(0), new Date(1000),
    new Map([[1, 2]]), new Set([1]), { a: 1 }, [1, new Map()], [new Set()], [[1, { a: 1 }]],
  ];
  // Every key is stored in order, then every key (and a few never stored) is looked up.
  const probes: unknown[] = [...keys, 3, 3n, '2', [3], [1, 2, 3], Buffer.from('abc'), new Date(2000), false, [false, 2]];

  it('in which keys are one, which one stays, what is found, and what is unhashable', () => {
    const expected = runPython<{ errors: (string | null)[]; items: [string, number][]; found: (number | string | null)[] }>(
      `
import json, sys
data = json.load(sys.stdin)
d, errors = {}, []
for i, k in enumerate(data['keys']):
    try:
        d[eval(k)] = i
        errors.append(None)
    except TypeError as e:
        errors.append('TypeError: ' + str(e))
found = []
for k in data['probes']:
    try:
        found.append(d.get(eval(k)))
    except TypeError as e:
        found.append('TypeError: ' + str(e))
name = lambda k: 'datetime.datetime' if type(k).__name__ == 'datetime' else type(k).__name__
print(json.dumps({'errors': errors, 'items': [[name(k), v] for k, v in d.items()], 'found': found}))
`,
      { keys: keys.map((k) => toPython(k, true)), probes: probes.map((k) => toPython(k, true)) },
    );
    const dict = new PyDict();
    const errors = keys.map((key, i) => errorOf(() => dict.set(key, i)));
    const found = probes.map((key) => {
      try {
        return (dict.get(key) as number | undefined) ?? null;
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    });
    expect({ errors, items: [...dict.map].map(([k, v]) => [keyTypeName(k), v]), found }).toEqual(expected);
    // The oracle did see unhashable keys and aliased ones.
    expect(expected.errors.filter((e) => e !== null).length).toBeGreaterThanOrEqual(6);
    expect(expected.items.length).toBeLessThan(keys.length - 10);
  });

  it('1, 1.0, true and 1n are one key: the first stored stays, the last value wins', () => {
    const dict = new PyDict();
    dict.set(true, 'a');
    dict.set(1, 'b');
    dict.set(1n, 'c');
    expect([...dict.map]).toEqual([[true, 'c']]);
    expect(dict.get(1.0)).toBe('c');
    expect(dict.delete(1n)).toBe(true);
    expect(dict.map.size).toBe(0);
    dict.set(1n, 'x');
    expect(dict.has(true)).toBe(true);
    expect([...dict.map.keys()]).toEqual([1n]);
  });

  it('a tuple, bytes or date key is found by value, and forgotten when it leaves', () => {
    const dict = new PyDict();
    dict.set([1, [2, 'x']], 'tuple');
    dict.set(Buffer.from('key'), 'bytes');
    dict.set(new Date(5), 'date');
    expect(dict.get([true, [2n, 'x']])).toBe('tuple');
    expect(dict.get(new Uint8Array([107, 101, 121]))).toBe('bytes');
    expect(dict.get(new Date(5))).toBe('date');
    expect(dict.delete([1, [2, 'x']])).toBe(true);
    expect(dict.has([1, [2, 'x']])).toBe(false);
    // A new tuple of that value is stored as itself, not as the forgotten one.
    const again = [1, [2, 'x']];
    dict.set(again, 'again');
    expect([...dict.map.keys()].includes(again)).toBe(true);
  });

  it("unhashable keys are a TypeError with Python's message, and change nothing", () => {
    const dict = new PyDict();
    expect(() => dict.set(new Map(), 1)).toThrow(new TypeError("unhashable type: 'dict'"));
    expect(() => dict.set(new Set(), 1)).toThrow(new TypeError("unhashable type: 'set'"));
    expect(() => dict.set({}, 1)).toThrow(new TypeError("unhashable type: 'dict'"));
    expect(() => dict.get([1, [new Set()]])).toThrow(new TypeError("unhashable type: 'set'"));
    expect(dict.map.size).toBe(0);
  });

  it('a shared object is a key by identity', () => {
    const dict = new PyDict();
    const ref = new ServerRef(7, 'dict', undefined, 'test-instance');
    dict.set(ref, 'a');
    expect(dict.get(ref)).toBe('a');
    expect(dict.has(new ServerRef(7, 'dict', undefined, 'test-instance'))).toBe(false);
    dict.set([ref], 'tuple');
    expect(dict.get([ref])).toBe('tuple');
  });
});
