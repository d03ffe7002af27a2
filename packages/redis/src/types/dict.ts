import { exceptionValueRepr, KeyError, messages, pyTypeName, ValueError } from '@mpts/proxy/wire';
import { BinaryCommand, send, sendCommand } from '../binary-command.js';
import { canon } from '../canon.js';
import { Script } from '../script.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { pack, packTransient, unpack } from '../stored-values.js';

/*
 * A dict is one STRING per entry, `e:<canon(key)>` (its packed value), and three keys that say
 * which entries there are: `k` (canon(key) → the first key stored under it, as Python keeps it;
 * its length is the dict's), `o` (canon(key) → insertion number, for Python's order: a Redis
 * hash keeps none) and `n`, the next insertion number.
 *
 * A value of its own key is what lets the two hot calls be one plain command each, as fast as
 * Redis goes: `d[k]` is a GET, and `d[k] = v` on a key already there is a `SET ... XX`, which
 * replaces the value and leaves the key, the order and the length alone, or does nothing when
 * the key is new; only then does a script insert it (and its order) in one step.
 */
const parts = ['k', 'o', 'n'] as const;

/** Every entry key is this prefix and the key's canon text: built here, and in scripts from ARGV. */
const entryPart = 'e:';

function entryKey({ keys }: MethodContext, canonKey: string): string {
  return keys.key(entryPart + canonKey);
}

function entryPrefix({ keys }: MethodContext): string {
  return keys.key(entryPart);
}

/** KEYS k o n; the dict's index keys, first in every script's KEYS. */
function indexKeys({ keys }: MethodContext): string[] {
  return [keys.key('k'), keys.key('o'), keys.key('n')];
}

/**
 * KEYS k o n, then one entry key per pair; ARGV (canon, key, value) per pair. A new key goes
 * last in order; an old one keeps its key and place.
 */
const setScript = new Script(`
for i = 1, #ARGV, 3 do
  local entry = KEYS[3 + (i + 2) / 3]
  if not redis.call('SET', entry, ARGV[i + 2], 'XX') then
    redis.call('SET', entry, ARGV[i + 2])
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[i])
  end
end
return 1`);

/** KEYS k o n entry; ARGV canon. Removes one key, returning its value (false when absent). */
const popScript = new Script(`
local value = redis.call('GET', KEYS[4])
if not value then return false end
redis.call('DEL', KEYS[4])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return value`);

/** KEYS k o n; ARGV entry prefix. Removes the last inserted pair: {key, value}, or false when empty. */
const popitemScript = new Script(`
local last = redis.call('ZRANGE', KEYS[2], -1, -1)[1]
if not last then return false end
local key = redis.call('HGET', KEYS[1], last)
local value = redis.call('GET', ARGV[1] .. last)
redis.call('DEL', ARGV[1] .. last)
redis.call('HDEL', KEYS[1], last)
redis.call('ZREM', KEYS[2], last)
return {key, value}`);

/** KEYS k o n entry; ARGV canon key value. */
const setdefaultScript = new Script(`
local value = redis.call('GET', KEYS[4])
if value then return value end
redis.call('SET', KEYS[4], ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
return ARGV[3]`);

/** KEYS k o n; ARGV entry prefix. Every pair in insertion order, flat: key, value, key, value... */
const itemsScript = new Script(`
local out = {}
for _, c in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  out[#out + 1] = redis.call('HGET', KEYS[1], c)
  out[#out + 1] = redis.call('GET', ARGV[1] .. c)
end
return out`);

/** KEYS k o n; ARGV entry prefix. Empties the dict: its entries and its index. */
const clearScript = new Script(`
for _, c in ipairs(redis.call('HKEYS', KEYS[1])) do redis.call('DEL', ARGV[1] .. c) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1`);

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
  const keys = indexKeys(context);
  const args: (string | Buffer)[] = [];
  for (const [key, value] of pairs) {
    const canonKey = canon(key);
    keys.push(entryKey(context, canonKey));
    args.push(canonKey, pack(key), pack(value));
  }
  await setScript.run(context.client, keys, args);
}

/** `d[key] = value`: one SET when the key is there already, else the insert script. */
function setItem(context: MethodContext, key: unknown, value: unknown): Promise<null> {
  const canonKey = canon(key);
  // The command copies the value's encoding when it is made (see binary-command.ts).
  const replace = new BinaryCommand('set', [entryKey(context, canonKey), packTransient(value), 'XX'], 'utf8');
  return send(context.client, replace).then((reply) => {
    if (reply !== null) return null;
    // New (or deleted meanwhile): the script decides again, atomically, with the same value.
    const keys = [...indexKeys(context), entryKey(context, canonKey)];
    return setScript.run(context.client, keys, [canonKey, pack(key), replace.argument(1)]).then(() => null);
  });
}

async function items(context: MethodContext): Promise<[unknown, unknown][]> {
  const flat = (await itemsScript.run(context.client, indexKeys(context), [entryPrefix(context)])) as Buffer[];
  const pairs: [unknown, unknown][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([unpack(flat[i]!), unpack(flat[i + 1]!)]);
  return pairs;
}

async function pop(context: MethodContext, key: unknown): Promise<Buffer | null> {
  const canonKey = canon(key);
  return (await popScript.run(context.client, [...indexKeys(context), entryKey(context, canonKey)], [canonKey])) as Buffer | null;
}

/** Python's `dict` on Redis: every method one command or one script. */
export const dictType: SharedType = {
  typeIds: ['dict'],
  parts,
  entries: { index: 'k', part: entryPart },
  async init(context, [init]) {
    if (init !== undefined && init !== null) await setPairs(context, pairsOf(init));
  },
  methods: {
    // The two calls a program makes most: no async function around the command's own promise.
    getItem(context, args) {
      const key = args[0];
      return context.client.getBuffer(entryKey(context, canon(key))).then((value) => {
        if (value === null) throw keyError(key);
        return unpack(value);
      });
    },
    setItem: (context, args) => setItem(context, args[0], args[1]),
    async delItem(context, [key]) {
      if ((await pop(context, key)) === null) throw keyError(key);
      return null;
    },
    async delete(context, [key]) {
      return (await pop(context, key)) !== null;
    },
    async contains(context, [key]) {
      return (await context.client.exists(entryKey(context, canon(key)))) === 1;
    },
    async len(context) {
      return await context.client.hlen(context.keys.key('k'));
    },
    async get(context, [key, defaultValue = null]) {
      const value = await context.client.getBuffer(entryKey(context, canon(key)));
      return value === null ? defaultValue : unpack(value);
    },
    async pop(context, args) {
      const value = await pop(context, args[0]);
      if (value !== null) return unpack(value);
      if (args.length < 2) throw keyError(args[0]);
      return args[1];
    },
    async popitem(context) {
      const pair = (await popitemScript.run(context.client, indexKeys(context), [entryPrefix(context)])) as Buffer[] | null;
      if (pair === null) throw new KeyError(messages.popitemEmpty);
      return [unpack(pair[0]!), unpack(pair[1]!)];
    },
    async setdefault(context, [key, defaultValue = null]) {
      const canonKey = canon(key);
      const keys = [...indexKeys(context), entryKey(context, canonKey)];
      const value = (await setdefaultScript.run(context.client, keys, [canonKey, pack(key), pack(defaultValue)])) as Buffer;
      return unpack(value);
    },
    async update(context, [other]) {
      await setPairs(context, pairsOf(other));
      return null;
    },
    async clear(context) {
      await clearScript.run(context.client, indexKeys(context), [entryPrefix(context)]);
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
