import {
  arrayRepr,
  arrayTypecode,
  checkArrayIndex,
  checkArrayLength,
  coerceArrayItem,
  checkItemCount,
  fitsSsize,
  IndexError,
  maxItems,
  messages,
  resolveIndex,
  resolveSlice,
  sliceIndices,
  type ArrayItem,
  type RangedTypecode,
} from '@mpts/proxy/wire';
import { Script, text } from '../script.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { pack, unpack } from '../stored-values.js';

/*
 * An array is a Redis LIST `a` of packed items and a STRING `c`, its typecode. Neither changes
 * after it is made, so what a method learns of them stays true: every read or write of items is
 * then one Redis command (LINDEX, LSET, LRANGE), atomic on its own. Items are checked against the
 * typecode by the manager's rules, so both backends hold and refuse the same values.
 */

/** The length and the typecode, in one round trip. */
const shapeScript = new Script(`return {redis.call('LLEN', KEYS[1]), redis.call('GET', KEYS[2])}`);

type Item = ArrayItem;

/** Items pushed per RPUSH while an array is made: large arrays go in bounded steps. */
const pushBatch = 10_000;





/** The zero item of a typecode, as the manager's zero-filled typed array holds it. */
function zero(typecode: RangedTypecode | undefined): Item {
  if (typecode === undefined) return '\0';
  return typecode.kind === 'bigint' ? 0n : 0;
}

async function length(context: MethodContext): Promise<number> {
  return await context.client.llen(context.keys.key('a'));
}

/**
 * An array index as LINDEX takes it: an int the manager's array accepts, `IndexError` for one
 * past a C ssize_t. One past the longest array is out of range whatever the length, so it needs
 * no exact digits.
 */
function listIndex(index: unknown): number {
  checkArrayIndex(index);
  if (typeof index === 'bigint' && !fitsSsize(index)) throw new IndexError(messages.indexSizedInteger);
  const at = Number(index);
  return Math.abs(at) > maxItems ? Math.sign(at) * (maxItems + 1) : at;
}

async function items(context: MethodContext): Promise<Item[]> {
  return (await context.client.lrangeBuffer(context.keys.key('a'), 0, -1)).map((item) => unpack(item) as Item);
}

/** The manager's `Array(typecode, sequenceOrSize)` (Python's `array.array`) on Redis. */
export const arrayType: SharedType = {
  typeIds: ['Array'],
  parts: ['a', 'c'],
  async init(context, [code, init = []]) {
    const typecode = arrayTypecode(code);
    let packed: Buffer[];
    if (typeof init === 'number') {
      // Zeros: one packed zero, pushed as many times as asked.
      packed = new Array<Buffer>(checkArrayLength(init)).fill(pack(zero(typecode)));
    } else {
      const given = Array.from(init as Iterable<unknown>);
      checkItemCount('an array', given.length);
      packed = given.map((value) => pack(coerceArrayItem(typecode, value)));
    }
    const key = context.keys.key('a');
    for (let from = 0; from < packed.length; from += pushBatch) {
      await context.client.rpush(key, ...packed.slice(from, from + pushBatch));
    }
    await context.client.set(context.keys.key('c'), code as string);
  },
  methods: {
    async len(context) {
      return await length(context);
    },
    async getItem(context, [index]) {
      // LINDEX counts from the end for a negative index and finds nothing out of range, as the
      // manager's check does: one command, no length needed.
      const item = await context.client.lindexBuffer(context.keys.key('a'), listIndex(index));
      if (item === null) throw new IndexError(messages.arrayIndexOutOfRange);
      return unpack(item);
    },
    async setItem(context, [index, value]) {
      checkArrayIndex(index);
      const [length, code] = await shapeScript.run(context.client, [context.keys.key('a'), context.keys.key('c')]);
      // The index is checked before the item, as the manager and Python check them.
      const at = resolveIndex(length as number, index, messages.arrayAssignmentIndexOutOfRange, 'array');
      const item = coerceArrayItem(arrayTypecode(text(code)), value);
      await context.client.lset(context.keys.key('a'), at, pack(item));
      return null;
    },
    async getSlice(context, [start, stop, step]) {
      const slice = resolveSlice(await length(context), start, stop, step);
      if (slice.count === 0) return [];
      const last = slice.start + (slice.count - 1) * slice.step;
      const [low, high] = slice.step > 0 ? [slice.start, last] : [last, slice.start];
      // One LRANGE over the span the slice covers: one atomic read, however it steps.
      const span = await context.client.lrangeBuffer(context.keys.key('a'), low, high);
      return Array.from(sliceIndices(slice), (i) => unpack(span[i - low]!));
    },
    async '#getvalue'(context) {
      return await items(context);
    },
    /** Python's repr, as the manager gives it: `array('i', [1, 2])`, `array('u', 'ab')`, `array('d')`. */
    async '#str'(context) {
      const [code, all] = await Promise.all([context.client.get(context.keys.key('c')), items(context)]);
      return arrayRepr(code ?? '', all);
    },
  },
};
