import { exceptionValueRepr, KeyError, messages, pyTypeName, ValueError } from '@mpts/proxy/wire';
import { canon } from '../canon.js';
import { Script } from '../script.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { pack, unpack } from '../stored-values.js';

/*
 * A dict is four keys: `v` (canon(key) → value), `k` (canon(key) → the first key stored under
 * it, as Python keeps it) and `o` (canon(key) → insertion number, for Python's order: a Redis
 * hash keeps none), and `n`, the next insertion number.
 */
const parts = ['v', 'k', 'o', 'n'] as const;
type Parts = Record<(typeof parts)[number], string>;

function keysOf({ keys }: MethodContext): Parts {
  return { v: keys.key('v'), k: keys.key('k'), o: keys.key('o'), n: keys.key('n') };
}

function partList(context: MethodContext): string[] {
  const k = keysOf(context);
  return [k.v, k.k, k.o, k.n];
}

/** Sets pairs (canon, key, value)...: a new key goes last in order; an old one keeps its key and place. */
const setScript = new Script(`
for i = 1, #ARGV, 3 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), ARGV[i])
  end
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
end
return 1`);

/** Removes one key, returning its value (false when absent). */
const popScript = new Script(`
local value = redis.call('HGET', KEYS[1], ARGV[1])
if not value then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return value`);

/** Removes the last inserted pair: {key, value}, or false when empty. */
const popitemScript = new Script(`
local last = redis.call('ZRANGE', KEYS[3], -1, -1)[1]
if not last then return false end
local key = redis.call('HGET', KEYS[2], last)
local value = redis.call('HGET', KEYS[1], last)
redis.call('HDEL', KEYS[1], last)
redis.call('HDEL', KEYS[2], last)
redis.call('ZREM', KEYS[3], last)
return {key, value}`);

const setdefaultScript = new Script(`
local value = redis.call('HGET', KEYS[1], ARGV[1])
if value then return value end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return ARGV[3]`);

/** Every pair in insertion order, flat: key, value, key, value... */
const itemsScript = new Script(`
local out = {}
for _, c in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  out[#out + 1] = redis.call('HGET', KEYS[2], c)
  out[#out + 1] = redis.call('HGET', KEYS[1], c)
end
return out`);

function keyError(key: unknown): KeyError {
  return new KeyError(exceptionValueRepr(key));
}

/** The pairs of `update(other)`, checked as Python's `dict.update` checks them. */
function pairsOf(other: unknown): [unknown, unknown][] {
  if (other instanceof Map) return [...other];
  if (Array.isArray(other)) {
    return other.map((element, index) => {
      const pair = typeof element === 'string' ? [...element] : element;
      if (!Array.isArray(pair)) throw new TypeError(messages.dictUpdateNotSequence(index));
      if (pair.length !== 2) throw new ValueError(messages.dictUpdateLength(index, pair.length));
      return [pair[0], pair[1]];
    });
  }
  if (typeof other === 'object' && other !== null) return Object.entries(other);
  throw new TypeError(messages.notIterable(pyTypeName(other)));
}

async function setPairs(context: MethodContext, pairs: [unknown, unknown][]): Promise<void> {
  if (pairs.length === 0) return;
  const args: (string | Buffer)[] = [];
  for (const [key, value] of pairs) args.push(canon(key), pack(key), pack(value));
  await setScript.run(context.client, partList(context), args);
}

async function items(context: MethodContext): Promise<[unknown, unknown][]> {
  const flat = (await itemsScript.run(context.client, partList(context))) as Buffer[];
  const pairs: [unknown, unknown][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([unpack(flat[i]!), unpack(flat[i + 1]!)]);
  return pairs;
}

async function pop(context: MethodContext, key: unknown): Promise<Buffer | null> {
  return (await popScript.run(context.client, partList(context), [canon(key)])) as Buffer | null;
}

/** Python's `dict` on Redis: every method one command or one script. */
export const dictType: SharedType = {
  typeIds: ['dict'],
  parts,
  async init(context, [init]) {
    if (init !== undefined && init !== null) await setPairs(context, pairsOf(init));
  },
  methods: {
    async getItem(context, [key]) {
      const value = await context.client.hgetBuffer(keysOf(context).v, canon(key));
      if (value === null) throw keyError(key);
      return unpack(value);
    },
    async setItem(context, [key, value]) {
      await setPairs(context, [[key, value]]);
      return null;
    },
    async delItem(context, [key]) {
      if ((await pop(context, key)) === null) throw keyError(key);
      return null;
    },
    async delete(context, [key]) {
      return (await pop(context, key)) !== null;
    },
    async contains(context, [key]) {
      return (await context.client.hexists(keysOf(context).v, canon(key))) === 1;
    },
    async len(context) {
      return await context.client.hlen(keysOf(context).v);
    },
    async get(context, [key, defaultValue = null]) {
      const value = await context.client.hgetBuffer(keysOf(context).v, canon(key));
      return value === null ? defaultValue : unpack(value);
    },
    async pop(context, args) {
      const value = await pop(context, args[0]);
      if (value !== null) return unpack(value);
      if (args.length < 2) throw keyError(args[0]);
      return args[1];
    },
    async popitem(context) {
      const pair = (await popitemScript.run(context.client, partList(context))) as Buffer[] | null;
      if (pair === null) throw new KeyError(messages.popitemEmpty);
      return [unpack(pair[0]!), unpack(pair[1]!)];
    },
    async setdefault(context, [key, defaultValue = null]) {
      const value = (await setdefaultScript.run(context.client, partList(context), [canon(key), pack(key), pack(defaultValue)])) as Buffer;
      return unpack(value);
    },
    async update(context, [other]) {
      await setPairs(context, pairsOf(other));
      return null;
    },
    async clear(context) {
      await context.client.del(...partList(context));
      return null;
    },
    async copy(context) {
      return new Map(await items(context));
    },
    async keys(context) {
      return (await items(context)).map(([key]) => key);
    },
    async values(context) {
      return (await items(context)).map(([, value]) => value);
    },
    async items(context) {
      return await items(context);
    },
    async iter(context) {
      // A shared object of its own, as the manager's iterator (typeid 'Iterator').
      return await context.store.create('Iterator', [context.keys.id]);
    },
    async '#getvalue'(context) {
      return new Map(await items(context));
    },
  },
};
