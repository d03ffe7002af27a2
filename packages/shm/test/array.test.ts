import { describe, expect, it } from 'vitest';
import { AttributeError, IndexError, ValueError } from '@mpts/proxy';
import { Array as SharedArray, RawArray, SharedArray as Same } from '../src/index.js';

// Expected values and messages are CPython 3.11's for multiprocessing.Array / RawArray.
describe('Array', () => {
  it('is exported as SharedArray and as Array', () => {
    expect(SharedArray).toBe(Same);
  });

  it('indexes like Python: negative indices, IndexError("invalid index") outside', () => {
    const a = SharedArray('i', [0, 1, 2, 3, 4]);
    expect(a[0]).toBe(0);
    expect(a[-1]).toBe(4);
    a[-2] = 30;
    expect(a[3]).toBe(30);
    expect(() => a[5]).toThrow(new IndexError('invalid index'));
    expect(() => a[-6]).toThrow(new IndexError('invalid index'));
    expect(() => { a[10] = 1; }).toThrow(new IndexError('invalid index'));
    expect(() => a[1.5]).toThrow(new TypeError('indices must be integers'));
    expect(() => { a[0] = 1.5; }).toThrow(new TypeError("'float' object cannot be interpreted as an integer"));
    expect(a.length).toBe(5);
    expect(2 in a).toBe(true);
    expect(5 in a).toBe(false);
  });

  it('slices like Python, copying', () => {
    const a = RawArray('i', [0, 1, 2, 3, 4]);
    expect(a.getSlice(1, 3)).toEqual([1, 2]);
    expect(a.getSlice(null, null, -1)).toEqual([4, 3, 2, 1, 0]);
    expect(a.getSlice(1, 100)).toEqual([1, 2, 3, 4]);
    expect(a.getSlice(-2)).toEqual([3, 4]);
    expect(a.getSlice(undefined, undefined, 2)).toEqual([0, 2, 4]);
    expect(a.getSlice(3, 0, -2)).toEqual([3, 1]);
    expect(a.getSlice(4, 1)).toEqual([]);
    expect(() => a.getSlice(null, null, 0)).toThrow(new ValueError('slice step cannot be zero'));
    expect(() => a.getSlice(1.5)).toThrow(
      new TypeError('slice indices must be integers or None or have an __index__ method'));
  });

  it("assigns slices of the same size only: ValueError('Can only assign sequence of same size')", () => {
    const a = SharedArray('i', [0, 1, 2, 3, 4]);
    a.setSlice(1, 3, [7, 8]);
    expect(a.toArray()).toEqual([0, 7, 8, 3, 4]);
    a.setSlice(null, null, 2, [10, 20, 30]);
    expect(a.toArray()).toEqual([10, 7, 20, 3, 30]);
    const sameSize = new ValueError('Can only assign sequence of same size');
    expect(() => a.setSlice(1, 3, [1])).toThrow(sameSize);
    expect(() => a.setSlice(null, null, 2, [1])).toThrow(sameSize);
    expect(() => a.setSlice(0, 2, 5 as never)).toThrow(sameSize);
    expect(() => a.setSlice(0, 2, [1, 'x' as never])).toThrow(
      new TypeError("'str' object cannot be interpreted as an integer"));
    expect(a.toArray()).toEqual([10, 7, 20, 3, 30]);
  });

  it('iterates, spreads and copies to a JS array', () => {
    const a = SharedArray('d', [1.5, 2]);
    expect([...a]).toEqual([1.5, 2]);
    const seen: number[] = [];
    for (const x of a) seen.push(x);
    expect(seen).toEqual([1.5, 2]);
    expect(a.toArray()).toEqual([1.5, 2]);
    expect(String(a)).toBe('<SynchronizedArray wrapper for c_double_Array_2([1.5, 2.0])>');
  });

  it('makes a zeroed array from a size, refusing negative sizes as Python does', () => {
    expect(RawArray('h', 3).toArray()).toEqual([0, 0, 0]);
    expect(RawArray('q', 2).toArray()).toEqual([0n, 0n]);
    expect(() => RawArray('i', -1)).toThrow(new ValueError('Array length must be >= 0, not -1'));
    expect(() => RawArray('i', 'abc' as never)).toThrow(
      new TypeError("'str' object cannot be interpreted as an integer"));
    expect(RawArray('i', 0).length).toBe(0);
  });

  it("gives 'c' arrays .value up to the first NUL and .raw, with Python's rules", () => {
    const a = SharedArray('c', Buffer.from('hello'));
    expect(a[0]).toEqual(Buffer.from('h'));
    expect(a.getSlice(1, 3)).toEqual(Buffer.from('el'));
    expect(a.getSlice(null, null, 2)).toEqual(Buffer.from('hlo'));
    expect(a.value).toEqual(Buffer.from('hello'));
    a.value = Buffer.from('hi');
    expect(a.raw).toEqual(Buffer.from('hi\0lo'));
    expect(a.value).toEqual(Buffer.from('hi'));
    expect(() => { a.value = Buffer.from('toolongvalue'); }).toThrow(new ValueError('byte string too long'));
    a.raw = Buffer.from('XY');
    expect(a.raw).toEqual(Buffer.from('XY\0lo'));
    expect(() => { a.raw = Buffer.from('toolongvalue'); }).toThrow(new ValueError('byte string too long'));
    a.setItem(0, 65);
    expect(a.raw).toEqual(Buffer.from('AY\0lo'));
    a[1] = Buffer.from('Z');
    expect(a.raw).toEqual(Buffer.from('AZ\0lo'));
    a[1] = Buffer.from('Y');
    expect(() => { a[0] = 'x' as never; }).toThrow(new TypeError('one character bytes, bytearray or integer expected'));
    expect(() => { a.value = 'str' as never; }).toThrow(new TypeError('bytes expected instead of str instance'));
    expect(() => { a.raw = 'str' as never; }).toThrow(new TypeError("a bytes-like object is required, not 'str'"));
    a.setSlice(0, 2, Buffer.from('xy'));
    expect(a.raw).toEqual(Buffer.from('xy\0lo'));
    expect(SharedArray('c', 10).value).toEqual(Buffer.alloc(0));
    expect(String(a)).toBe("<SynchronizedString wrapper for c_char_Array_5(b'xy\\x00lo')>");
  });

  it("has no .value on arrays that are not 'c'", () => {
    const a = RawArray('i', 3);
    expect(() => a.value).toThrow(new AttributeError("'c_int_Array_3' object has no attribute 'value'"));
  });

  it('gives the typed array over the same memory', () => {
    const a = RawArray('i', [1, 2, 3]);
    const view = a.asTypedArray() as Int32Array;
    expect(view).toBeInstanceOf(Int32Array);
    view[1] = 20;
    expect(a[1]).toBe(20);
  });

  it('adds atomically to elements', () => {
    const a = SharedArray('i', [2 ** 31 - 1, 0]);
    expect(a.add(0, 1)).toBe(2 ** 31 - 1);
    expect(a[0]).toBe(-(2 ** 31));
    expect(a.compareExchange(1, 0, 5)).toBe(0);
    expect(a[1]).toBe(5);
    expect(() => a.add(2, 1)).toThrow(new IndexError('invalid index'));
  });

  it('wraps with its own lock (an RLock) or takes none', () => {
    const a = SharedArray('i', 2);
    expect(String(a.getLock())).toBe('<RLock(None, 0)>');
    a.withLock(() => {
      a[0] = 1; // takes the RLock again, from the same thread
      expect(String(a.getLock())).toMatch(/^<RLock\(pid \d+, 1\)>$/);
    });
    const raw = SharedArray('i', 2, { lock: false });
    expect(String(raw)).toBe('c_int_Array_2([0, 0])');
  });
});
