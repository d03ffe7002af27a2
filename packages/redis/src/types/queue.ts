import { randomBytes } from 'node:crypto';
import { messages, QueueEmpty, QueueFull, timeoutSeconds, ValueError, pyTypeName } from '@mpts/proxy/wire';
import { luaNow, Script } from '../script.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { pack, unpack } from '../stored-values.js';
import { Deadline } from '../wait.js';
import { objectAddress } from './lock.js';

/*
 * A queue, as a reliable hand-off:
 * - `q` LIST of envelopes (16 random bytes, then the packed item: two equal items stay apart);
 * - `st` HASH {maxsize, unfinished, putters};
 * - `p:<session>` LIST: items a session took and has not yet handed to its caller;
 * - `sess` ZSET session → lease expiry (server time) of the sessions with such a list;
 * - `space` LIST: wake-ups for blocked putters; `joiners` LIST: mailboxes of `join()` callers.
 *
 * `get` moves an item from `q` to its session's list (LMOVE, or BLMOVE on a dedicated
 * connection when it must wait), and acknowledges it (removes it from that list) once it
 * delivers it. A session that dies in between stops renewing its lease; the next `get` of
 * anyone moves its items back to the head of `q`, in order. So a killed consumer loses no item;
 * an item may be delivered twice if the consumer died after delivery and before the ack.
 */
const parts = ['q', 'st', 'sess', 'space', 'joiners'] as const;

/** Lua: moves the items of sessions whose lease lapsed back to the head of `q`, in order. */
const reclaimLua = `
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

/** KEYS q st sess space p extra; ARGV session lease tag. The next item into this session's hands, or false. */
const takeScript = new Script(`
${reclaimLua}
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[1])
redis.call('SADD', KEYS[6], KEYS[5])
return redis.call('LMOVE', KEYS[1], KEYS[5], 'LEFT', 'RIGHT') or false`);

/** KEYS p st space q; ARGV envelope. The item was delivered: drop it from the session's hands; room for a putter. */
const ackScript = new Script(`
redis.call('LREM', KEYS[1], 1, ARGV[1])
if tonumber(redis.call('HGET', KEYS[2], 'putters') or '0') > 0 then redis.call('RPUSH', KEYS[3], '1') end
return 1`);

/** KEYS p q; ARGV envelope. A cancelled get that got an item gives it back, to the head. */
const giveBackScript = new Script(`
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then redis.call('LPUSH', KEYS[2], ARGV[1]) end
return 1`);

/** KEYS q st; ARGV envelope, waiting ('0' first try, '1' a putter already counted, '2' never wait). */
const putScript = new Script(`
local maxsize = tonumber(redis.call('HGET', KEYS[2], 'maxsize') or '0')
if maxsize > 0 and redis.call('LLEN', KEYS[1]) >= maxsize then
  if ARGV[2] == '0' then redis.call('HINCRBY', KEYS[2], 'putters', 1) end
  return 0
end
if ARGV[2] == '1' then redis.call('HINCRBY', KEYS[2], 'putters', -1) end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[2], 'unfinished', 1)
return 1`);

const stopPuttingScript = new Script(`
if tonumber(redis.call('HGET', KEYS[1], 'putters') or '0') > 0 then redis.call('HINCRBY', KEYS[1], 'putters', -1) end
return 1`);

/** KEYS st joiners. */
const taskDoneScript = new Script(`
local unfinished = tonumber(redis.call('HGET', KEYS[1], 'unfinished') or '0')
if unfinished <= 0 then return -1 end
if redis.call('HINCRBY', KEYS[1], 'unfinished', -1) == 0 then
  for _, mailbox in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do redis.call('RPUSH', mailbox, '1') end
  redis.call('DEL', KEYS[2])
end
return 1`);

/** KEYS st joiners extra; ARGV mailbox. 1: nothing unfinished; 0: wait on the mailbox. */
const joinScript = new Script(`
if tonumber(redis.call('HGET', KEYS[1], 'unfinished') or '0') == 0 then return 1 end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 0`);

const envelopeIdBytes = 16;

function envelope(item: unknown): Buffer {
  return Buffer.concat([randomBytes(envelopeIdBytes), pack(item)]);
}

function opened(stored: Buffer): unknown {
  return unpack(stored.subarray(envelopeIdBytes));
}

/** Python's rule for a queue's `block` and `timeout`: the timeout only counts when blocking. */
function queueTimeout(block: unknown, timeout: unknown): number | null {
  if (!block) return null;
  const seconds = timeoutSeconds(timeout);
  if (seconds !== null && seconds < 0) throw new ValueError(messages.timeoutNegativeQueue);
  return seconds;
}

function queueKeys(context: MethodContext) {
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

/** Keeps this session's lease on the queue's hand-offs alive while the process runs. */
function renewHandOffs(context: MethodContext): void {
  const { store } = context;
  const k = queueKeys(context);
  store.session.renew(`queue:${k.q}`, async () => {
    await renewScript.run(store.client, [k.sess], [store.session.id, store.session.leaseMs]);
  });
}

const renewScript = new Script(`
${luaNow}
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return 1`);

async function take(context: MethodContext): Promise<Buffer | null> {
  const k = queueKeys(context);
  const { store } = context;
  renewHandOffs(context);
  return (await takeScript.run(store.client, [k.q, k.st, k.sess, k.space, k.held, k.extra], [store.session.id, store.session.leaseMs, context.keys.tag])) as Buffer | null;
}

/**
 * Hands the item over. The acknowledgement is sent, not awaited: it leaves on the command
 * connection before any later call of this process, off the caller's path. If it is lost (the
 * connection drops first), the item stays in this session's hands and comes back to the queue
 * when the session ends: delivered twice, never lost.
 */
function deliver(context: MethodContext, stored: Buffer): unknown {
  const k = queueKeys(context);
  const item = opened(stored);
  ackScript.run(context.client, [k.held, k.st, k.space, k.q], [stored]).catch(() => {});
  return item;
}

async function get(context: MethodContext, block: unknown, timeout: unknown): Promise<unknown> {
  const seconds = queueTimeout(block, timeout);
  const k = queueKeys(context);
  const { store, signal } = context;
  const first = await take(context);
  if (first !== null) return deliver(context, first);
  if (!block) throw new QueueEmpty();
  const deadline = new Deadline(seconds);
  for (;;) {
    if (deadline.passed) throw new QueueEmpty();
    const moved = await store.blocking.run(
      k.q,
      (connection) => connection.blmoveBuffer(k.q, k.held, 'LEFT', 'RIGHT', deadline.slice(store.session.leaseMs)),
      signal,
    );
    if (moved === undefined) {
      // The connection dropped mid-wait: an item it moved into this session's hands may never
      // have reached us. Give back what this session holds of the queue (at-least-once).
      await letGoScript.run(store.client, [k.q, k.held, k.sess, k.extra], [store.session.id]);
      continue;
    }
    if (signal?.aborted) {
      if (moved !== null) await giveBackScript.run(store.client, [k.held, k.q], [moved]);
      throw signal.reason;
    }
    if (moved !== null) return deliver(context, moved);
    // Woken by the lease's slice: take() also brings back what dead sessions left in hand.
    const next = await take(context);
    if (next !== null) return deliver(context, next);
  }
}

async function put(context: MethodContext, item: unknown, block: unknown, timeout: unknown): Promise<null> {
  const seconds = queueTimeout(block, timeout);
  const k = queueKeys(context);
  const { store, signal } = context;
  const stored = envelope(item);
  if ((await putScript.run(store.client, [k.q, k.st], [stored, block ? '0' : '2'])) === 1) return null;
  if (!block) throw new QueueFull();
  const deadline = new Deadline(seconds);
  for (;;) {
    if (deadline.passed || signal?.aborted) {
      await stopPuttingScript.run(store.client, [k.st]);
      if (signal?.aborted) throw signal.reason;
      throw new QueueFull();
    }
    await store.blocking.run(k.space, (connection) => connection.blpop(k.space, deadline.slice(store.session.leaseMs)), signal);
    if (signal?.aborted) continue;
    if ((await putScript.run(store.client, [k.q, k.st], [stored, '1'])) === 1) return null;
  }
}

async function join(context: MethodContext): Promise<null> {
  const k = queueKeys(context);
  const { store, signal } = context;
  const mailbox = context.keys.key(`jm:${store.session.nextWaiterId()}`);
  if ((await joinScript.run(store.client, [k.st, k.joiners, k.extra], [mailbox])) === 1) return null;
  try {
    for (;;) {
      const woken = await store.blocking.run(mailbox, (connection) => connection.blpop(mailbox, 0), signal);
      if (signal?.aborted) throw signal.reason;
      if (Array.isArray(woken)) return null;
      // Woken by a dropped connection: nothing unfinished any more is the other way out.
      if (woken === undefined && (await joinScript.run(store.client, [k.st, k.joiners, k.extra], [mailbox])) === 1) return null;
    }
  } finally {
    await store.client.multi().lrem(k.joiners, 1, mailbox).del(mailbox).srem(k.extra, mailbox).exec();
  }
}

/** `Queue` and `JoinableQueue` on Redis. */
export const queueType: SharedType = {
  typeIds: ['Queue', 'JoinableQueue'],
  parts,
  async init(context, [maxsize = 0]) {
    if (typeof maxsize === 'boolean' || typeof maxsize === 'bigint') maxsize = Number(maxsize);
    if (typeof maxsize !== 'number') throw new TypeError(messages.notSupportedBetween('>', pyTypeName(maxsize), 'int'));
    await context.client.hset(context.keys.key('st'), 'maxsize', String(maxsize), 'unfinished', '0', 'putters', '0');
  },
  methods: {
    put: (context, [item, block = true, timeout = null]) => put(context, item, block, timeout),
    get: (context, [block = true, timeout = null]) => get(context, block, timeout),
    async qsize(context) {
      return await context.client.llen(context.keys.key('q'));
    },
    async empty(context) {
      return (await context.client.llen(context.keys.key('q'))) === 0;
    },
    async full(context) {
      const [[, maxsize], [, size]] = (await context.client.multi().hget(context.keys.key('st'), 'maxsize').llen(context.keys.key('q')).exec()) as [[unknown, string | null], [unknown, number]];
      const max = Number(maxsize ?? 0);
      return max > 0 && size >= max;
    },
    async taskDone(context) {
      const k = queueKeys(context);
      if ((await taskDoneScript.run(context.client, [k.st, k.joiners])) === -1) throw new ValueError(messages.taskDoneTooMany);
      return null;
    },
    join: (context) => join(context),
    /** Python's `<queue.Queue object at 0x…>`: a JoinableQueue is a `queue.Queue` in Python's manager too. */
    async '#str'(context) {
      return `<queue.Queue object at ${objectAddress(context.keys.id)}>`;
    },
    async '#getvalue'(context) {
      return (await context.client.lrangeBuffer(context.keys.key('q'), 0, -1)).map(opened);
    },
  },
  async letGo(context) {
    // A clean close: what this session took and did not deliver goes back to the head now.
    const k = queueKeys(context);
    context.store.session.stopRenewing(`queue:${k.q}`);
    await letGoScript.run(context.client, [k.q, k.held, k.sess, k.extra], [context.store.session.id]);
  },
};

const letGoScript = new Script(`
while true do
  local item = redis.call('RPOP', KEYS[2])
  if not item then break end
  redis.call('LPUSH', KEYS[1], item)
end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], KEYS[2])
return 1`);
