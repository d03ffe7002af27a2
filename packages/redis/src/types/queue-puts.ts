import { Script } from '../script.js';
import type { MethodContext } from '../shared-type.js';
import type { ObjectKeys } from '../keys.js';
import type { RedisStore } from '../redis-store.js';
import { perQueue, queueKeys } from './queue-parts.js';

/**
 * KEYS q st; ARGV (envelope, mode) per put, mode '0' for a put that may wait, '2' for one that
 * never waits. Pushes the items in order while there is room and returns how many it pushed;
 * the rest are refused (none jumps ahead of a refused one), and each refused put that may wait
 * is counted as a waiting putter.
 */
const putScript = new Script(`
local maxsize = tonumber(redis.call('HGET', KEYS[2], 'maxsize') or '0')
local pushed = 0
for i = 1, #ARGV, 2 do
  if maxsize > 0 and redis.call('LLEN', KEYS[1]) >= maxsize then
    for j = i, #ARGV, 2 do
      if ARGV[j + 1] == '0' then redis.call('HINCRBY', KEYS[2], 'putters', 1) end
    end
    break
  end
  redis.call('RPUSH', KEYS[1], ARGV[i])
  pushed = pushed + 1
end
if pushed > 0 then redis.call('HINCRBY', KEYS[2], 'unfinished', pushed) end
return pushed`);

/** The most puts one script pushes: a bound on one script's work and one command's size. */
const putLimit = 1024;

interface Put {
  readonly stored: Buffer;
  readonly mode: '0' | '2';
  readonly settle: (pushed: boolean | { error: unknown }) => void;
}

/** The puts this process makes of one queue (one per store and queue). */
export const putsOf = perQueue((context) => new QueuePuts(context));

/**
 * The puts one process makes of one queue in one turn of the event loop, sent as one script
 * (a producer with 64 puts in flight pays one round trip and one script, not 64), each put
 * still one step of it, in the order made.
 */
export class QueuePuts {
  #pending: Put[] = [];
  readonly #keys: string[];
  readonly #store: RedisStore;
  readonly #queue: ObjectKeys;

  constructor({ store, keys }: MethodContext) {
    const k = queueKeys({ store, keys });
    this.#keys = [k.q, k.st];
    this.#store = store;
    this.#queue = keys;
  }

  /** Resolves true once the item is in the queue, false when the queue was full. */
  put(stored: Buffer, mayWait: boolean): Promise<boolean> {
    const store = this.#store;
    const keys = this.#queue;
    if (this.#pending.length >= putLimit) store.turnBatch.settle();
    if (!store.turnBatch.isOpen(keys.id, 'put')) store.turnBatch.open(keys.id, 'put', () => this.#send());
    return new Promise<boolean>((resolve, reject) => {
      this.#pending.push({
        stored,
        mode: mayWait ? '0' : '2',
        settle: (pushed) => (typeof pushed === 'boolean' ? resolve(pushed) : reject(pushed.error)),
      });
    });
  }

  #send(): void {
    const batch = this.#pending;
    this.#pending = [];
    const args: (Buffer | string)[] = [];
    for (const put of batch) args.push(put.stored, put.mode);
    putScript.run(this.#store.client, this.#keys, args).then(
      (pushed: number) => batch.forEach((put, i) => put.settle(i < pushed)),
      (error: unknown) => batch.forEach((put) => put.settle({ error })),
    );
  }
}
