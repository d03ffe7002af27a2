import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { registerTransferHandler } from '@mpts/proxy';
import { decode, encode, encodeFrame, prepareArgument, prepareValue } from '@mpts/proxy/wire';

/** What the manager gets: the value checked and prepared for the wire, encoded, decoded. */
function roundTrip(value: unknown): unknown {
  return decode(encode(prepareValue(value, 'value')));
}

describe('codec round-trips', () => {
  it('keeps undefined and null apart, and -0, NaN and the infinities', () => {
    expect(roundTrip(undefined)).toBeUndefined();
    expect(roundTrip(null)).toBeNull();
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(Object.is(roundTrip(0), 0)).toBe(true);
    expect(roundTrip(NaN)).toBeNaN();
    expect(roundTrip(Infinity)).toBe(Infinity);
    expect(roundTrip(-Infinity)).toBe(-Infinity);
    const nested = roundTrip({ a: [-0, 0, { b: -0 }], m: new Map([[1, -0]]) }) as any;
    expect(Object.is(nested.a[0], -0)).toBe(true);
    expect(Object.is(nested.a[1], 0)).toBe(true);
    expect(Object.is(nested.a[2].b, -0)).toBe(true);
    expect(Object.is(nested.m.get(1), -0)).toBe(true);
  });

  it('keeps bigints bigints and numbers numbers, at every size', () => {
    for (const big of [0n, 1n, -1n, 2n ** 53n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 64n, -(2n ** 64n), 10n ** 40n, -(10n ** 40n)]) {
      expect(roundTrip(big)).toBe(big);
    }
    for (const number of [0, 1, -1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, -(2 ** 53), 0.25, 1e300, Number.MIN_VALUE]) {
      expect(roundTrip(number)).toBe(number);
    }
  });

  it('keeps Map keys of different kinds apart, and plain objects plain', () => {
    const map = new Map<unknown, unknown>([[1, 'number'], ['1', 'string'], [0.25, 'float'], [true, 'bool'], [1n, 'bigint']]);
    const back = roundTrip(map) as Map<unknown, unknown>;
    expect(back).toBeInstanceOf(Map);
    expect([...back]).toEqual([...map]);
    const object = roundTrip({ x: 1, y: { z: [1, 'a'] } });
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    expect(object).toEqual({ x: 1, y: { z: [1, 'a'] } });
    expect(roundTrip(new Map())).toEqual(new Map());
    expect(roundTrip({})).toEqual({});
  });

  it('keeps Sets, Dates, bytes and unicode', () => {
    expect(roundTrip(new Set([1, 'a', null]))).toEqual(new Set([1, 'a', null]));
    const date = new Date('2024-02-29T12:34:56.789Z');
    expect((roundTrip(date) as Date).getTime()).toBe(date.getTime());
    const bytes = roundTrip(new Uint8Array([0, 1, 255]));
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...(bytes as Uint8Array)]).toEqual([0, 1, 255]);
    expect([...(roundTrip(Buffer.from('hi')) as Uint8Array)]).toEqual([104, 105]);
    const text = 'héllo wörld 😀 \u0000 \u{10ffff} \u2028';
    expect(roundTrip(text)).toBe(text);
  });

  it('round-trips arbitrary JSON-like values and deep mixes (property)', () => {
    const leaf = fc.oneof(
      fc.constant(undefined), fc.constant(null), fc.boolean(), fc.double(), fc.integer(),
      fc.bigInt(), fc.string({ unit: 'grapheme' }), fc.date({ noInvalidDate: true }),
      fc.uint8Array({ maxLength: 8 }),
    );
    const value = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('map'), tie('set')),
      array: fc.array(tie('value'), { maxLength: 4 }),
      // fast-check favours the key '__proto__', which mpts refuses on purpose (tested below).
      object: fc.dictionary(fc.string().filter((key) => key !== '__proto__'), tie('value'), { maxKeys: 4, noNullPrototype: true }),
      map: fc.array(fc.tuple(fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.bigInt(), fc.double({ noNaN: true })), tie('value')), { maxLength: 4 })
        .map((entries) => new Map(entries)),
      set: fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 4 }).map((items) => new Set(items)),
    })).value;
    fc.assert(fc.property(value, (v) => {
      expect(roundTrip(v)).toStrictEqual(v);
    }));
  });

  it('frames a message with its length in front', () => {
    const frame = encodeFrame([0, 1, 'x']);
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    expect(decode(frame.subarray(4))).toEqual([0, 1, 'x']);
  });
});

describe('prepareValue refuses what cannot cross, naming where it was', () => {
  class Point {
    x = 1;
  }

  it('refuses a function, a symbol and a class instance', () => {
    expect(() => prepareValue(function named() {}, 'argument 1 of setItem()')).toThrow(
      new TypeError('a function (named) at argument 1 of setItem() cannot be sent to the manager: only plain data and proxies can'),
    );
    expect(() => prepareValue(Symbol('s'), 'v')).toThrow(TypeError);
    expect(() => prepareValue(new Point(), 'v')).toThrow('an instance of class Point at v cannot be sent');
  });

  it('names the path inside arrays, objects, maps and sets', () => {
    expect(() => prepareValue({ a: [1, { b: () => 1 }] }, 'v')).toThrow(/at v\.a\[1\]\.b cannot/);
    expect(() => prepareValue(new Map([['k', new Point()]]), 'v')).toThrow(/at v\.get\("k"\) cannot/);
    expect(() => prepareValue(new Set([Symbol.iterator]), 'v')).toThrow(/at an element of v cannot/);
    expect(() => prepareValue({ [Symbol('k')]: 1 }, 'v')).toThrow(/at v\[symbol key\]/);
  });

  it('refuses a cycle', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => prepareValue(cyclic, 'v')).toThrow(TypeError);
    const shared = [1];
    expect(() => prepareValue([shared, shared], 'v')).not.toThrow();
  });
});

describe('prepareArgument', () => {
  it('answers a call argument as prepareValue does, naming the argument', () => {
    for (const value of [1, 2.5, NaN, 'text', '😀', null, undefined, true, 7n, [1, 'a'], { a: -0 }, -0]) {
      expect(decode(encode(prepareArgument(value, 0, 'setItem')))).toEqual(decode(encode(prepareValue(value, 'x'))));
    }
    // -0 is the one number prepared into something else (the marker that keeps its sign).
    expect(prepareArgument(-0, 0, 'setItem')).toBe(prepareValue(-0, 'x'));
    expect(prepareArgument(-0, 0, 'setItem')).not.toBe(-0);
    expect(() => prepareArgument('a\ud800b', 1, 'append')).toThrow(
      new TypeError('a string with a lone surrogate (not valid Unicode) at argument 2 of append() cannot be sent to the manager: only plain data and proxies can'),
    );
    expect(() => prepareArgument(Symbol('s'), 0, 'get')).toThrow(/at argument 1 of get\(\) cannot/);
  });
});

describe('a property named __proto__', () => {
  it('is refused before sending, since it would not come back as it was', () => {
    const object = JSON.parse('{"a": {"__proto__": 1}}');
    expect(() => prepareValue(object, 'v')).toThrow(
      new TypeError('a property named __proto__ at v.a.__proto__ cannot be sent to the manager: only plain data and proxies can'),
    );
  });

  it('is refused wherever it is, whatever it holds (property)', () => {
    const withProto = fc.dictionary(fc.string().filter((key) => key !== '__proto__'), fc.jsonValue(), { maxKeys: 3 })
      .chain((object) => fc.tuple(fc.constant(object), fc.jsonValue(), fc.nat({ max: 2 })));
    fc.assert(fc.property(withProto, ([object, inside, depth]) => {
      const poisoned: Record<string, unknown> = { ...object };
      Object.defineProperty(poisoned, '__proto__', { value: inside, enumerable: true, writable: true, configurable: true });
      let value: unknown = poisoned;
      let path = 'v';
      for (let i = 0; i < depth; i++) value = [value];
      for (let i = 0; i < depth; i++) path += '[0]';
      expect(() => prepareValue(value, 'v')).toThrow(
        new TypeError(`a property named __proto__ at ${path}.__proto__ cannot be sent to the manager: only plain data and proxies can`),
      );
    }));
  });
});

describe('a string that is not valid Unicode', () => {
  it('is refused before sending, since UTF-8 cannot carry a lone surrogate', () => {
    expect(() => prepareValue('a\ud800b', 'argument 1 of append()')).toThrow(
      new TypeError('a string with a lone surrogate (not valid Unicode) at argument 1 of append() cannot be sent to the manager: only plain data and proxies can'),
    );
    expect(() => prepareValue({ list: ['ok', '\udc00'] }, 'v')).toThrow(/at v\.list\[1\] cannot/);
    expect(() => prepareValue({ ['\ud800']: 1 }, 'v')).toThrow(/at a key of v cannot/);
    expect(prepareValue('😀 fine', 'v')).toBe('😀 fine');
  });
});

describe('bytes decoded from a frame', () => {
  it('are a copy when the frame is a small part of what was read, and keep nothing else alive', () => {
    const message = encode([0, 1, Buffer.from('small value')]);
    // A socket read of 64 KiB that held this frame among others.
    const read = Buffer.allocUnsafeSlow(64 * 1024);
    message.copy(read, 1000);
    const decoded = (decode(read.subarray(1000, 1000 + message.length)) as unknown[])[2] as Buffer;
    expect(Buffer.isBuffer(decoded)).toBe(true);
    expect(decoded.toString()).toBe('small value');
    expect(decoded.buffer.byteLength).toBeLessThan(64 * 1024);
    read.fill(0);
    expect(decoded.toString()).toBe('small value');
  });

  it('are the same bytes, Buffers, whether copied or not', () => {
    // Over 1 KB: a short message is always read from a copy (see the next tests).
    const value = Buffer.alloc(2000, 250);
    const frame = Buffer.from(encode([0, 1, value]));
    const own = Buffer.allocUnsafeSlow(frame.length);
    frame.copy(own);
    const inPart = Buffer.allocUnsafeSlow(frame.length * 3);
    frame.copy(inPart);
    for (const bytes of [own, inPart.subarray(0, frame.length)]) {
      const decoded = (decode(bytes) as unknown[])[2];
      expect(Buffer.isBuffer(decoded)).toBe(true);
      expect(decoded).toEqual(value);
    }
  });
});

describe('a short message', () => {
  it('gives bytes that outlive the next message decoded, and the buffer it came in', () => {
    const frame = Buffer.from(encode(['first', Buffer.from('first bytes')]));
    const [, bytes] = decode(frame) as [string, Buffer];
    frame.fill(0);
    expect(decode(Buffer.from(encode(['second', Buffer.from('second bytes')])))).toEqual(['second', Buffer.from('second bytes')]);
    expect(bytes.toString()).toBe('first bytes');
  });

  it('is read whole when a value in it decodes another message while it is read', () => {
    // A class that travels as a message of its own, decoded while the outer one is read.
    class Envelope {
      constructor(readonly inner: unknown) {}
    }
    registerTransferHandler<Envelope>({
      Class: Envelope,
      type: 97,
      write: (envelope) => Buffer.from(encode(envelope.inner)),
      read: (packed: Buffer) => new Envelope(decode(packed)),
    });
    const message = [Buffer.from('outer bytes'), 'before', new Envelope(['inner', 7, Buffer.from('inner bytes')]), 'after', 8];
    const decoded = decode(Buffer.from(encode(message))) as unknown[];
    expect(decoded).toEqual(message);
    expect(decoded[2]).toBeInstanceOf(Envelope);
  });

  it('is refused when cut short, even with the rest of it where the reused buffer has it', () => {
    const message = ['abc', 1, 2.5, Buffer.from('xyz'), { a: 'hello', b: [1, 2, 3] }, new Map([[1, 'x']]), 'z'.repeat(300), 2n ** 60n];
    const whole = Buffer.from(encode(message));
    for (let length = 1; length < whole.length; length++) {
      expect(decode(whole)).toEqual(message);
      expect(() => decode(whole.subarray(0, length)), `cut at ${length}`).toThrow();
    }
  });

  it('decodes the same whatever its size, around the size read from a reused buffer (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 990, maxLength: 1040 }), fc.uint8Array({ maxLength: 40 }), (text, raw) => {
        const value = [text, Buffer.from(raw)];
        expect(decode(Buffer.from(encode(value)))).toEqual(value);
      }),
      { numRuns: 200 },
    );
  });
});
