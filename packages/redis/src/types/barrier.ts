import { BrokenBarrierError, messages, pyTypeName, RuntimeError, ValueError } from '@mpts/proxy/wire';
import { Script } from '../script.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { Deadline } from '../wait.js';
import { objectAddress } from '../keys.js';

/*
 * A Barrier: `st` HASH {parties, action (1 if a party's process runs one), timeout (the default
 * wait, seconds, or ''), broken, runner (the session running the action)} and `w` LIST of the
 * waiting ids. Each waiter blocks on its mailbox `bmb:<waiter>`, where the script that releases
 * the parties pushes its index, or 'broken'.
 */

const releaseLua = `
local function releaseAll()
  for i, waiter in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
    redis.call('RPUSH', ARGV[#ARGV] .. ':bmb:' .. waiter, i - 1)
  end
  redis.call('DEL', KEYS[2])
end
local function breakAll()
  redis.call('HSET', KEYS[1], 'broken', 1, 'runner', '')
  for _, waiter in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
    redis.call('RPUSH', ARGV[#ARGV] .. ':bmb:' .. waiter, 'broken')
  end
  redis.call('DEL', KEYS[2])
end`;

/** KEYS st w extra; ARGV waiter session tag. -2 broken; -1 wait; -3 run the action; else the index. */
const waitScript = new Script(`
${releaseLua}
if redis.call('HGET', KEYS[1], 'broken') == '1' or redis.call('HGET', KEYS[1], 'runner') ~= '' then return -2 end
local parties = tonumber(redis.call('HGET', KEYS[1], 'parties'))
if redis.call('LLEN', KEYS[2]) + 1 < parties then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  redis.call('SADD', KEYS[3], ARGV[3] .. ':bmb:' .. ARGV[1])
  return -1
end
if redis.call('HGET', KEYS[1], 'action') == '1' then
  redis.call('HSET', KEYS[1], 'runner', ARGV[2])
  return -3
end
releaseAll()
return parties - 1`);

/** KEYS st w; ARGV ok session tag. -2 not running (broken); -4 another session runs it; else the index. */
const actionDoneScript = new Script(`
${releaseLua}
local runner = redis.call('HGET', KEYS[1], 'runner')
if runner == '' or not runner then return -2 end
if runner ~= ARGV[2] then return -4 end
if ARGV[1] ~= '1' then breakAll(); return -1 end
redis.call('HSET', KEYS[1], 'runner', '')
releaseAll()
return tonumber(redis.call('HGET', KEYS[1], 'parties')) - 1`);

/** KEYS st w; ARGV tag. */
const breakScript = new Script(`
${releaseLua}
breakAll()
return 1`);

const resetScript = new Script(`
${releaseLua}
breakAll()
redis.call('HSET', KEYS[1], 'broken', 0)
return 1`);

/** KEYS st w extra mailbox; ARGV waiter breaks tag. A timed-out waiter breaks the barrier, unless released meanwhile. */
const leaveScript = new Script(`
${releaseLua}
local answer = redis.call('LPOP', KEYS[4])
if not answer and redis.call('LREM', KEYS[2], 0, ARGV[1]) == 1 and ARGV[2] == '1' then breakAll() end
redis.call('DEL', KEYS[4])
redis.call('SREM', KEYS[3], KEYS[4])
return answer or false`);

function barrierKeys(context: MethodContext): [string, string] {
  return [context.keys.key('st'), context.keys.key('w')];
}

/** Python's `timeout`, where a negative one counts as zero; null for none. */
function seconds(timeout: unknown): number | null {
  if (timeout === null || timeout === undefined || timeout === '') return null;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) throw new TypeError(messages.timeoutNotNumber(typeof timeout));
  return Math.max(0, timeout);
}

function answer(reply: Buffer | string | null): number {
  const text = reply === null ? 'broken' : reply.toString();
  if (text === 'broken') throw new BrokenBarrierError();
  return Number(text);
}

/** Python's `Barrier` on Redis; its action runs in the process whose `wait()` fills it. */
export const barrierType: SharedType = {
  typeIds: ['Barrier'],
  parts: ['st', 'w'],
  async init(context, [parties, hasAction = false, timeout = null]) {
    if (typeof parties === 'boolean' || typeof parties === 'bigint') parties = Number(parties);
    if (typeof parties !== 'number') throw new TypeError(messages.notSupportedBetween('<', pyTypeName(parties), 'int'));
    if (!Number.isInteger(parties) && Number.isFinite(parties)) throw new TypeError(messages.integerExpected('float'));
    if (parties < 1) throw new ValueError(messages.partiesPositive);
    const limit = seconds(timeout);
    await context.client.hset(context.keys.key('st'), 'parties', parties, 'action', hasAction ? 1 : 0, 'timeout', limit ?? '', 'broken', 0, 'runner', '');
  },
  methods: {
    async wait(context, [timeout = null]) {
      const { store, signal, keys } = context;
      const [st, w] = barrierKeys(context);
      const limit = timeout === null || timeout === undefined ? seconds(await store.client.hget(st, 'timeout')) : seconds(timeout);
      const waiter = store.session.nextWaiterId();
      const mailbox = keys.key(`bmb:${waiter}`);
      const outcome = Number(await waitScript.run(store.client, [st, w, keys.key('extra')], [waiter, store.session.id, keys.tag]));
      if (outcome === -2) throw new BrokenBarrierError();
      if (outcome === -3) return 'run-action';
      if (outcome >= 0) return outcome;
      const deadline = new Deadline(limit);
      while (!deadline.passed && !signal?.aborted) {
        const woken = await store.blocking.run(mailbox, (connection) => connection.blpop(mailbox, deadline.slice(3_600_000)), signal);
        if (Array.isArray(woken)) {
          await store.client.multi().del(mailbox).srem(keys.key('extra'), mailbox).exec();
          return answer(woken[1]);
        }
      }
      // Timed out (Python breaks the barrier) or cancelled (the party leaves): unless released meanwhile.
      const late = (await leaveScript.run(store.client, [st, w, keys.key('extra'), mailbox], [waiter, signal?.aborted ? '0' : '1', keys.tag])) as Buffer | null;
      if (late !== null) return answer(late);
      if (signal?.aborted) throw signal.reason;
      throw new BrokenBarrierError();
    },
    async actionDone(context, [ok]) {
      const outcome = Number(await actionDoneScript.run(context.client, barrierKeys(context), [ok ? '1' : '0', context.store.session.id, context.keys.tag]));
      if (outcome === -2) throw new BrokenBarrierError();
      if (outcome === -4) throw new RuntimeError(messages.barrierActionNotRunner);
      return outcome;
    },
    async abort(context) {
      await breakScript.run(context.client, barrierKeys(context), [context.keys.tag]);
      return null;
    },
    async reset(context) {
      await resetScript.run(context.client, barrierKeys(context), [context.keys.tag]);
      return null;
    },
    async parties(context) {
      return Number(await context.client.hget(context.keys.key('st'), 'parties'));
    },
    async nWaiting(context) {
      return await context.client.llen(context.keys.key('w'));
    },
    async broken(context) {
      return (await context.client.hget(context.keys.key('st'), 'broken')) === '1';
    },
    async '#str'(context) {
      const [parties, broken] = await context.client.hmget(context.keys.key('st'), 'parties', 'broken');
      const waiting = await context.client.llen(context.keys.key('w'));
      const at = `<threading.Barrier at ${objectAddress(context.keys.id)}`;
      return broken === '1' ? `${at}: broken>` : `${at}: waiters=${waiting}/${parties}>`;
    },
  },
};
