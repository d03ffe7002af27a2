import { describe, expect, it } from 'vitest';
import { pythonRepr, pythonStr } from '@mpts/proxy';

// Every expected string below is what CPython 3.11 prints for the same value.
describe('pythonRepr', () => {
  it("prints Python's demo dict and list", () => {
    expect(pythonRepr(new Map<unknown, unknown>([[1, '1'], ['2', 2], [0.25, null]]))).toBe("{1: '1', '2': 2, 0.25: None}");
    expect(pythonRepr([9, 8, 7, 6, 5, 4, 3, 2, 1, 0])).toBe('[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]');
  });

  it('prints constants and numbers as Python does', () => {
    expect([true, false, null, undefined].map(pythonRepr)).toEqual(['True', 'False', 'None', 'None']);
    expect([1.5, 1e-5, 0.0001, -0, NaN, Infinity, -Infinity, 1e16, 1e22, 0.1 + 0.2].map(pythonRepr)).toEqual([
      '1.5', '1e-05', '0.0001', '-0.0', 'nan', 'inf', '-inf', '1e+16', '1e+22', '0.30000000000000004',
    ]);
    expect(pythonRepr(123456789012345680)).toBe('1.2345678901234568e+17');
    expect(pythonRepr(2n ** 70n)).toBe('1180591620717411303424');
    expect(pythonRepr(42)).toBe('42');
  });

  it("quotes strings as Python's repr does", () => {
    expect(pythonRepr("it's")).toBe(`"it's"`);
    expect(pythonRepr('a"b')).toBe(`'a"b'`);
    expect(pythonRepr(`both ' and "`)).toBe(`'both \\' and "'`);
    expect(pythonRepr('tab\tnl\n\x00\x7f\x85é😀\\')).toBe(`'tab\\tnl\\n\\x00\\x7f\\x85é😀\\\\'`);
  });

  it('escapes non-printable Unicode as Python does', () => {
    expect(pythonRepr('\u00ad')).toBe(`'\\xad'`);
    expect(pythonRepr('\u2028')).toBe(`'\\u2028'`);
    expect(pythonRepr('a\u200bb')).toBe(`'a\\u200bb'`);
    expect(pythonRepr('\ud800')).toBe(`'\\ud800'`);
    expect(pythonRepr('\u{e0001}')).toBe(`'\\U000e0001'`);
    expect(pythonRepr('\u3000')).toBe(`'\\u3000'`);
    expect(pythonRepr(' ')).toBe(`' '`);
  });

  it('prints bytes, sets, nested lists and plain objects', () => {
    expect(pythonRepr(Buffer.from([0x61, 0x62, 0x27, 0x00, 0xff, 0x22]))).toBe(`b'ab\\'\\x00\\xff"'`);
    expect(pythonRepr(Buffer.from("it's"))).toBe(`b"it's"`);
    expect(pythonRepr(new Uint8Array())).toBe(`b''`);
    expect(pythonRepr(new Set())).toBe('set()');
    expect(pythonRepr(new Set([1, 2]))).toBe('{1, 2}');
    expect(pythonRepr([1, [2, 'x']])).toBe("[1, [2, 'x']]");
    expect(pythonRepr([])).toBe('[]');
    expect(pythonRepr({ a: 1, b: 's' })).toBe("{'a': 1, 'b': 's'}");
  });

  it('pythonStr leaves strings bare', () => {
    expect(pythonStr('a b')).toBe('a b');
    expect(pythonStr(['a'])).toBe("['a']");
  });
});
