import { createHash, randomBytes } from 'node:crypto';
import {
  checkItemCount,
  IndexError,
  maxItems,
  messages,
  OverflowError,
  pyRepeat,
  pySorted,
  pythonRepr,
  pyTypeName,
  repeatCount,
  repeatedLength,
  resolveSlice,
  sliceIndices,
  ValueError,
} from '@mpts/proxy/wire';
import { equalityKey } from '../canon.js';
import { Script } from '../script.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { pack, unpack } from '../stored-values.js';

/*
 * A list is one Redis LIST `l` of packed items. Indexing is native (negative indices too);
 * removing or inserting in the middle is O(n) in Redis, as in Python, but it blocks every
 * Redis client while it runs: see "Scaling out" in the README.
 */
const parts = ['l'] as const;

const setItemScript = new Script(`
local n = redis.call('LLEN', KEYS[1])
local i = tonumber(ARGV[1])
if i < 0 then i = i + n end
if i < 0 or i >= n then return 0 end
redis.call('LSET', KEYS[1], i, ARGV[2])
return 1`);

/**
 * Removes item i (negative from the end): marks it with a tombstone no stored item can equal,
 * then removes the tombstone. Returns the item, or 0 when out of range, -1 when empty.
 */
const removeAtScript = new Script(`
local n = redis.call('LLEN', KEYS[1])
if n == 0 then return -1 end
local i = tonumber(ARGV[1])
if i < 0 then i = i + n end
if i < 0 or i >= n then return 0 end
local item = redis.call('LINDEX', KEYS[1], i)
redis.call('LSET', KEYS[1], i, ARGV[2])
redis.call('LREM', KEYS[1], 1, ARGV[2])
return item`);

/** Python's insert: an index past either end clamps to it. */
const insertScript = new Script(`
local n = redis.call('LLEN', KEYS[1])
local i = tonumber(ARGV[1])
if i < 0 then i = math.max(0, i + n) elseif i > n then i = n end
if i == n then redis.call('RPUSH', KEYS[1], ARGV[2]); return 1 end
if i == 0 then redis.call('LPUSH', KEYS[1], ARGV[2]); return 1 end
local pivot = redis.call('LINDEX', KEYS[1], i)
redis.call('LSET', KEYS[1], i, ARGV[3])
redis.call('LINSERT', KEYS[1], 'BEFORE', ARGV[3], ARGV[2])
redis.call('LSET', KEYS[1], i + 1, pivot)
return 1`);

/** Removes item i only if it is still `expected` (a remove() decided on a snapshot). */
const removeIfScript = new Script(`
if redis.call('LINDEX', KEYS[1], tonumber(ARGV[1])) ~= ARGV[2] then return 0 end
redis.call('LSET', KEYS[1], tonumber(ARGV[1]), ARGV[3])
redis.call('LREM', KEYS[1], 1, ARGV[3])
return 1`);

const reverseScript = new Script(`
local items = redis.call('LRANGE', KEYS[1], 0, -1)
if #items < 2 then return 1 end
redis.call('DEL', KEYS[1])
for i = #items, 1, -1 do redis.call('RPUSH', KEYS[1], items[i]) end
return 1`);

/** Lua's `RPUSH` of `list[from..to]`, a few thousand at a time: Lua's `unpack` has a stack limit. */
const luaPushAll = `
local function pushAll(key, list, from, to)
  for i = from, to, 4000 do redis.call('RPUSH', key, unpack(list, i, math.min(i + 3999, to))) end
end`;

/*
 * A slice's indices depend only on the list's length: each slice script runs only if the list
 * still has the length its slice was resolved for, and the caller resolves it again if not.
 */

/** `l[start:stop] = values`: items start..stop-1 replaced by ARGV[4..], which may be more or fewer. */
const replaceRangeScript = new Script(`${luaPushAll}
if redis.call('LLEN', KEYS[1]) ~= tonumber(ARGV[1]) then return 0 end
local start, stop = tonumber(ARGV[2]), tonumber(ARGV[3])
local tail = redis.call('LRANGE', KEYS[1], stop, -1)
if start == 0 then redis.call('DEL', KEYS[1]) else redis.call('LTRIM', KEYS[1], 0, start - 1) end
pushAll(KEYS[1], ARGV, 4, #ARGV)
pushAll(KEYS[1], tail, 1, #tail)
return 1`);

/** `l[start:stop:step] = values` with step ≠ 1: ARGV[4..] go to start, start + step, … */
const setEachScript = new Script(`
if redis.call('LLEN', KEYS[1]) ~= tonumber(ARGV[1]) then return 0 end
local i, step = tonumber(ARGV[2]), tonumber(ARGV[3])
for k = 4, #ARGV do
  redis.call('LSET', KEYS[1], i, ARGV[k])
  i = i + step
end
return 1`);

/** `del l[start:stop:step]`: `count` items from `first` every `stride` marked, then removed. */
const deleteEachScript = new Script(`
if redis.call('LLEN', KEYS[1]) ~= tonumber(ARGV[1]) then return 0 end
local first, stride, count = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
for k = 0, count - 1 do redis.call('LSET', KEYS[1], first + k * stride, ARGV[5]) end
redis.call('LREM', KEYS[1], 0, ARGV[5])
return 1`);

/** Replaces the list by ARGV[2..] only if its items still hash to ARGV[1] (see `digest`). */
const replaceIfUnchangedScript = new Script(`${luaPushAll}
local items = redis.call('LRANGE', KEYS[1], 0, -1)
local parts = {}
for i, item in ipairs(items) do parts[i] = #item .. ':' .. item end
if redis.sha1hex(table.concat(parts)) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
pushAll(KEYS[1], ARGV, 2, #ARGV)
return 1`);

/**
 * `l *= count`: the list followed by count - 1 copies of itself, unless that would pass
 * ARGV[2] items. Returns {1, length} when done, {0, length} when refused.
 */
const repeatInPlaceScript = new Script(`${luaPushAll}
local n = redis.call('LLEN', KEYS[1])
local count = tonumber(ARGV[1])
if n == 0 then return {1, 0} end
if count <= 0 then redis.call('DEL', KEYS[1]); return {1, n} end
if n * count > tonumber(ARGV[2]) then return {0, n} end
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for r = 2, count do pushAll(KEYS[1], items, 1, n) end
return {1, n}`);

/** The SHA-1 of a snapshot, each item as its length, ':', its bytes, as the Lua above hashes it. */
function digest(stored: Buffer[]): string {
  const hash = createHash('sha1');
  for (const item of stored) hash.update(`${item.length}:`).update(item);
  return hash.digest('hex');
}

/** A value no packed item can be: msgpack never starts with these bytes and this length. */
function tombstone(): Buffer {
  return Buffer.concat([Buffer.from([0xc1]), randomBytes(15)]);
}

/** Python's `l[i]` index: a bool is an int, a float or anything else a `TypeError`. */
function itemIndex(index: unknown): number {
  if (typeof index === 'boolean') return Number(index);
  if (typeof index === 'bigint') {
    if (index > 2n ** 63n - 1n || index < -(2n ** 63n)) throw new IndexError(messages.indexSizedInteger);
    return Number(index);
  }
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    throw new TypeError(messages.indicesNotIntegersOrSlices('list', pyTypeName(index)));
  }
  return index;
}

/** The index of `insert` and `pop` (Python's `PyNumber_AsSsize_t`). */
function ssizeIndex(value: unknown): number {
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'bigint') {
    if (value > 2n ** 63n - 1n || value < -(2n ** 63n)) throw new OverflowError(messages.intTooLargeForSsize);
    return Number(value);
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(messages.integerExpected(pyTypeName(value)));
  return value;
}

function toArray(values: unknown): unknown[] {
  if (Array.isArray(values)) return values;
  if (values instanceof Set || values instanceof Map) return [...values.keys()];
  if (typeof values === 'string') return [...values];
  throw new TypeError(messages.notIterable(pyTypeName(values)));
}

async function snapshot(context: MethodContext): Promise<Buffer[]> {
  return await context.client.lrangeBuffer(context.keys.key('l'), 0, -1);
}

async function items(context: MethodContext): Promise<unknown[]> {
  return (await snapshot(context)).map(unpack);
}

/** Where `value` is, by Python's `==`, in a snapshot (−1 if nowhere). */
function find(stored: Buffer[], value: unknown, from = 0, to = stored.length): number {
  const wanted = equalityKey(value);
  for (let i = from; i < to; i++) if (equalityKey(unpack(stored[i]!)) === wanted) return i;
  return -1;
}

/** Python's `list` on Redis. */
export const listType: SharedType = {
  typeIds: ['list'],
  parts,
  async init(context, [init]) {
    if (init === undefined) return;
    const values = toArray(init);
    if (values.length > 0) await context.client.rpush(context.keys.key('l'), ...values.map(pack));
  },
  methods: {
    async getItem(context, [index]) {
      const item = await context.client.lindexBuffer(context.keys.key('l'), itemIndex(index));
      if (item === null) throw new IndexError(messages.listIndexOutOfRange);
      return unpack(item);
    },
    async setItem(context, [index, value]) {
      const done = await setItemScript.run(context.client, [context.keys.key('l')], [itemIndex(index), pack(value)]);
      if (done === 0) throw new IndexError(messages.listAssignmentIndexOutOfRange);
      return null;
    },
    async delItem(context, [index]) {
      const item = await removeAtScript.run(context.client, [context.keys.key('l')], [itemIndex(index), tombstone()]);
      if (typeof item === 'number') throw new IndexError(messages.listAssignmentIndexOutOfRange);
      return null;
    },
    async getSlice(context, [start, stop, step]) {
      const all = await items(context);
      const slice = resolveSlice(all.length, start, stop, step);
      return [...sliceIndices(slice)].map((i) => all[i]);
    },
    async setSlice(context, [start, stop, step, values]) {
      const replacement = toArray(values).map(pack);
      const key = context.keys.key('l');
      for (;;) {
        const length = await context.client.llen(key);
        const slice = resolveSlice(length, start, stop, step);
        let done: number;
        if (slice.step === 1) {
          // A simple slice may change the list's length: l[1:3] = [7, 8, 9].
          const end = Math.max(slice.start, slice.stop);
          checkItemCount('a list', length - (end - slice.start) + replacement.length);
          done = await replaceRangeScript.run(context.client, [key], [length, slice.start, end, ...replacement]);
        } else {
          if (replacement.length !== slice.count) {
            throw new ValueError(messages.extendedSliceSize(replacement.length, slice.count));
          }
          done = await setEachScript.run(context.client, [key], [length, slice.start, slice.step, ...replacement]);
        }
        if (done === 1) return null;
      }
    },
    async delSlice(context, [start, stop, step]) {
      const key = context.keys.key('l');
      for (;;) {
        const length = await context.client.llen(key);
        const slice = resolveSlice(length, start, stop, step);
        if (slice.count === 0) return null;
        // The doomed indices, lowest first, are first + k * stride for k < count.
        const stride = Math.abs(slice.step);
        const first = slice.step > 0 ? slice.start : slice.start + (slice.count - 1) * slice.step;
        const done = await deleteEachScript.run(context.client, [key], [length, first, stride, slice.count, tombstone()]);
        if (done === 1) return null;
      }
    },
    async len(context) {
      return await context.client.llen(context.keys.key('l'));
    },
    async contains(context, [value]) {
      return find(await snapshot(context), value) >= 0;
    },
    async append(context, [value]) {
      await context.client.rpush(context.keys.key('l'), pack(value));
      return null;
    },
    async extend(context, [values]) {
      const added = toArray(values);
      if (added.length > 0) await context.client.rpush(context.keys.key('l'), ...added.map(pack));
      return null;
    },
    async insert(context, [index, value]) {
      await insertScript.run(context.client, [context.keys.key('l')], [ssizeIndex(index), pack(value), tombstone()]);
      return null;
    },
    async pop(context, args) {
      const index = args.length === 0 ? -1 : ssizeIndex(args[0]);
      const item = await removeAtScript.run(context.client, [context.keys.key('l')], [index, tombstone()]);
      if (item === -1) throw new IndexError(messages.popFromEmptyList);
      if (item === 0) throw new IndexError(messages.popIndexOutOfRange);
      return unpack(item as Buffer);
    },
    async remove(context, [value]) {
      // Python's == cannot run in Lua (msgpack values, Python's number rules): find the item in
      // a snapshot, remove it only if it is still there, and look again if the list changed.
      for (;;) {
        const stored = await snapshot(context);
        const at = find(stored, value);
        if (at < 0) throw new ValueError(messages.listRemoveMissing);
        const done = await removeIfScript.run(context.client, [context.keys.key('l')], [at, stored[at]!, tombstone()]);
        if (done === 1) return null;
      }
    },
    async index(context, [value, start = 0, stop = null]) {
      const stored = await snapshot(context);
      const isInt = (v: unknown) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
      if (!isInt(start) || !(stop === null || isInt(stop))) throw new TypeError(messages.indexBoundsNotIntegers);
      const slice = resolveSlice(stored.length, start, stop, 1);
      const at = find(stored, value, slice.start, slice.start + slice.count);
      if (at < 0) throw new ValueError(messages.notInList(pythonRepr(value)));
      return at;
    },
    async count(context, [value]) {
      const wanted = equalityKey(value);
      return (await items(context)).filter((item) => equalityKey(item) === wanted).length;
    },
    async reverse(context) {
      await reverseScript.run(context.client, [context.keys.key('l')]);
      return null;
    },
    async clear(context) {
      await context.client.del(context.keys.key('l'));
      return null;
    },
    async sort(context, [reverse = false]) {
      // Python's < cannot run in Lua: sort a snapshot, and write it back only if the list is
      // still that snapshot. Two items that cannot be compared leave the list as it was.
      for (;;) {
        const stored = await snapshot(context);
        const sorted = pySorted(stored.map(unpack), Boolean(reverse)).map(pack);
        if (stored.length < 2) return null;
        const done = await replaceIfUnchangedScript.run(context.client, [context.keys.key('l')], [digest(stored), ...sorted]);
        if (done === 1) return null;
      }
    },
    async repeat(context, [times]) {
      const count = repeatCount(times);
      return pyRepeat(await items(context), count);
    },
    async imul(context, [times]) {
      const count = repeatCount(times);
      // Past the item limit Lua only needs to know it is past: the exact count is for the message.
      const bounded = count <= 0 ? 0 : count > maxItems ? maxItems + 1 : Number(count);
      const [done, length] = await repeatInPlaceScript.run(context.client, [context.keys.key('l')], [bounded, maxItems]);
      if (done === 0) repeatedLength(length, count);
      return null;
    },
    async copy(context) {
      return await items(context);
    },
    async concat(context, [other]) {
      return [...(await items(context)), ...toArray(other)];
    },
    async '#getvalue'(context) {
      return await items(context);
    },
  },
};
