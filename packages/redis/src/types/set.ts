import { BaseProxy } from '@mpts/proxy';
import { exceptionValueRepr, KeyError, messages, pyTypeName } from '@mpts/proxy/wire';
import { canon } from '../canon.js';
import { Script } from '../script.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { pack, unpack } from '../stored-values.js';

/*
 * A set is one HASH `s`: canon(element) → the packed element first stored (Python keeps the
 * first of equal elements: `{1} | {True}` is `{1}`). Methods that change the set are one
 * command or one script; those that compute a new set read a snapshot and compute here.
 * Another shared set as an operand is read as a snapshot first: the two may sit in different
 * Cluster slots, so no atomic step spans both.
 */

/** ARGV canon, packed, ...: adds those not present. */
const addScript = new Script(`
for i = 1, #ARGV, 2 do redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1`);

const popScript = new Script(`
local field = redis.call('HRANDFIELD', KEYS[1])
if not field then return false end
local element = redis.call('HGET', KEYS[1], field)
redis.call('HDEL', KEYS[1], field)
return element`);

/** ARGV groups: count, canon...; keeps the elements found in every group. */
const intersectScript = new Script(`
local groups = {}
local i = 1
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  local group = {}
  for j = i + 1, i + n do group[ARGV[j]] = true end
  groups[#groups + 1] = group
  i = i + n + 1
end
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  for _, group in ipairs(groups) do
    if not group[field] then redis.call('HDEL', KEYS[1], field); break end
  end
end
return 1`);

/** ARGV canon, packed, ...: each element is removed if present, else added. */
const toggleScript = new Script(`
for i = 1, #ARGV, 2 do
  if redis.call('HDEL', KEYS[1], ARGV[i]) == 0 then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1`);

/** An operand's elements, as the manager reads them (another shared object: its snapshot). */
async function elementsOf(other: unknown): Promise<unknown[]> {
  if (Array.isArray(other)) return other;
  if (other instanceof Set) return [...other];
  if (typeof other === 'string') return [...other];
  if (other instanceof Map) return [...other.keys()];
  if (ArrayBuffer.isView(other) && !(other instanceof DataView)) return Array.from(other as unknown as ArrayLike<unknown>);
  if (other instanceof BaseProxy) {
    const value = await other.getValue();
    if (typeof value === 'object' && value !== null && !(value instanceof BaseProxy)) return await elementsOf(value);
    throw new TypeError(messages.notIterable(`${other.typeId}Proxy`));
  }
  if (typeof other === 'object' && other !== null && Object.getPrototypeOf(other) === Object.prototype) return Object.keys(other);
  throw new TypeError(messages.notIterable(pyTypeName(other)));
}

/** Distinct elements by Python's equality, the first of equal ones kept. */
function distinct(elements: Iterable<unknown>): Map<string, unknown> {
  const result = new Map<string, unknown>();
  for (const element of elements) {
    const key = canon(element);
    if (!result.has(key)) result.set(key, element);
  }
  return result;
}

function packed(elements: Map<string, unknown>): (string | Buffer)[] {
  return [...elements].flatMap(([key, element]) => [key, pack(element)]);
}

async function snapshot(context: MethodContext): Promise<Map<string, unknown>> {
  const all = await context.client.hgetallBuffer(context.keys.key('s'));
  return new Map(Object.entries(all).map(([key, element]) => [key, unpack(element)]));
}

async function operands(others: unknown[]): Promise<Map<string, unknown>[]> {
  return await Promise.all(others.map(async (other) => distinct(await elementsOf(other))));
}

/** Elements that can be no member (a `Set` is unhashable): `in` is false, as the manager says. */
function memberKey(element: unknown): string | undefined {
  return element instanceof Set ? undefined : canon(element);
}

/** Python's `set` on Redis. */
export const setType: SharedType = {
  typeIds: ['set'],
  parts: ['s'],
  async init(context, [init]) {
    if (init === undefined) return;
    const elements = distinct(await elementsOf(init));
    if (elements.size > 0) await addScript.run(context.client, [context.keys.key('s')], packed(elements));
  },
  methods: {
    async add(context, [element]) {
      await context.client.hsetnx(context.keys.key('s'), canon(element), pack(element));
      return null;
    },
    async discard(context, [element]) {
      const key = memberKey(element);
      if (key !== undefined) await context.client.hdel(context.keys.key('s'), key);
      return null;
    },
    async remove(context, [element]) {
      const key = memberKey(element);
      if (key === undefined || (await context.client.hdel(context.keys.key('s'), key)) === 0) throw new KeyError(exceptionValueRepr(element));
      return null;
    },
    async delete(context, [element]) {
      const key = memberKey(element);
      return key !== undefined && (await context.client.hdel(context.keys.key('s'), key)) === 1;
    },
    async contains(context, [element]) {
      const key = memberKey(element);
      return key !== undefined && (await context.client.hexists(context.keys.key('s'), key)) === 1;
    },
    async pop(context) {
      const element = (await popScript.run(context.client, [context.keys.key('s')])) as Buffer | null;
      if (element === null) throw new KeyError(messages.popFromEmptySet);
      return unpack(element);
    },
    async clear(context) {
      await context.client.del(context.keys.key('s'));
      return null;
    },
    async len(context) {
      return await context.client.hlen(context.keys.key('s'));
    },
    async copy(context) {
      return new Set((await snapshot(context)).values());
    },
    async update(context, others) {
      const elements = distinct((await operands(others)).flatMap((other) => [...other.values()]));
      if (elements.size > 0) await addScript.run(context.client, [context.keys.key('s')], packed(elements));
      return null;
    },
    async differenceUpdate(context, others) {
      const keys = (await operands(others)).flatMap((other) => [...other.keys()]);
      if (keys.length > 0) await context.client.hdel(context.keys.key('s'), ...keys);
      return null;
    },
    async intersectionUpdate(context, others) {
      const groups = (await operands(others)).flatMap((other) => [String(other.size), ...other.keys()]);
      if (others.length > 0) await intersectScript.run(context.client, [context.keys.key('s')], groups);
      return null;
    },
    async symmetricDifferenceUpdate(context, [other]) {
      const elements = distinct(await elementsOf(other));
      if (elements.size > 0) await toggleScript.run(context.client, [context.keys.key('s')], packed(elements));
      return null;
    },
    async union(context, others) {
      const result = await snapshot(context);
      for (const other of await operands(others)) for (const [key, element] of other) if (!result.has(key)) result.set(key, element);
      return new Set(result.values());
    },
    async intersection(context, others) {
      const mine = await snapshot(context);
      const all = await operands(others);
      return new Set([...mine].filter(([key]) => all.every((other) => other.has(key))).map(([, element]) => element));
    },
    async difference(context, others) {
      const mine = await snapshot(context);
      const all = await operands(others);
      return new Set([...mine].filter(([key]) => all.every((other) => !other.has(key))).map(([, element]) => element));
    },
    async symmetricDifference(context, [other]) {
      const result = await snapshot(context);
      for (const [key, element] of distinct(await elementsOf(other))) {
        if (!result.delete(key)) result.set(key, element);
      }
      return new Set(result.values());
    },
    async isdisjoint(context, [other]) {
      const mine = await snapshot(context);
      return [...distinct(await elementsOf(other)).keys()].every((key) => !mine.has(key));
    },
    async issubset(context, [other]) {
      const superset = distinct(await elementsOf(other));
      return [...(await snapshot(context)).keys()].every((key) => superset.has(key));
    },
    async issuperset(context, [other]) {
      const mine = await snapshot(context);
      return [...distinct(await elementsOf(other)).keys()].every((key) => mine.has(key));
    },
    async '#getvalue'(context) {
      return new Set((await snapshot(context)).values());
    },
  },
};
