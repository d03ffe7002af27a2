import { describe, expect, it } from 'vitest';
import { IndexError, OverflowError, RemoteError } from '@mpts/manager';
import { serveManager, rejection, expectError } from '../helpers.js';

// Python's array.array errors for each typecode (CPython 3.11, Linux x86-64). Python's manager
// ignores a Value's typecode; mpts honours it with array.array's rules.
const overflows: [string, bigint, string][] = [
  ['b', 128n, 'signed char is greater than maximum'],
  ['b', -129n, 'signed char is less than minimum'],
  ['b', 2n ** 70n, 'Python int too large to convert to C long'],
  ['B', -1n, 'unsigned byte integer is less than minimum'],
  ['B', 256n, 'unsigned byte integer is greater than maximum'],
  ['B', -(2n ** 70n), 'Python int too large to convert to C long'],
  ['h', 2n ** 15n, 'signed short integer is greater than maximum'],
  ['H', -1n, 'unsigned short is less than minimum'],
  ['H', 2n ** 70n, 'Python int too large to convert to C long'],
  ['i', 2n ** 31n, 'signed integer is greater than maximum'],
  ['i', -(2n ** 31n) - 1n, 'signed integer is less than minimum'],
  ['I', -1n, "can't convert negative value to unsigned int"],
  ['I', 2n ** 32n, 'unsigned int is greater than maximum'],
  ['I', 2n ** 70n, 'Python int too large to convert to C unsigned long'],
  ['l', 2n ** 63n, 'Python int too large to convert to C long'],
  ['l', -(2n ** 63n) - 1n, 'Python int too large to convert to C long'],
  ['L', -1n, "can't convert negative value to unsigned int"],
  ['L', 2n ** 64n, 'Python int too large to convert to C unsigned long'],
  ['q', 2n ** 63n, 'int too big to convert'],
  ['q', -(2n ** 63n) - 1n, 'int too big to convert'],
  ['Q', -1n, "can't convert negative int to unsigned"],
  ['Q', 2n ** 64n, 'int too big to convert'],
];

describe('ValueProxy', () => {
  it('gets and sets, and prints Value(typecode, value)', async () => {
    await using manager = await serveManager();
    using v = await manager.value('i', 5);
    expect(await v.get()).toBe(5);
    await v.set(-7);
    expect(await v.get()).toBe(-7);
    expect(await v.str()).toBe("Value('i', -7)");
    using d = await manager.value('d', 1.5);
    await d.set(true as never);
    expect(await d.get()).toBe(1);
    using zero = await manager.value('h');
    expect(await zero.get()).toBe(0);
  });

  it('keeps integers in the range of the typecode (OverflowError) and refuses wrong types (TypeError)', async () => {
    await using manager = await serveManager();
    for (const [code, value, message] of overflows) {
      using v = await manager.value<bigint>(code, 0n);
      await expectError(v.set(value), OverflowError, message);
    }
    using v = await manager.value('i', 1);
    await expectError(v.set(2 ** 40), OverflowError, 'signed integer is greater than maximum');
    await expectError(v.set('x' as never), TypeError, "'str' object cannot be interpreted as an integer");
    await expectError(v.set(1.5), TypeError, "'float' object cannot be interpreted as an integer");
    expect(await v.get()).toBe(1);
    using f = await manager.value('d', 0);
    await expectError(f.set('x' as never), TypeError, 'must be real number, not str');
    await expectError(f.set(null as never), TypeError, 'must be real number, not NoneType');
  });

  it('holds any value under a typecode array does not know, as Python does', async () => {
    await using manager = await serveManager();
    using v = await manager.value<unknown>('c_char_p', 'text');
    await v.set({ any: ['thing'] });
    expect(await v.get()).toEqual({ any: ['thing'] });
  });

  it('refuses a wrong type at creation with RemoteError, as Python does for constructors', async () => {
    await using manager = await serveManager();
    const error = await rejection(manager.value('i', 2 ** 40));
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toBe('OverflowError: signed integer is greater than maximum');
  });
});

describe('ArrayProxy', () => {
  it('len, getItem, setItem, getSlice, copy and str', async () => {
    await using manager = await serveManager();
    using a = await manager.array('i', [1, 2, 3]);
    expect(await a.len()).toBe(3);
    expect(await a.getItem(-1)).toBe(3);
    await a.setItem(0, 10);
    expect(await a.getSlice(null, null, -1)).toEqual([3, 2, 10]);
    expect(await a.getSlice(1)).toEqual([2, 3]);
    expect(await a.copy()).toEqual([10, 2, 3]);
    expect(await a.str()).toBe("array('i', [10, 2, 3])");
    const items: number[] = [];
    for await (const item of a) items.push(item);
    expect(items).toEqual([10, 2, 3]);
    using zeros = await manager.array('d', 3);
    expect(await zeros.copy()).toEqual([0, 0, 0]);
  });

  it("raises Python's IndexError, OverflowError and TypeError", async () => {
    await using manager = await serveManager();
    using a = await manager.array('i', [1, 2, 3]);
    await expectError(a.getItem(10), IndexError, 'array index out of range');
    await expectError(a.setItem(10, 1), IndexError, 'array assignment index out of range');
    await expectError(a.setItem(0, 2 ** 40), OverflowError, 'signed integer is greater than maximum');
    await expectError(a.setItem(0, 'x' as never), TypeError, "'str' object cannot be interpreted as an integer");
    await expectError(a.callMethod('getItem', ['x']), TypeError, 'array indices must be integers');
    await expectError(a.setItem(0.5, 1), TypeError, 'array indices must be integers');
    expect(await a.copy()).toEqual([1, 2, 3]);
    for (const [code, value, message] of overflows) {
      using typed = await manager.array<bigint>(code, [0n]);
      await expectError(typed.setItem(0, value), OverflowError, message);
    }
  });

  it('stores in the width of the typecode: f rounds to float32, 64-bit codes are bigints', async () => {
    await using manager = await serveManager();
    using f = await manager.array('f', [1.1]);
    expect(await f.getItem(0)).toBe(1.100000023841858);
    using q = await manager.array<bigint>('q', [2n ** 62n, -1n]);
    expect(await q.copy()).toEqual([2n ** 62n, -1n]);
    using b = await manager.array('b', [true as never, -128, 127]);
    expect(await b.copy()).toEqual([1, -128, 127]);
  });

  it("holds one Unicode character per item under 'u', as Python's array does", async () => {
    await using manager = await serveManager();
    using a = await manager.array('u', "it's");
    expect(await a.str()).toBe(`array('u', "it's")`);
    expect(await a.getItem(0)).toBe('i');
    expect(await a.getSlice(null, null, 2)).toEqual(['i', "'"]);
    await a.setItem(1, '😀');
    expect(await a.copy()).toEqual(['i', '😀', "'", 's']);
    await expectError(a.setItem(0, 'xy'), TypeError, 'array item must be unicode character');
    await expectError(a.setItem(0, 5 as never), TypeError, 'array item must be unicode character');
    using empty = await manager.array('u');
    expect(await empty.str()).toBe("array('u')");
    using zeros = await manager.array('u', 2);
    expect(await zeros.copy()).toEqual(['\0', '\0']);
    using none = await manager.array('d');
    expect(await none.str()).toBe("array('d')");
  });

  it('refuses an unknown typecode at creation with RemoteError', async () => {
    await using manager = await serveManager();
    const error = await rejection(manager.array('z', [1]));
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toBe('ValueError: bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)');
  });
});
