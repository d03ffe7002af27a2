import { timeoutSeconds } from '@mpts/proxy/wire';
import { Script } from '../script.js';
import type { SharedType } from '../shared-type.js';
import { objectAddress } from '../keys.js';
import { Deadline } from '../wait.js';

/*
 * An Event: `f` STRING (the flag, '1' when set) and `w` SET of the waiters' mailboxes. `set`
 * wakes every waiter in the same script that sets the flag: a waiter woken returns true even
 * if the flag is cleared again before it runs, as the manager's does.
 */

/** KEYS f w. */
const setScript = new Script(`
redis.call('SET', KEYS[1], '1')
for _, mailbox in ipairs(redis.call('SMEMBERS', KEYS[2])) do redis.call('RPUSH', mailbox, '1') end
redis.call('DEL', KEYS[2])
return 1`);

/** KEYS f w extra; ARGV mailbox. 1: set already; 0: wait on the mailbox. */
const waitScript = new Script(`
if redis.call('GET', KEYS[1]) == '1' then return 1 end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 0`);

/** KEYS f w extra; ARGV mailbox. Leaves; the flag now. */
const leaveScript = new Script(`
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
local woken = redis.call('LPOP', ARGV[1])
redis.call('DEL', ARGV[1])
if woken then return 1 end
return redis.call('GET', KEYS[1]) == '1' and 1 or 0`);

/** Python's `Event` on Redis. */
export const eventType: SharedType = {
  typeIds: ['Event'],
  parts: ['f', 'w'],
  async init() {},
  methods: {
    async isSet(context) {
      return (await context.client.get(context.keys.key('f'))) === '1';
    },
    async set(context) {
      await setScript.run(context.client, [context.keys.key('f'), context.keys.key('w')]);
      return null;
    },
    async clear(context) {
      await context.client.del(context.keys.key('f'));
      return null;
    },
    async wait(context, [timeout = null]) {
      const seconds = timeoutSeconds(timeout);
      const { store, signal, keys } = context;
      const k = [keys.key('f'), keys.key('w'), keys.key('extra')];
      const mailbox = keys.key(`mb:${store.session.nextWaiterId()}`);
      if ((await waitScript.run(store.client, k, [mailbox])) === 1) return true;
      const deadline = new Deadline(seconds === null ? null : Math.max(0, seconds));
      let woken = false;
      while (!woken && !deadline.passed && !signal?.aborted) {
        // Waits in slices of at most an hour: Redis reads a timeout of 0 as "forever" anyway.
        woken = Array.isArray(await store.blocking.run(mailbox, (connection) => connection.blpop(mailbox, deadline.slice(3_600_000)), signal));
      }
      const flag = (await leaveScript.run(store.client, k, [mailbox])) === 1;
      if (signal?.aborted) throw signal.reason;
      return woken || flag;
    },
    async '#str'(context) {
      return `<threading.Event at ${objectAddress(context.keys.id)}: ${(await context.client.get(context.keys.key('f'))) === '1' ? 'set' : 'unset'}>`;
    },
  },
};
