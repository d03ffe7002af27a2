import { messages, QueueFull, timeoutSeconds, ValueError, pyTypeName } from '@mpts/proxy/wire';
import { Script } from '../script.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { Deadline } from '../wait.js';
import { objectAddress } from '../keys.js';
import { envelope, letGoScript, opened, parts, queueKeys } from './queue-parts.js';
import { putsOf } from './queue-puts.js';
import { takersOf } from './queue-takers.js';

/** KEYS q st; ARGV envelope. The retry of a put counted as a waiting putter: 1 pushed, 0 still full. */
const retryPutScript = new Script(`
local maxsize = tonumber(redis.call('HGET', KEYS[2], 'maxsize') or '0')
if maxsize > 0 and redis.call('LLEN', KEYS[1]) >= maxsize then return 0 end
redis.call('HINCRBY', KEYS[2], 'putters', -1)
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

/** Python's rule for a queue's `block` and `timeout`: the timeout only counts when blocking. */
function queueTimeout(block: unknown, timeout: unknown): number | null {
  if (!block) return null;
  const seconds = timeoutSeconds(timeout);
  if (seconds !== null && seconds < 0) throw new ValueError(messages.timeoutNegativeQueue);
  return seconds;
}

/** Python's `get(block, timeout)`: served with this process's other gets of the queue. */
function get(context: MethodContext, block: unknown, timeout: unknown): Promise<unknown> {
  const seconds = queueTimeout(block, timeout);
  return takersOf(context).get(Boolean(block), seconds, context.signal);
}

async function put(context: MethodContext, item: unknown, block: unknown, timeout: unknown): Promise<null> {
  const seconds = queueTimeout(block, timeout);
  const { store, signal } = context;
  const stored = envelope(item);
  // With this process's other puts of the queue made in this turn, in one script.
  if (await putsOf(context).put(stored, Boolean(block))) return null;
  if (!block) throw new QueueFull();
  const k = queueKeys(context);
  const deadline = new Deadline(seconds);
  for (;;) {
    if (deadline.passed || signal?.aborted) {
      await stopPuttingScript.run(store.client, [k.st]);
      if (signal?.aborted) throw signal.reason;
      throw new QueueFull();
    }
    await store.blocking.run(k.space, (connection) => connection.blpop(k.space, deadline.slice(store.session.leaseMs)), signal);
    if (signal?.aborted) continue;
    if ((await retryPutScript.run(store.client, [k.q, k.st], [stored])) === 1) return null;
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
    const delivered = takersOf(context).takeDelivered();
    await letGoScript.run(context.client, [k.q, k.held, k.sess, k.extra, k.st, k.space], [context.store.session.id, ...delivered]);
  },
};
