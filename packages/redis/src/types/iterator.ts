import { messages, RuntimeError } from '@mpts/proxy/wire';
import { ObjectKeys } from '../keys.js';
import { Script } from '../script.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { unpack } from '../stored-values.js';

/*
 * What a dict's `iter()` returns: an iterator over the live dict's keys, one step per call, as
 * the manager's. Its own key `at` HASH {dict, size, pos}: the dict it walks, the dict's size
 * when it began, and how many keys it gave. Each step is one script over the dict's keys (its
 * slot), given where the iterator stands; the position is then written back.
 */

/** KEYS dict k, dict o; ARGV size pos. {1, key}; {0} at the end; {-1} the dict changed size. */
const nextScript = new Script(`
if redis.call('HLEN', KEYS[1]) ~= tonumber(ARGV[1]) then return {-1} end
local c = redis.call('ZRANGE', KEYS[2], tonumber(ARGV[2]), tonumber(ARGV[2]))[1]
if not c then return {0} end
return {1, redis.call('HGET', KEYS[1], c)}`);

export const iteratorType: SharedType = {
  typeIds: ['Iterator'],
  parts: ['at'],
  async init(context, [dictId]) {
    const dict = new ObjectKeys(context.store.prefix, dictId as number);
    const size = await context.client.hlen(dict.key('k'));
    await context.client.hset(context.keys.key('at'), 'dict', dictId as number, 'size', size, 'pos', 0);
  },
  methods: {
    async next(context: MethodContext) {
      const at = context.keys.key('at');
      const [dictId, size, pos] = await context.client.hmget(at, 'dict', 'size', 'pos');
      if (dictId === null || size === 'done') return { done: true, value: undefined };
      // Python's iterator stays broken once the dict changed size under it.
      if (size === 'changed') throw new RuntimeError(messages.dictChangedSize);
      const dict = new ObjectKeys(context.store.prefix, Number(dictId));
      const [found, key] = (await nextScript.run(context.client, [dict.key('k'), dict.key('o')], [size!, pos!])) as [number, Buffer?];
      if (found === -1) {
        await context.client.hset(at, 'size', 'changed');
        throw new RuntimeError(messages.dictChangedSize);
      }
      if (found === 0) {
        await context.client.hset(at, 'size', 'done');
        return { done: true, value: undefined };
      }
      await context.client.hincrby(at, 'pos', 1);
      return { done: false, value: unpack(key!) };
    },
    async '#str'() {
      return '<dict_keyiterator object>';
    },
  },
};
