/**
 * The pickle codec against real CPython: what mpts encodes, `pickle.loads` reads as the same
 * value; what `pickle.dumps` writes (protocols 2 to 5), mpts decodes as the same value. And the
 * decoder refuses what it must: globals outside its allowlist, opcodes that run code, cycles,
 * expansion, truncation.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePickle } from '../../src/python-clients/pickle-decode.js';
import { encodePickle } from '../../src/python-clients/pickle-encode.js';
import { UnpicklingError } from '../../src/python-clients/pickle-error.js';
import { asTuple, isTuple, PythonToken } from '../../src/python-clients/python-values.js';
import { PythonFloat } from '@mpts/proxy/wire';
import { findPythons, pythonMissing } from './python-interpreter.js';
import { PickleOracle } from './python-oracle.js';

const pythons = findPythons();
const skip = pythonMissing(pythons);

/** A value as mpts holds it, and the same value as a Python expression. */
interface Spec {
  js: unknown;
  py: string;
}

const integer = fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }).map(
  (n): Spec => ({ js: Number.isSafeInteger(Number(n)) ? Number(n) : n, py: String(n) }),
);
const text = fc.string({ unit: 'grapheme', maxLength: 300 }).map((s): Spec => ({ js: s, py: JSON.stringify(s) }));
const hashableLeaf = fc.oneof(integer, text);
const hashable: fc.Arbitrary<Spec> = fc.oneof(
  hashableLeaf,
  fc.array(hashableLeaf, { maxLength: 3 }).map((items) => tupleSpec(items)),
);

const leaf = fc.oneof(
  fc.constant<Spec>({ js: null, py: 'None' }),
  fc.boolean().map((b): Spec => ({ js: b, py: b ? 'True' : 'False' })),
  integer,
  fc
    .double()
    // A whole float is kept apart from an int (as a PythonFloat), any other as a number.
    .map((x): Spec => ({ js: PythonFloat.of(x), py: Object.is(x, -0) ? '-0.0' : `float('${x}')` })),
  text,
  fc.uint8Array({ maxLength: 300 }).map((b): Spec => ({ js: b, py: `bytes.fromhex('${Buffer.from(b).toString('hex')}')` })),
);

const value: fc.Arbitrary<Spec> = fc.letrec<{ value: Spec }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 5 }).map((items): Spec => ({ js: items.map((i) => i.js), py: `[${items.map((i) => i.py).join(', ')}]` })),
    fc.array(tie('value'), { maxLength: 5 }).map((items) => tupleSpec(items)),
    fc
      .uniqueArray(fc.tuple(hashable, tie('value')), { maxLength: 5, selector: ([key]) => key.py })
      .map((entries): Spec => ({
        js: new Map(entries.map(([k, v]) => [k.js, v.js])),
        py: `{${entries.map(([k, v]) => `${k.py}: ${v.py}`).join(', ')}}`,
      })),
    fc
      .uniqueArray(hashable, { maxLength: 5, selector: (item) => item.py })
      .map((items): Spec => ({ js: new Set(items.map((i) => i.js)), py: items.length === 0 ? 'set()' : `{${items.map((i) => i.py).join(', ')}}` })),
  ),
})).value;

function tupleSpec(items: Spec[]): Spec {
  const py = items.length === 1 ? `(${items[0]!.py},)` : `(${items.map((i) => i.py).join(', ')})`;
  return { js: asTuple(items.map((i) => i.js)), py };
}

/** A text that is equal for equal values, tuples apart from lists, set order ignored. */
function canon(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'number') return Object.is(v, -0) ? 'n-0' : `n${v}`;
  if (typeof v === 'bigint') return `b${v}`;
  if (v instanceof PythonFloat) return `f${v.value}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return `x${Buffer.from(v).toString('hex')}`;
  if (Array.isArray(v)) return `${isTuple(v) ? 'T' : 'L'}(${v.map(canon).join(',')})`;
  if (v instanceof Map) return `D(${[...v].map(([k, x]) => `${canon(k)}:${canon(x)}`).join(',')})`;
  if (v instanceof Set) return `S(${[...v].map(canon).sort().join(',')})`;
  throw new Error(`unexpected ${String(v)}`);
}

describe.skipIf(skip !== undefined).each(pythons)('pickle codec against %s', (python) => {
  let oracle: PickleOracle;
  beforeAll(() => {
    oracle = new PickleOracle(python);
  });
  afterAll(() => oracle.close());

  it('pickle.loads reads what mpts encodes as the same value', async () => {
    await fc.assert(
      fc.asyncProperty(value, async (spec) => {
        const answer = await oracle.loads(encodePickle(spec.js), spec.py);
        expect(answer, `${spec.py} came back as ${answer.got}`).toMatchObject({ ok: true });
      }),
      { numRuns: 150 },
    );
  });

  it.each([2, 3, 4, 5])('mpts decodes what pickle.dumps writes with protocol %i', async (protocol) => {
    await fc.assert(
      fc.asyncProperty(value, async (spec) => {
        // Protocol 2 writes bytes as a call of _codecs.encode, which the manager refuses.
        fc.pre(protocol >= 3 || !/bytes\.fromhex/.test(spec.py));
        const decoded = decodePickle(await oracle.dumps(spec.py, protocol));
        expect(canon(decoded)).toBe(canon(spec.js));
      }),
      { numRuns: 100 },
    );
  });

  it('decodes a manager Token and a bytearray', async () => {
    const token = decodePickle(await oracle.dumps("__import__('multiprocessing.managers').managers.Token('dict', ('127.0.0.1', 5000), '7f01')", 4));
    expect(token).toEqual(new PythonToken('dict', asTuple(['127.0.0.1', 5000]), '7f01'));
    expect(decodePickle(await oracle.dumps("bytearray(b'abc')", 4))).toEqual(new Uint8Array([97, 98, 99]));
    expect(decodePickle(await oracle.dumps("bytearray(b'abc')", 5))).toEqual(new Uint8Array([97, 98, 99]));
  });

  it('reads short strs it has seen before as themselves, whatever else shares their slot', () => {
    const texts = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? `k${i}` : i % 3 === 1 ? `é${i}ü` : `${'x'.repeat(i % 33)}${i}`.slice(-32)));
    for (let round = 0; round < 2; round++) {
      for (const text of texts) expect(decodePickle(encodePickle(text))).toBe(text);
    }
  });

  it('refuses globals outside the allowlist, naming them', async () => {
    for (const literal of ["__import__('os').system", "__import__('datetime').date(2020, 1, 1)", "__import__('decimal').Decimal('1.5')"]) {
      expect(() => decodePickle(Buffer.alloc(0)), literal).toThrow(UnpicklingError);
      const data = await oracle.dumps(literal, 4);
      expect(() => decodePickle(data)).toThrow(/is not allowed/);
    }
  });

  it('refuses a cycle, which mpts cannot store', async () => {
    const data = await oracle.dumps('(lambda l: (l.append(l), l)[1])([])', 4);
    expect(() => decodePickle(data)).toThrow(/cycle/);
  });
});

describe('pickle decoder limits', () => {
  it('refuses the opcodes that run code or name objects by reference', () => {
    // INST, OBJ, EXT1, PERSID, BINPERSID, NEXT_BUFFER, and a protocol-0 string.
    for (const op of [0x69, 0x6f, 0x82, 0x50, 0x51, 0x97, 0x55]) {
      expect(() => decodePickle(Uint8Array.from([0x80, 4, op, 0x2e]))).toThrow(UnpicklingError);
    }
  });

  it('refuses truncated data and lengths past the end', () => {
    expect(() => decodePickle(Uint8Array.from([0x80, 4, 0x4e]))).toThrow(/truncated/);
    expect(() => decodePickle(Uint8Array.from([0x80, 4, 0x58, 0xff, 0xff, 0xff, 0x7f, 0x2e]))).toThrow(/truncated/);
    expect(() => decodePickle(Uint8Array.from([0x80, 4, 0x8e, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0x2e]))).toThrow(/truncated/);
  });

  it('refuses a cycle made with DUP, without the memo', () => {
    // EMPTY_LIST, DUP, APPEND: a list that holds itself.
    expect(() => decodePickle(Uint8Array.from([0x80, 4, 0x5d, 0x32, 0x61, 0x2e]))).toThrow(/cycle/);
  });

  it('refuses nesting past its depth limit', () => {
    const deep = Buffer.concat([Buffer.from([0x80, 4]), Buffer.alloc(2000, 0x5d), Buffer.alloc(1999, 0x61), Buffer.from([0x2e])]);
    expect(() => decodePickle(deep)).toThrow(/deeper than 1000/);
  });

  it('refuses shared references that expand exponentially', () => {
    // l0 = []; l1 = [l0, l0]; l2 = [l1, l1]; ... 2^40 values as a tree, in a few hundred bytes.
    const ops = [0x80, 4, 0x5d, 0x94, 0x30];
    for (let i = 0; i < 40; i++) ops.push(0x5d, 0x28, 0x68, i, 0x68, i, 0x65, 0x94, 0x30);
    ops.push(0x68, 40, 0x2e);
    expect(() => decodePickle(Uint8Array.from(ops))).toThrow(/expands to more than/);
  });
});

describe('pickle encoder refusals', () => {
  it('names what it cannot send to Python', () => {
    expect(() => encodePickle(() => 1)).toThrow(TypeError);
    expect(() => encodePickle(new Date(0))).toThrow(/Date object cannot be sent to Python/);
  });
});
