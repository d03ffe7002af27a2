import { describe, expect, it } from 'vitest';
import { AttributeError } from '@mpts/proxy';
import {
  c_double, c_int, c_long, c_longlong, c_ubyte, RawArray, RawValue, Value,
} from '../src/index.js';

// Python 3.11 on Linux x86-64 is the oracle: every expected value below was printed by
// multiprocessing.sharedctypes.RawValue / ctypes.sizeof.
const widths: [string, number][] = [
  ['c', 1], ['b', 1], ['B', 1], ['h', 2], ['H', 2], ['i', 4], ['I', 4],
  ['l', 8], ['L', 8], ['q', 8], ['Q', 8], ['f', 4], ['d', 8],
];

describe('typecodes', () => {
  it.each(widths)("gives '%s' Python's Linux width of %i bytes", (code, size) => {
    const array = RawArray(code as 'i', 3);
    expect(array.asTypedArray().BYTES_PER_ELEMENT).toBe(size);
    expect(array.asTypedArray().byteLength).toBe(3 * size);
  });

  it.each([
    ['b', 200, -56],
    ['B', -1, 255],
    ['h', 70000, 4464],
    ['i', 2 ** 31, -2147483648],
    ['I', -1, 4294967295],
    ['i', 2 ** 32 + 7, 7],
    ['q', 2n ** 63n, -9223372036854775808n],
    ['Q', -1, 18446744073709551615n],
    ['l', 2n ** 63n, -9223372036854775808n],
    ['L', -1n, 18446744073709551615n],
    ['i', 2n ** 100n, 0],
    ['f', 0.1, 0.10000000149011612],
    ['f', 1e40, Infinity],
    ['d', 1e309, Infinity],
  ] as const)("wraps or rounds '%s' %s to %s, as C does", (code, input, expected) => {
    expect(RawValue(code, input as never).value).toBe(expected);
    expect(RawArray(code, [input as never]).getItem(0)).toBe(expected);
  });

  it('reads 64-bit integer codes as bigint and accepts integral numbers for them', () => {
    expect(RawValue('q', 5).value).toBe(5n);
    expect(RawValue('Q').value).toBe(0n);
    expect(RawValue('i', 5n).value).toBe(5);
    expect(RawValue('d', 3n).value).toBe(3);
  });

  it.each([
    ['i', 1.5, "'float' object cannot be interpreted as an integer"],
    ['i', 'x', "'str' object cannot be interpreted as an integer"],
    ['i', null, "'NoneType' object cannot be interpreted as an integer"],
    ['i', [1], "'list' object cannot be interpreted as an integer"],
    ['i', Buffer.from('a'), "'bytes' object cannot be interpreted as an integer"],
    ['q', 0.5, "'float' object cannot be interpreted as an integer"],
    ['d', 'x', 'must be real number, not str'],
    ['d', null, 'must be real number, not NoneType'],
    ['f', Buffer.from('a'), 'must be real number, not bytes'],
    ['c', 'x', 'one character bytes, bytearray or integer expected'],
    ['c', 300, 'one character bytes, bytearray or integer expected'],
    ['c', Buffer.from('xy'), 'one character bytes, bytearray or integer expected'],
  ] as const)("raises Python's TypeError for '%s' = %j", (code, input, message) => {
    expect(() => RawValue(code, input as never)).toThrow(new TypeError(message));
    const value = RawValue(code);
    expect(() => { value.value = input as never; }).toThrow(new TypeError(message));
  });

  it('starts at zero: 0, 0.0, 0n and a NUL byte', () => {
    expect(RawValue('i').value).toBe(0);
    expect(RawValue('d').value).toBe(0);
    expect(RawValue('q').value).toBe(0n);
    expect(RawValue('c').value).toEqual(Buffer.from([0]));
    expect(RawValue('c', 65).value).toEqual(Buffer.from('A'));
  });

  it('accepts ctypes and C type names, and exported ctypes constants', () => {
    expect(String(RawValue(c_int, 3))).toBe('c_int(3)');
    expect(String(RawValue('int', 3))).toBe('c_int(3)');
    expect(String(RawValue('double', 1))).toBe('c_double(1.0)');
    expect(String(RawValue(c_double, 0.5))).toBe('c_double(0.5)');
    expect(String(RawValue(c_long, 2))).toBe('c_long(2)');
    expect(String(RawValue(c_longlong, 2))).toBe('c_longlong(2)');
    expect(String(RawValue('unsigned char', -1))).toBe('c_ubyte(255)');
    expect(RawArray(c_ubyte, 2).typeName).toBe('c_ubyte_Array_2');
  });

  it("refuses an unknown typecode with Python's TypeError('this type has no size')", () => {
    expect(() => Value('x' as 'i', 1)).toThrow(new TypeError('this type has no size'));
    expect(() => RawArray('u' as 'i', 1)).toThrow(new TypeError('this type has no size'));
  });

  it('gives Python reprs', () => {
    expect(String(Value('i', 5))).toBe('<Synchronized wrapper for c_int(5)>');
    expect(String(RawValue('i', 5))).toBe('c_int(5)');
    expect(String(Value('c'))).toBe("<Synchronized wrapper for c_char(b'\\x00')>");
  });

  it('adds and compare-exchanges atomically on integer codes, wrapping around', () => {
    const v = Value('B', 250);
    expect(v.add(10)).toBe(250);
    expect(v.value).toBe(4);
    expect(v.compareExchange(4, -1)).toBe(4);
    expect(v.value).toBe(255);
    expect(v.compareExchange(-1, 7)).toBe(255);
    expect(v.value).toBe(7);
    const q = RawValue('Q', 0n);
    expect(q.add(-1)).toBe(0n);
    expect(q.value).toBe(2n ** 64n - 1n);
    const d = RawValue('d', 1);
    expect(() => d.add(1)).toThrow(new TypeError("atomic operations need an integer typecode, not 'd'"));
  });

  it("takes Python's lock= options", () => {
    const raw = Value('i', 1, { lock: false });
    expect(String(raw)).toBe('c_int(1)');
    expect(String(Value('i', 1, { lock: true }).getLock())).toBe('<RLock(None, 0)>');
    expect(() => Value('i', 1, { lock: 'nope' as never })).toThrow(
      new AttributeError("'nope' has no method 'acquire'"));
    expect(() => Value('i', 1, { lock: { acquire() {}, release() {} } as never })).toThrow(TypeError);
  });
});
