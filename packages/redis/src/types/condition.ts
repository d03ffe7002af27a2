import { BaseProxy } from '@mpts/proxy';
import { messages, RuntimeError, timeoutSeconds } from '@mpts/proxy/wire';
import { ObjectKeys } from '../keys.js';
import { Script } from '../script.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { Deadline } from '../wait.js';
import { expireLua, letGoOf, lockType, ownerOf } from './lock.js';

/*
 * A Condition lives in its lock's slot: over a Lock or RLock given to it, it uses that lock's
 * keys (so one script can release the lock and queue the waiter); without one, its own keys
 * hold its RLock. Its own part is `cw:<condition>`, the LIST of waiting ids, kept under the
 * lock's hash tag, and each waiter's mailbox `cmb:<waiter>`.
 *
 * `wait` releases the lock fully and queues the waiter in one script; `notify` wakes the first
 * waiters; a woken (or timed-out) waiter then takes the lock again as any acquirer does, and
 * restores its RLock count, before `wait` returns, as in Python.
 */

/** KEYS st w wexp wo g cw extra; ARGV owner waiter mailbox lease tag. The saved count, or -1 if not the owner. */
const beginWaitScript = new Script(`
${expireLua}
if owner ~= ARGV[1] then return -1 end
local saved = tonumber(redis.call('HGET', KEYS[1], 'count'))
redis.call('HDEL', KEYS[1], 'owner', 'count', 'exp')
redis.call('RPUSH', KEYS[6], ARGV[2])
redis.call('SADD', KEYS[7], ARGV[3])
handOver(tonumber(ARGV[4]))
return saved`);

/** KEYS st w wexp wo g cw; ARGV owner n tag. -1 if not the owner. */
const notifyScript = new Script(`
${expireLua}
if owner ~= ARGV[1] then return -1 end
local n = tonumber(ARGV[2])
local woken = 0
while woken < n do
  local waiter = redis.call('LPOP', KEYS[6])
  if not waiter then break end
  redis.call('RPUSH', ARGV[3] .. ':cmb:' .. waiter, '1')
  woken = woken + 1
end
return woken`);

/** KEYS cw extra mailbox; ARGV waiter. 1 if it was notified (its mailbox has the wake-up). */
const endWaitScript = new Script(`
redis.call('LREM', KEYS[1], 0, ARGV[1])
local notified = redis.call('LPOP', KEYS[3])
redis.call('DEL', KEYS[3])
redis.call('SREM', KEYS[2], KEYS[3])
return notified and 1 or 0`);

/** KEYS st; ARGV owner count: an RLock re-taken after a wait gets its count back. */
const restoreScript = new Script(`
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then redis.call('HSET', KEYS[1], 'count', ARGV[2]) end
return 1`);

/** Which lock each condition of this process uses: its own id and type, or the given lock's. */
const locks = new Map<string, { id: number; typeId: string }>();

async function lockOf(context: MethodContext): Promise<MethodContext> {
  const at = `${context.store.address} ${context.keys.id}`;
  let lock = locks.get(at);
  if (lock === undefined) {
    const [id, typeId] = await context.client.hmget(context.keys.key('lock'), 'id', 'type');
    lock = id === null ? { id: context.keys.id, typeId: 'RLock' } : { id: Number(id), typeId: typeId! };
    locks.set(at, lock);
  }
  return { ...context, keys: new ObjectKeys(context.store.prefix, lock.id), typeId: lock.typeId };
}

function conditionKeys(lock: MethodContext, conditionId: number) {
  const { keys } = lock;
  return [keys.key('st'), keys.key('w'), keys.key('wexp'), keys.key('wo'), keys.key('g'), keys.key(`cw:${conditionId}`)];
}

/** Python's `Condition` on Redis, over its own RLock or a given Lock or RLock of the same Redis. */
export const conditionType: SharedType = {
  typeIds: ['Condition'],
  parts: ['lock', 'st', 'w', 'wexp', 'wo', 'g'],
  async init(context, [lock = null]) {
    if (lock === null || lock === undefined) return;
    if (!(lock instanceof BaseProxy) || (lock.typeId !== 'Lock' && lock.typeId !== 'RLock') || lock.address !== context.store.address) {
      throw new TypeError(messages.conditionLockKind);
    }
    await context.client.hset(context.keys.key('lock'), 'id', lock.id, 'type', lock.typeId);
  },
  methods: {
    acquire: async (context, args) => await lockType.methods.acquire!(await lockOf(context), args),
    release: async (context, args) => await lockType.methods.release!(await lockOf(context), args),
    locked: async (context, args) => await lockType.methods.locked!(await lockOf(context), args),
    async '#str'(context) {
      const waiting = await context.client.llen((await lockOf(context)).keys.key(`cw:${context.keys.id}`));
      return `<Condition(${String(await lockType.methods['#str']!(await lockOf(context), []))}, ${waiting})>`;
    },
    async wait(context, [timeout = null, chain = null]) {
      const seconds = timeoutSeconds(timeout);
      const lock = await lockOf(context);
      const { store, signal } = context;
      const keys = conditionKeys(lock, context.keys.id);
      const owner = ownerOf(lock, chain);
      const waiter = store.session.nextWaiterId();
      const mailbox = lock.keys.key(`cmb:${waiter}`);
      const saved = await beginWaitScript.run(store.client, [...keys, lock.keys.key('extra')], [owner, waiter, mailbox, store.session.leaseMs, lock.keys.tag]);
      if (saved === -1) throw new RuntimeError(messages.waitUnacquired);
      // The lock is released: this process no longer renews it.
      letGoOf(lock, owner);
      const deadline = new Deadline(seconds === null ? null : Math.max(0, seconds));
      while (!deadline.passed && !signal?.aborted) {
        const woken = await store.blocking.run(mailbox, (connection) => connection.blpop(mailbox, deadline.slice(3_600_000)), signal);
        if (Array.isArray(woken)) {
          // Put the wake-up back for endWait to read: notified.
          await store.client.rpush(mailbox, '1');
          break;
        }
      }
      const notified = (await endWaitScript.run(store.client, [keys[5]!, lock.keys.key('extra'), mailbox], [waiter])) === 1;
      // As in Python, the lock is held again when wait returns, however it returns.
      await lockType.methods.acquire!(lock, [true, null, chain]);
      if (lock.typeId === 'RLock') await restoreScript.run(store.client, [keys[0]!], [owner, saved]);
      if (signal?.aborted) throw signal.reason;
      return notified;
    },
    async notify(context, [n = 1, chain = null]) {
      const lock = await lockOf(context);
      const count = typeof n === 'bigint' ? Number(n) : Math.ceil(Number(n));
      const outcome = await notifyScript.run(context.client, conditionKeys(lock, context.keys.id), [ownerOf(lock, chain), Number.isFinite(count) ? count : 2 ** 31, lock.keys.tag]);
      if (outcome === -1) throw new RuntimeError(messages.notifyUnacquired);
      return null;
    },
    async notifyAll(context, [chain = null]) {
      return await conditionType.methods.notify!(context, [Infinity, chain]);
    },
  },
};
