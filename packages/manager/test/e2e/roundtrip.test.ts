import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DictProxy, ListProxy } from '@mpts/manager';
import { serveManager } from '../helpers.js';

/** Any value mpts promises to carry exactly, nested up to a few levels. */
const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('array'), tie('object'), tie('map'), tie('set')),
  leaf: fc.oneof(
    fc.constant(undefined), fc.constant(null), fc.boolean(),
    fc.double(), fc.constantFrom(-0, NaN, Infinity, -Infinity), fc.integer(), fc.maxSafeInteger(),
    fc.bigInt(), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
    fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }),
    fc.date({ noInvalidDate: true }), fc.uint8Array({ maxLength: 16 }),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.string().filter((key) => key !== '__proto__'), tie('value'), { maxKeys: 4, noNullPrototype: true }),
  map: fc.array(fc.tuple(fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.string(), fc.boolean(), fc.bigInt()), tie('value')), { maxLength: 4 })
    .map((entries) => new Map<unknown, unknown>(entries)),
  set: fc.array(fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.bigInt()), { maxLength: 4 }).map((items) => new Set(items)),
})).value;

describe('values stored in a shared dict come back exactly', () => {
  it('for arbitrary nested values (property)', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<string, unknown>();
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        await d.setItem('v', v);
        expect(await d.getItem('v')).toStrictEqual(v);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps undefined and null, -0, NaN, the infinities, bigints and bytes apart', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<string, unknown>();
    const cases: [string, unknown][] = [
      ['undefined', undefined], ['null', null], ['-0', -0], ['0', 0], ['NaN', NaN], ['inf', Infinity], ['-inf', -Infinity],
      ['big', 2n ** 100n], ['small big', 1n], ['unicode', 'ünïcødé 😀 中文'], ['bytes', new Uint8Array([0, 255])],
      ['buffer', Buffer.from('buf')], ['date', new Date(0)],
    ];
    await d.update(cases);
    const back = await d.copy();
    expect(back.get('undefined')).toBeUndefined();
    expect(back.has('undefined')).toBe(true);
    expect(back.get('null')).toBeNull();
    expect(Object.is(back.get('-0'), -0)).toBe(true);
    expect(Object.is(back.get('0'), 0)).toBe(true);
    expect(back.get('NaN')).toBeNaN();
    expect(back.get('inf')).toBe(Infinity);
    expect(back.get('-inf')).toBe(-Infinity);
    expect(back.get('big')).toBe(2n ** 100n);
    expect(back.get('small big')).toBe(1n);
    expect(back.get('unicode')).toBe('ünïcødé 😀 中文');
    expect([...(back.get('bytes') as Uint8Array)]).toEqual([0, 255]);
    expect(Buffer.from(back.get('buffer') as Uint8Array).toString()).toBe('buf');
    expect((back.get('date') as Date).getTime()).toBe(0);
    expect(await d.str()).toContain("'undefined': None, 'null': None, '-0': -0.0, '0': 0, 'NaN': nan, 'inf': inf");
  });

  it('keeps Map keys 1, "1", 0.25, true and 1n as five keys', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<string, unknown>();
    const map = new Map<unknown, unknown>([[1, 'a'], ['1', 'b'], [0.25, 'c'], [true, 'd'], [1n, 'e']]);
    await d.setItem('m', map);
    const back = (await d.getItem('m')) as Map<unknown, unknown>;
    expect(back.size).toBe(5);
    expect([...back]).toEqual([...map]);
    await d.setItem('s', new Set([1, '1', 1n]));
    expect(await d.getItem('s')).toEqual(new Set([1, '1', 1n]));
  });
});

describe('proxies inside values', () => {
  it('come back as live proxies, and a stored object lives while stored and is freed after', async () => {
    await using manager = await serveManager();
    const baseline = await manager.numberOfObjects();
    using d = await manager.dict<string, unknown>();
    {
      using inner = await manager.list([1]);
      await d.setItem('inner', inner);
      await d.setItem('deep', { list: [inner], map: new Map([['x', inner]]) });
    }
    // Our own proxy is released (and collected if nothing held it); the dict still holds the list.
    expect(await manager.numberOfObjects()).toBe(baseline + 2);
    {
      using again = (await d.getItem('inner')) as ListProxy<number>;
      expect(again).toBeInstanceOf(ListProxy);
      await again.append(2);
      const deep = (await d.getItem('deep')) as { list: ListProxy<number>[]; map: Map<string, ListProxy<number>> };
      expect(await deep.list[0]!.copy()).toEqual([1, 2]);
      expect(await deep.map.get('x')!.len()).toBe(2);
      deep.list[0]!.releaseProxy();
      deep.map.get('x')!.releaseProxy();
    }
    await d.delItem('inner');
    // 'deep' still holds the list.
    expect(await manager.numberOfObjects()).toBe(baseline + 2);
    await d.delItem('deep');
    expect(await manager.numberOfObjects()).toBe(baseline + 1);
  });

  it('a dict of dicts: nested proxies all the way down, as in Python', async () => {
    await using manager = await serveManager();
    using outer = await manager.dict<string, DictProxy<string, number>>();
    {
      using inner = await manager.dict<string, number>();
      await outer.setItem('a', inner);
    }
    using a = await outer.getItem('a');
    expect(a).toBeInstanceOf(DictProxy);
    await a.setItem('x', 1);
    using again = await outer.getItem('a');
    expect(await again.getItem('x')).toBe(1);
    expect(again.id).toBe(a.id);
  });

  it('a proxy of another manager stored in a dict comes back as a live proxy of that manager', async () => {
    await using manager = await serveManager();
    await using other = await serveManager();
    using d = await manager.dict<string, unknown>();
    {
      using foreign = await other.list(['elsewhere']);
      await d.setItem('foreign', foreign);
      using back = (await d.getItem('foreign')) as ListProxy<string>;
      expect(back.address).toBe(other.address);
      expect(await back.copy()).toEqual(['elsewhere']);
    }
    await d.clear();
  });
});

describe('what cannot cross is refused before sending', () => {
  class Point {
    x = 1;
  }

  it('a function, a symbol or a class instance is a TypeError naming where it was', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<string, unknown>();
    await expect(d.setItem('f', function callback() {})).rejects.toThrow(
      new TypeError('a function (callback) at argument 2 of setItem() cannot be sent to the manager: only plain data and proxies can'),
    );
    await expect(d.setItem('s', Symbol('tag'))).rejects.toThrow(/a symbol \(Symbol\(tag\)\) at argument 2 of setItem\(\)/);
    await expect(d.setItem('p', { list: [1, new Point()] })).rejects.toThrow(
      /an instance of class Point at argument 2 of setItem\(\)\.list\[1\] cannot be sent/,
    );
    await expect(d.update(new Map([['k', () => 1]]))).rejects.toThrow(TypeError);
    await expect(manager.list([1, new Point()])).rejects.toThrow(/an instance of class Point at argument 1 of list\(\)\[1\]/);
    expect(await d.len()).toBe(0);
  });
});
