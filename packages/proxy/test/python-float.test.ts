import { describe, expect, it } from 'vitest';
import { decode, encode, pyEquals, pyLessThan, pySorted, PythonFloat, pythonRepr, pyTypeName } from '@mpts/proxy/wire';

describe('PythonFloat (a whole float from a Python client)', () => {
  it('boxes only whole numbers: no int looks like 2.5, inf, nan or -0.0', () => {
    expect(PythonFloat.of(2)).toEqual(new PythonFloat(2));
    for (const value of [2.5, Infinity, -Infinity, Number.NaN, -0]) expect(PythonFloat.of(value)).toBe(value);
  });

  it('reaches an mpts client as a plain number, nested too', () => {
    const value = new Map<unknown, unknown>([['f', new PythonFloat(2)], [new PythonFloat(3), [new PythonFloat(-4), new PythonFloat(2 ** 60), new PythonFloat(1e300)]]]);
    expect(decode(encode(value))).toEqual(new Map<unknown, unknown>([['f', 2], [3, [-4, 2 ** 60, 1e300]]]));
    expect(typeof decode(encode(new PythonFloat(7)))).toBe('number');
  });

  it('compares, orders, prints and is named as a Python float', () => {
    expect(pyEquals(new PythonFloat(1), true)).toBe(true);
    expect(pyEquals([new PythonFloat(2)], [2n])).toBe(true);
    expect(pyLessThan(new PythonFloat(1), 1.5)).toBe(true);
    expect(pySorted([new PythonFloat(3), 1, 2.5], false).map(pythonRepr)).toEqual(['1', '2.5', '3.0']);
    expect(pythonRepr(new Map([[new PythonFloat(1), [new PythonFloat(2), 1e16]]]))).toBe('{1.0: [2.0, 1e+16]}');
    expect(pyTypeName(new PythonFloat(2))).toBe('float');
  });
});
