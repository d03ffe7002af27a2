import { messages, pyTypeName, timeoutSeconds, ValueError } from '@mpts/proxy/wire';
import { luaNow, Script } from '../script.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { objectAddress } from '../keys.js';
import { Deadline, leaveLineLua, renewWaiterScript } from '../wait.js';

/*
 * A Semaphore or BoundedSemaphore:
 * - `st` HASH {value, initial}: free permits, and the bound of a BoundedSemaphore;
 * - `hold` HASH session → permits it took and has not released; `hexp` ZSET session → the end
 *   of its lease (server time): a session that stops renewing gives its permits back;
 * - `w`, `wexp`, `wo`, `g`, `mb:<waiter>`: the waiters' line, as for a Lock. A release hands
 *   permits to the first waiters at once, in order (`g` records each grant).
 */
const parts = ['st', 'hold', 'hexp', 'w', 'wexp', 'wo', 'g'] as const;

/** Lua: permits of lapsed sessions come back; lapsed waiters leave; free permits go to waiters. KEYS st hold hexp w wexp wo g. */
const settleLua = `
${luaNow}
for _, sid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)) do
  redis.call('HINCRBY', KEYS[1], 'value', tonumber(redis.call('HGET', KEYS[2], sid) or '0'))
  redis.call('HDEL', KEYS[2], sid)
  redis.call('ZREM', KEYS[3], sid)
end
local function settle(lease, tag)
  while tonumber(redis.call('HGET', KEYS[1], 'value')) > 0 do
    local head = redis.call('LPOP', KEYS[4])
    if not head then return end
    local alive = redis.call('ZSCORE', KEYS[5], head)
    redis.call('ZREM', KEYS[5], head)
    local sid = redis.call('HGET', KEYS[6], head)
    redis.call('HDEL', KEYS[6], head)
    if alive and tonumber(alive) >= now then
      redis.call('HINCRBY', KEYS[1], 'value', -1)
      redis.call('HINCRBY', KEYS[2], sid, 1)
      redis.call('ZADD', KEYS[3], now + lease, sid)
      redis.call('HSET', KEYS[7], head, 1)
      redis.call('RPUSH', tag .. ':mb:' .. head, '1')
    end
  end
end`;

/** KEYS st hold hexp w wexp wo g extra; ARGV session waiter lease queue tag. {1} taken; {0, ms} not. */
const acquireScript = new Script(`
${settleLua}
local lease = tonumber(ARGV[3])
settle(lease, ARGV[5])
if redis.call('HGET', KEYS[7], ARGV[2]) then
  redis.call('HDEL', KEYS[7], ARGV[2])
  redis.call('DEL', ARGV[5] .. ':mb:' .. ARGV[2])
  redis.call('SREM', KEYS[8], ARGV[5] .. ':mb:' .. ARGV[2])
  return {1, 0}
end
if tonumber(redis.call('HGET', KEYS[1], 'value')) > 0 then
  redis.call('HINCRBY', KEYS[1], 'value', -1)
  redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
  redis.call('ZADD', KEYS[3], now + lease, ARGV[1])
  return {1, 0}
end
if ARGV[4] == '1' then
  if not redis.call('ZSCORE', KEYS[5], ARGV[2]) then redis.call('RPUSH', KEYS[4], ARGV[2]) end
  redis.call('ZADD', KEYS[5], now + lease, ARGV[2])
  redis.call('HSET', KEYS[6], ARGV[2], ARGV[1])
  redis.call('SADD', KEYS[8], ARGV[5] .. ':mb:' .. ARGV[2])
end
local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')[2]
return {0, first and (tonumber(first) - now) or lease}`);

/** KEYS st hold hexp w wexp wo g; ARGV session n lease tag. 1 released; -1 past the bound. */
const releaseScript = new Script(`
${settleLua}
local n = tonumber(ARGV[2])
local initial = redis.call('HGET', KEYS[1], 'initial')
if initial and tonumber(redis.call('HGET', KEYS[1], 'value')) + n > tonumber(initial) then return -1 end
redis.call('HINCRBY', KEYS[1], 'value', n)
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if held > 0 then
  if held <= n then
    redis.call('HDEL', KEYS[2], ARGV[1])
    redis.call('ZREM', KEYS[3], ARGV[1])
  else
    redis.call('HINCRBY', KEYS[2], ARGV[1], -n)
  end
end
settle(tonumber(ARGV[3]), ARGV[4])
return 1`);

/** KEYS hold hexp; ARGV session lease. 1 while the session holds permits. */
const renewScript = new Script(`
${luaNow}
if not redis.call('HGET', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return 1`);

/** KEYS st hold hexp w wexp wo g extra mailbox; ARGV session waiter lease tag. A grant that raced in goes on to the next. */
const leaveScript = new Script(`
${settleLua}
${leaveLineLua({ w: 4, wexp: 5, wo: 6, extra: 8, mailbox: 9, waiter: 2 })}
if redis.call('HGET', KEYS[7], ARGV[2]) then
  redis.call('HDEL', KEYS[7], ARGV[2])
  redis.call('HINCRBY', KEYS[1], 'value', 1)
  local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
  if held <= 1 then redis.call('HDEL', KEYS[2], ARGV[1]); redis.call('ZREM', KEYS[3], ARGV[1])
  else redis.call('HINCRBY', KEYS[2], ARGV[1], -1) end
  settle(tonumber(ARGV[3]), ARGV[4])
end
return 1`);

/** A count of permits: Python compares it with a number first; a fraction is refused. */
function permitCount(value: unknown): number {
  if (typeof value === 'boolean' || typeof value === 'bigint') value = Number(value);
  if (typeof value !== 'number') throw new TypeError(messages.notSupportedBetween('<', pyTypeName(value), 'int'));
  return value;
}

function wholeCount(count: number): number {
  if (!Number.isInteger(count)) throw new TypeError(messages.integerExpected('float'));
  return count;
}

function semaphoreKeys(context: MethodContext): string[] {
  return [...parts.map((part) => context.keys.key(part)), context.keys.key('extra')];
}

/** Keeps this session's permits of the semaphore while the process runs. */
function renewPermits(context: MethodContext): void {
  const { store, keys } = context;
  const name = `semaphore:${keys.id}`;
  store.session.renew(name, async () => {
    if ((await renewScript.run(store.client, [keys.key('hold'), keys.key('hexp')], [store.session.id, store.session.leaseMs])) === 0) {
      store.session.stopRenewing(name);
    }
  });
}

/** `Semaphore` and `BoundedSemaphore` on Redis: permits lent to sessions under a lease. */
export const semaphoreType: SharedType = {
  typeIds: ['Semaphore', 'BoundedSemaphore'],
  parts,
  async init(context, [value = 1]) {
    const count = permitCount(value);
    if (count < 0) throw new ValueError(messages.semaphoreInitialNegative);
    wholeCount(count);
    const st = context.keys.key('st');
    if (context.typeId === 'BoundedSemaphore') await context.client.hset(st, 'value', count, 'initial', count);
    else await context.client.hset(st, 'value', count);
  },
  methods: {
    async acquire(context, [blocking = true, timeout = null]) {
      if (!blocking && timeout !== null && timeout !== undefined) throw new ValueError(messages.timeoutNonBlockingSemaphore);
      const seconds = timeoutSeconds(timeout);
      const { store, signal } = context;
      const keys = semaphoreKeys(context);
      const waiter = store.session.nextWaiterId();
      const mailbox = context.keys.key(`mb:${waiter}`);
      const tag = context.keys.tag;
      // Python: a timeout of zero or less gives up at once rather than raising.
      const waits = Boolean(blocking) && (seconds === null || seconds > 0);
      const attempt = async (): Promise<[number, number]> =>
        (await acquireScript.run(store.client, keys, [store.session.id, waiter, store.session.leaseMs, waits ? '1' : '0', tag])) as [number, number];
      let [got, value] = await attempt();
      if (got === 1) {
        renewPermits(context);
        return true;
      }
      if (!waits) return false;
      const deadline = new Deadline(seconds);
      const renewal = `wait:${waiter}`;
      store.session.renew(renewal, async () => {
        await renewWaiterScript.run(store.client, [context.keys.key('wexp')], [waiter, store.session.leaseMs]);
      });
      try {
        for (;;) {
          if (deadline.passed || signal?.aborted) {
            await leaveScript.run(store.client, [...keys, mailbox], [store.session.id, waiter, store.session.leaseMs, tag]);
            if (signal?.aborted) throw signal.reason;
            return false;
          }
          await store.blocking.run(mailbox, (connection) => connection.blpop(mailbox, deadline.slice(Math.max(value, 0) + 5)), signal);
          if (signal?.aborted) continue;
          [got, value] = await attempt();
          if (got === 1) {
            renewPermits(context);
            return true;
          }
        }
      } finally {
        store.session.stopRenewing(renewal);
      }
    },
    async release(context, [n = 1]) {
      const count = permitCount(n);
      if (count < 1) throw new ValueError(messages.releaseCountPositive);
      wholeCount(count);
      const { store } = context;
      const outcome = await releaseScript.run(store.client, semaphoreKeys(context).slice(0, 7), [store.session.id, count, store.session.leaseMs, context.keys.tag]);
      if (outcome === -1) throw new ValueError(messages.semaphoreReleasedTooMany);
      return null;
    },
    /** Python's `<threading.BoundedSemaphore at 0x…: value=1/2>` (a Semaphore shows no bound). */
    async '#str'(context) {
      const [value, initial] = await context.client.hmget(context.keys.key('st'), 'value', 'initial');
      const bound = context.typeId === 'BoundedSemaphore' ? `/${initial}` : '';
      return `<threading.${context.typeId} at ${objectAddress(context.keys.id)}: value=${value}${bound}>`;
    },
  },
};
