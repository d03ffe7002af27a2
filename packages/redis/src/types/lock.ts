import { messages, pythonLockRepr, RuntimeError, timeoutSeconds, ValueError } from '@mpts/proxy/wire';
import { LockLostError } from '../lock-lost-error.js';
import { luaNow, Script } from '../script.js';
import { objectAddress } from '../keys.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { Deadline, leaveLineLua, renewWaiterScript } from '../wait.js';

/*
 * A Lock or RLock:
 * - `st` HASH {owner, count, exp, tok, fence, lapsed}: the holder (a session, and for an RLock
 *   the task chain in it), how often an RLock holder re-entered, when its lease ends (Redis
 *   server time, ms), its fencing token, the counter tokens come from, and the token of the
 *   last hold whose lease lapsed (so its holder learns it lost the lock);
 * - `w` LIST of waiter ids, first come first served; `wexp` ZSET waiter id → lease end;
 *   `wo` HASH waiter id → the owner it waits as;
 * - `g` HASH waiter id → token: the lock was handed to that waiter (as the manager does, a
 *   release hands the lock to the first waiter at once);
 * - `mb:<waiter>` LIST: the waiter's mailbox, where a hand-over wakes it.
 *
 * The grant is written in the releasing script; the mailbox push is only a wake-up, so a lost
 * wake-up costs time, never the lock. A waiter that leaves (timeout, abort) and finds a grant
 * it did not see passes the lock on: a cancelled wait never keeps the lock.
 */
const parts = ['st', 'w', 'wexp', 'wo', 'g'] as const;

/**
 * Lua: forgets a holder whose lease lapsed (recording its token as lapsed), and waiters at the
 * head of the line whose lease lapsed. KEYS st w wexp wo.
 */
export const expireLua = `
${luaNow}
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and tonumber(redis.call('HGET', KEYS[1], 'exp')) < now then
  redis.call('HSET', KEYS[1], 'lapsed', redis.call('HGET', KEYS[1], 'tok'))
  redis.call('HDEL', KEYS[1], 'owner', 'count', 'exp')
  owner = false
end
local function dropStaleHead()
  while true do
    local head = redis.call('LINDEX', KEYS[2], 0)
    if not head then return false end
    local alive = redis.call('ZSCORE', KEYS[3], head)
    if alive and tonumber(alive) >= now then return head end
    redis.call('LPOP', KEYS[2])
    redis.call('ZREM', KEYS[3], head)
    redis.call('HDEL', KEYS[4], head)
  end
end
-- The lock is free: hand it to the first live waiter. KEYS[5] is g; ARGV[#ARGV] the tag.
local function handOver(lease)
  local head = dropStaleHead()
  if not head then return false end
  redis.call('LPOP', KEYS[2])
  redis.call('ZREM', KEYS[3], head)
  local tok = redis.call('HINCRBY', KEYS[1], 'fence', 1)
  redis.call('HSET', KEYS[1], 'owner', redis.call('HGET', KEYS[4], head), 'count', 1, 'exp', now + lease, 'tok', tok)
  redis.call('HDEL', KEYS[4], head)
  redis.call('HSET', KEYS[5], head, tok)
  redis.call('RPUSH', ARGV[#ARGV] .. ':mb:' .. head, '1')
  return true
end`;

/**
 * KEYS st w wexp wo g extra; ARGV owner waiter lease queue(1: join the line) reentrant tag.
 * {1, token} taken (or handed over to this waiter); {0, ms} not: ms is how long until the
 * holder's lease ends at the latest.
 */
const acquireScript = new Script(`
${expireLua}
local lease = tonumber(ARGV[3])
if not owner then
  -- Free: its holder's lease lapsed, or it was never taken. The first live waiter comes first
  -- (this caller too, if it is that waiter).
  if handOver(lease) then owner = redis.call('HGET', KEYS[1], 'owner') end
end
local granted = redis.call('HGET', KEYS[5], ARGV[2])
if granted then
  redis.call('HDEL', KEYS[5], ARGV[2])
  redis.call('DEL', ARGV[6] .. ':mb:' .. ARGV[2])
  redis.call('SREM', KEYS[6], ARGV[6] .. ':mb:' .. ARGV[2])
  return {1, tonumber(granted)}
end
if owner then
  if ARGV[5] == '1' and owner == ARGV[1] then
    redis.call('HINCRBY', KEYS[1], 'count', 1)
    return {1, tonumber(redis.call('HGET', KEYS[1], 'tok'))}
  end
  if ARGV[4] == '1' then
    if not redis.call('ZSCORE', KEYS[3], ARGV[2]) then redis.call('RPUSH', KEYS[2], ARGV[2]) end
    redis.call('ZADD', KEYS[3], now + lease, ARGV[2])
    redis.call('HSET', KEYS[4], ARGV[2], ARGV[1])
    redis.call('SADD', KEYS[6], ARGV[6] .. ':mb:' .. ARGV[2])
  end
  return {0, tonumber(redis.call('HGET', KEYS[1], 'exp')) - now}
end
local tok = redis.call('HINCRBY', KEYS[1], 'fence', 1)
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'count', 1, 'exp', now + lease, 'tok', tok)
return {1, tok}`);

/**
 * KEYS st w wexp wo g; ARGV owner token(this process's, or '') reentrant lease tag.
 * 1 still held (re-entered), 0 released, -1 not held (Python's RuntimeError), -2 this
 * process's hold lapsed.
 */
const releaseScript = new Script(`
${expireLua}
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'lapsed') == ARGV[2] then return -2 end
if not owner then return -1 end
if ARGV[3] == '1' then
  if owner ~= ARGV[1] then return -1 end
  if redis.call('HINCRBY', KEYS[1], 'count', -1) > 0 then return 1 end
end
redis.call('HDEL', KEYS[1], 'owner', 'count', 'exp')
handOver(tonumber(ARGV[4]))
return 0`);

/** KEYS st w wexp wo g; ARGV owner token lease tag. 1 renewed; 0 lapsed; 2 released by someone. */
const renewScript = new Script(`
${expireLua}
if owner == ARGV[1] and redis.call('HGET', KEYS[1], 'tok') == ARGV[2] then
  redis.call('HSET', KEYS[1], 'exp', now + tonumber(ARGV[3]))
  return 1
end
if redis.call('HGET', KEYS[1], 'lapsed') == ARGV[2] then
  if not owner then handOver(tonumber(ARGV[3])) end
  return 0
end
return 2`);

/**
 * KEYS st w wexp wo g extra mailbox; ARGV waiter lease tag. Leaves the line. A grant that
 * arrived meanwhile is passed on while the lock is still held by it: the caller reports a
 * timeout or an abort, so it must not keep the lock.
 */
const leaveScript = new Script(`
${expireLua}
${leaveLineLua({ w: 2, wexp: 3, wo: 4, extra: 6, mailbox: 7, waiter: 1 })}
local granted = redis.call('HGET', KEYS[5], ARGV[1])
if granted then
  redis.call('HDEL', KEYS[5], ARGV[1])
  if owner and redis.call('HGET', KEYS[1], 'tok') == granted then
    redis.call('HDEL', KEYS[1], 'owner', 'count', 'exp')
    handOver(tonumber(ARGV[2]))
  end
end
return 1`);

const locked = new Script(`
${luaNow}
local exp = redis.call('HGET', KEYS[1], 'exp')
return (redis.call('HGET', KEYS[1], 'owner') and tonumber(exp) >= now) and 1 or 0`);

/** A live holder's owner (`session/task`) and level, or nothing: what `str()` shows. */
const holderOf = new Script(`
${luaNow}
local st = redis.call('HMGET', KEYS[1], 'owner', 'exp', 'count')
if st[1] and tonumber(st[2]) >= now then return {st[1], tonumber(st[3] or 1)} end
return {}`);

/** What this process holds of one lock: renewed by the watchdog until released or lost. */
export interface Holding {
  readonly owner: string;
  readonly token: number;
  /** Aborts (with a `LockLostError`) when a renewal finds the lease lapsed. */
  readonly controller: AbortController;
}

/** Python's timeout rules for `Lock.acquire`: seconds, or null for none. */
function lockTimeout(blocking: unknown, timeout: unknown): number | null {
  const seconds = timeoutSeconds(timeout);
  if (seconds === null || seconds === -1) return null;
  if (!blocking) throw new ValueError(messages.timeoutNonBlocking);
  if (seconds < 0) throw new ValueError(messages.timeoutNegative);
  return seconds;
}

function lockKeys(context: MethodContext) {
  const { keys } = context;
  return {
    st: keys.key('st'),
    w: keys.key('w'),
    wexp: keys.key('wexp'),
    wo: keys.key('wo'),
    g: keys.key('g'),
    extra: keys.key('extra'),
  };
}

/** The owner name: this session, and for an RLock the task chain (none: the session's default task). */
export function ownerOf(context: MethodContext, chain: unknown): string {
  return context.typeId === 'RLock' ? `${context.store.session.id}/${chain ?? 0}` : context.store.session.id;
}

function holdingName(context: MethodContext, owner: string): string {
  return `lock:${context.keys.id}:${owner}`;
}

/** Records a hold of this process and renews it on every watchdog tick until released or lost. */
function hold(context: MethodContext, owner: string, token: number): void {
  const { store } = context;
  const name = holdingName(context, owner);
  if (store.holdings.get(name)?.token === token) return;
  const holding: Holding = { owner, token, controller: new AbortController() };
  store.holdings.set(name, holding);
  const k = lockKeys(context);
  store.session.renew(name, async () => {
    const renewed = await renewScript.run(store.client, [k.st, k.w, k.wexp, k.wo, k.g], [owner, token, store.session.leaseMs, context.keys.tag]);
    if (renewed === 1 || store.holdings.get(name) !== holding) return;
    store.session.stopRenewing(name);
    // Released by another process (Python lets anyone release a Lock): no longer ours, not lost.
    if (renewed === 2) store.holdings.delete(name);
    else holding.controller.abort(new LockLostError(lostMessage(context, token)));
  });
}

function lostMessage(context: MethodContext, token: number): string {
  return `the ${context.typeId} ${context.keys.id} (fencing token ${token}) was lost: this process did not renew its lease in time, and it may be held by another since`;
}

export function letGoOf(context: MethodContext, owner: string): void {
  const name = holdingName(context, owner);
  context.store.holdings.delete(name);
  context.store.session.stopRenewing(name);
}

async function acquire(context: MethodContext, [blocking = true, timeout = null, chain = null]: unknown[]): Promise<boolean> {
  const seconds = lockTimeout(blocking, timeout);
  const { store, signal } = context;
  const k = lockKeys(context);
  const owner = ownerOf(context, chain);
  const waiter = store.session.nextWaiterId();
  const mailbox = context.keys.key(`mb:${waiter}`);
  const reentrant = context.typeId === 'RLock' ? '1' : '0';
  const tag = context.keys.tag;
  const attempt = async (): Promise<[number, number]> =>
    (await acquireScript.run(store.client, [k.st, k.w, k.wexp, k.wo, k.g, k.extra], [owner, waiter, store.session.leaseMs, blocking ? '1' : '0', reentrant, tag])) as [number, number];
  let [got, value] = await attempt();
  if (got === 1) {
    hold(context, owner, value);
    return true;
  }
  if (!blocking) return false;
  const deadline = new Deadline(seconds);
  const renewal = `wait:${waiter}`;
  store.session.renew(renewal, async () => {
    await renewWaiterScript.run(store.client, [k.wexp], [waiter, store.session.leaseMs]);
  });
  try {
    for (;;) {
      if (deadline.passed || signal?.aborted) {
        await leaveScript.run(store.client, [k.st, k.w, k.wexp, k.wo, k.g, k.extra, mailbox], [waiter, store.session.leaseMs, tag]);
        if (signal?.aborted) throw signal.reason;
        return false;
      }
      // Wakes when handed the lock, or when the holder's lease would end (a dead holder's
      // lock is reclaimed then), whichever comes first.
      await store.blocking.run(mailbox, (connection) => connection.blpop(mailbox, deadline.slice(Math.max(value, 0) + 5)), signal);
      if (signal?.aborted) continue;
      [got, value] = await attempt();
      if (got === 1) {
        hold(context, owner, value);
        return true;
      }
    }
  } finally {
    store.session.stopRenewing(renewal);
  }
}

async function release(context: MethodContext, [chain = null]: unknown[]): Promise<null> {
  const { store } = context;
  const k = lockKeys(context);
  const owner = ownerOf(context, chain);
  const holding = store.holdings.get(holdingName(context, owner));
  if (holding?.controller.signal.aborted) {
    letGoOf(context, owner);
    throw holding.controller.signal.reason;
  }
  const reentrant = context.typeId === 'RLock' ? '1' : '0';
  const outcome = await releaseScript.run(store.client, [k.st, k.w, k.wexp, k.wo, k.g], [owner, holding?.token ?? '', reentrant, store.session.leaseMs, context.keys.tag]);
  if (outcome === 1) return null;
  if (holding !== undefined) letGoOf(context, owner);
  if (outcome === -2) {
    const error = new LockLostError(lostMessage(context, holding!.token));
    holding!.controller.abort(error);
    throw error;
  }
  if (outcome === -1) throw new RuntimeError(context.typeId === 'RLock' ? messages.releaseUnacquired : messages.releaseUnlocked);
  return null;
}

/** `Lock` and `RLock` on Redis, with leases and fencing tokens. */
export const lockType: SharedType = {
  typeIds: ['Lock', 'RLock'],
  parts,
  async init() {},
  methods: {
    acquire,
    release,
    async locked(context) {
      return (await locked.run(context.client, [context.keys.key('st')])) === 1;
    },
    /** Python's `<locked _thread.RLock object owner=… count=… at 0x…>`; the owner is the holder's pid. */
    async '#str'(context) {
      const [held, count] = (await holderOf.run(context.client, [context.keys.key('st')])) as [Buffer | string | undefined, number?];
      const owner = held === undefined ? undefined : String(held);
      const address = objectAddress(context.keys.id);
      if (context.typeId === 'Lock') return pythonLockRepr(address, owner !== undefined);
      return pythonLockRepr(address, owner !== undefined, { owner: owner === undefined ? 0 : pidOf(owner), count: count ?? 0 });
    },
  },
  async letGo(context) {
    // A clean close releases what this process holds at once, for the next waiter.
    const k = lockKeys(context);
    const reentrant = context.typeId === 'RLock' ? '1' : '0';
    for (const [name, holding] of [...context.store.holdings]) {
      if (!name.startsWith(`lock:${context.keys.id}:`)) continue;
      letGoOf(context, holding.owner);
      // An RLock entered several times is released as many times.
      const args = [holding.owner, holding.token, reentrant, context.store.session.leaseMs, context.keys.tag];
      while ((await releaseScript.run(context.client, [k.st, k.w, k.wexp, k.wo, k.g], args)) === 1);
    }
  },
};

/** The pid in an owner (`host.pid.random/task`). */
function pidOf(owner: string): number {
  return Number(owner.split('/')[0]!.split('.').at(-2));
}
