import { randomBytes } from 'node:crypto';
import { luaNow, Script } from '../script.js';
import type { RedisStore } from '../redis-store.js';
import type { MethodContext } from '../shared-type.js';
import { packBehind, unpack } from '../stored-values.js';

/*
 * A queue, as a reliable hand-off:
 * - `q` LIST of envelopes (16 random bytes, then the packed item: two equal items stay apart);
 * - `st` HASH {maxsize, unfinished, putters};
 * - `p:<session>` LIST: items a session took and has not yet acknowledged;
 * - `sess` ZSET session → lease expiry (server time) of the sessions with such a list;
 * - `space` LIST: wake-ups for blocked putters; `joiners` LIST: mailboxes of `join()` callers.
 *
 * The gets a process makes of one queue are served together (queue-takers.ts): one script moves
 * as many items as there are gets waiting from `q` to the session's list, and acknowledges
 * (removes from that list) the items delivered since the last one. A session that dies in
 * between stops renewing its lease; the next take of anyone moves its items back to the head of
 * `q`, in order. So a killed consumer loses no item; an item may be delivered twice if the
 * consumer died after delivery and before the acknowledgement.
 */
export const parts = ['q', 'st', 'sess', 'space', 'joiners'] as const;

export function queueKeys(context: Pick<MethodContext, 'keys' | 'store'>) {
  const { keys, store } = context;
  return {
    q: keys.key('q'),
    st: keys.key('st'),
    sess: keys.key('sess'),
    space: keys.key('space'),
    joiners: keys.key('joiners'),
    extra: keys.key('extra'),
    held: keys.key(`p:${store.session.id}`),
  };
}

/** Lua: moves the items of sessions whose lease lapsed back to the head of `q`, in order. */
export const reclaimLua = `
${luaNow}
for _, sid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)) do
  local held = ARGV[3] .. ':p:' .. sid
  while true do
    local item = redis.call('RPOP', held)
    if not item then break end
    redis.call('LPUSH', KEYS[1], item)
  end
  redis.call('ZREM', KEYS[3], sid)
  redis.call('SREM', KEYS[6], held)
end`;

/**
 * KEYS q p sess extra st space; ARGV session, then envelopes delivered. Gives back to the head
 * of `q`, in order, what this session holds and has not delivered: on a clean close, or when a
 * blocked take's connection dropped (what it moved may never have reached us).
 */
export const letGoScript = new Script(`
local putters = tonumber(redis.call('HGET', KEYS[5], 'putters') or '0')
for i = 2, #ARGV do
  redis.call('LREM', KEYS[2], 1, ARGV[i])
  if putters > 0 then redis.call('RPUSH', KEYS[6], '1') end
end
while true do
  local item = redis.call('RPOP', KEYS[2])
  if not item then break end
  redis.call('LPUSH', KEYS[1], item)
end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], KEYS[2])
return 1`);

const envelopeIdBytes = 16;

/**
 * An envelope's id: 8 random bytes drawn once per process, then this process's count of
 * envelopes. Unique as a random id per item is, without a draw from the system's random source
 * per item (which cost a producer more than the rest of a put).
 */
const envelopeId = Buffer.alloc(envelopeIdBytes);
randomBytes(8).copy(envelopeId, 0);
let envelopes = 0;

export function envelope(item: unknown): Buffer {
  envelopeId.writeDoubleBE(++envelopes, 8);
  return packBehind(envelopeId, item);
}

export function opened(stored: Buffer): unknown {
  return unpack(stored.subarray(envelopeIdBytes));
}

/**
 * What this process keeps for each queue it uses (its puts, its gets), made on first use: one
 * per store and queue.
 */
export function perQueue<T>(make: (context: MethodContext) => T): (context: MethodContext) => T {
  const byStore = new WeakMap<RedisStore, Map<number, T>>();
  return (context) => {
    let byQueue = byStore.get(context.store);
    if (byQueue === undefined) byStore.set(context.store, (byQueue = new Map()));
    let kept = byQueue.get(context.keys.id);
    if (kept === undefined) byQueue.set(context.keys.id, (kept = make(context)));
    return kept;
  };
}
