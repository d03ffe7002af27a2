import { QueueEmpty } from '@mpts/proxy/wire';
import { luaNow, Script } from '../script.js';
import type { MethodContext } from '../shared-type.js';
import type { ObjectKeys } from '../keys.js';
import type { RedisStore } from '../redis-store.js';
import { letGoScript, opened, perQueue, queueKeys, reclaimLua } from './queue-parts.js';

/**
 * KEYS q st sess space p extra; ARGV session lease tag count, then envelopes delivered.
 * Acknowledges the delivered items (a putter waiting for room is woken for each), brings back
 * what dead sessions held, renews this session's lease, and moves up to `count` items from the
 * head of `q` into this session's hands: returns them, in order.
 */
const takeScript = new Script(`
${reclaimLua}
local putters = tonumber(redis.call('HGET', KEYS[2], 'putters') or '0')
for i = 5, #ARGV do
  redis.call('LREM', KEYS[5], 1, ARGV[i])
  if putters > 0 then redis.call('RPUSH', KEYS[4], '1') end
end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[1])
local count = tonumber(ARGV[4])
if count == 0 then return {} end
redis.call('SADD', KEYS[6], KEYS[5])
local items = redis.call('LPOP', KEYS[1], count)
if not items then return {} end
redis.call('RPUSH', KEYS[5], unpack(items))
return items`);

/** KEYS p q; ARGV envelopes. Items taken for gets that went away meanwhile go back to the head, in order. */
const giveBackScript = new Script(`
for i = #ARGV, 1, -1 do
  if redis.call('LREM', KEYS[1], 1, ARGV[i]) == 1 then redis.call('LPUSH', KEYS[2], ARGV[i]) end
end
return 1`);

const renewScript = new Script(`
${luaNow}
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return 1`);

/** The most items one take moves: a bound on one script's work and one reply's size. */
const takeLimit = 256;

/** One get waiting in this process. */
interface Waiter {
  /** Whether it waits for an item (else it fails at once when its first take finds none). */
  readonly blocking: boolean;
  /** A take was sent for it. */
  included: boolean;
  /** Its first take has been answered: from now on its timeout may end it at once. */
  tried: boolean;
  /** Its timeout passed before its first take was answered. */
  expired: boolean;
  readonly settle: (outcome: { item: unknown } | { error: unknown }) => void;
}

/** The gets this process makes of one queue (one per store and queue). */
export const takersOf = perQueue((context) => new QueueTakers(context));

/**
 * The gets one process makes of one queue, served together, so that a consumer with many gets
 * in flight costs a script per batch, not per item:
 *
 * - the gets made in one turn of the event loop wait here, in the order made; one script, sent
 *   when the turn ends (or before any later call of this process, see turn-batch.ts), takes as
 *   many items as there are new gets and acknowledges the items delivered since the last one;
 *   every item goes to the oldest get still waiting;
 * - when the queue is empty, one blocking BLMOVE (on a connection of its own) waits for the next
 *   item on behalf of all of them, then a take serves the rest;
 * - a get that is cancelled or times out leaves at once and is never given an item; an item
 *   taken for it meanwhile goes to the next get, or back to the head of the queue.
 *
 * Each take is one atomic step, as a manager's get; an item is the session's from its take
 * until its acknowledgement, so a process killed in between loses nothing (see queue-parts.ts).
 */
export class QueueTakers {
  readonly #waiting: Waiter[] = [];
  /** Items delivered and not yet acknowledged in Redis. */
  #delivered: Buffer[] = [];
  #taking = 0;
  #blocked = false;
  /** Items asked for by the takes and the blocking wait in flight. */
  #requested = 0;
  #ackQueued = false;
  /** Ends the blocking wait in Redis when no get is left to serve. */
  #unblock: AbortController | undefined;
  readonly #keys: ReturnType<typeof queueKeys>;
  readonly #store: RedisStore;
  readonly #queue: ObjectKeys;

  constructor({ store, keys }: MethodContext) {
    this.#keys = queueKeys({ store, keys });
    this.#store = store;
    this.#queue = keys;
  }

  /**
   * Resolves to the next item for this get. `seconds` null waits forever; a non-blocking get
   * fails with QueueEmpty once its take found nothing.
   */
  get(blocking: boolean, seconds: number | null, signal: AbortSignal | undefined): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => this.#leave(waiter, signal!.reason);
      const waiter: Waiter = {
        blocking,
        included: false,
        tried: false,
        expired: false,
        settle: (outcome) => {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if ('item' in outcome) resolve(outcome.item);
          else reject(outcome.error);
        },
      };
      if (blocking && seconds !== null) {
        timer = setTimeout(() => {
          // Before its first take was answered, a get with a timeout still gets what is there.
          if (waiter.tried) this.#leave(waiter, new QueueEmpty());
          else waiter.expired = true;
        }, seconds * 1000);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
      const store = this.#store;
      const keys = this.#queue;
      // While a take is in flight, later gets gather until it is answered (or until this
      // process makes another call): one take for all of them, not one take per get.
      if (!store.turnBatch.isOpen(keys.id, 'get')) store.turnBatch.open(keys.id, 'get', () => this.#takeForNew(), () => this.#taking > 0);
    });
  }

  /** What was delivered and not yet acknowledged, handed to a clean close's give-back. */
  takeDelivered(): Buffer[] {
    return this.#delivered.splice(0);
  }

  /**
   * Sends the takes for the gets no take was sent for yet (this turn's), asking for an item for
   * every get waiting that no take or wait in flight asks one for (and at least one for each of
   * these: some of the gets a take in flight asked for may have left meanwhile).
   */
  #takeForNew(): void {
    const fresh = this.#waiting.filter((waiter) => !waiter.included);
    for (let uncovered = Math.max(fresh.length, this.#waiting.length - this.#requested); uncovered > 0; ) {
      const count = Math.min(takeLimit, uncovered);
      void this.#take(fresh.splice(0, count), count);
      uncovered -= count;
    }
  }

  /** A get that leaves (cancelled, timed out): it is never given an item. */
  #leave(waiter: Waiter, error: unknown): void {
    const at = this.#waiting.indexOf(waiter);
    if (at < 0) return;
    this.#waiting.splice(at, 1);
    waiter.settle({ error });
    if (this.#waiting.length === 0) this.#unblock?.abort();
  }

  /**
   * One take of up to `count` items (0: only acknowledges), sent now, whose answer is the first
   * for the gets `fresh`; hands out what it moved, then decides what comes next.
   */
  async #take(fresh: Waiter[], count: number): Promise<void> {
    const k = this.#keys;
    const store = this.#store;
    for (const waiter of fresh) waiter.included = true;
    this.#renewLease();
    const delivered = this.#delivered.splice(0);
    this.#taking++;
    this.#requested += count;
    let items: Buffer[];
    try {
      items = (await takeScript.run(
        store.client,
        [k.q, k.st, k.sess, k.space, k.held, k.extra],
        [store.session.id, store.session.leaseMs, this.#queue.tag, count, ...delivered],
      )) as Buffer[];
    } catch (error) {
      this.#taking--;
      this.#requested -= count;
      // (Not retried: every get waiting fails with it, as its own call would.)
      for (const waiter of [...this.#waiting]) this.#leave(waiter, error);
      this.#next(false);
      return;
    }
    this.#taking--;
    this.#requested -= count;
    for (const waiter of fresh) waiter.tried = true;
    await this.#handOut(items);
    for (const waiter of fresh) {
      if (!waiter.blocking || waiter.expired) this.#leave(waiter, new QueueEmpty());
    }
    this.#next(items.length < count);
  }

  /**
   * What follows a take or a blocking wait, once none is in flight: for gets still waiting, a
   * take (items may have come) or, when the last take found the queue empty, a blocking wait;
   * with none left, an acknowledgement of what was delivered, unless a take soon carries it.
   */
  #next(foundEmpty: boolean): void {
    if (this.#taking > 0) return;
    const store = this.#store;
    const keys = this.#queue;
    // The gets gathered while the take was in flight go now, in one take.
    if (store.turnBatch.isOpen(keys.id, 'get')) store.turnBatch.settle();
    if (this.#taking > 0 || this.#blocked) return;
    if (this.#waiting.length === 0) {
      this.#acknowledgeSoon();
      return;
    }
    // Gets of this turn: their own take is on its way.
    if (this.#waiting.some((waiter) => !waiter.included)) return;
    if (foundEmpty) void this.#block();
    else void this.#take([], Math.min(takeLimit, this.#waiting.length));
  }

  /**
   * Acknowledges what was delivered once this turn and the next are over, if no take carried it
   * meanwhile (a consumer's next gets usually do).
   */
  #acknowledgeSoon(): void {
    if (this.#ackQueued || this.#delivered.length === 0) return;
    this.#ackQueued = true;
    setImmediate(() => {
      this.#ackQueued = false;
      if (this.#delivered.length > 0 && this.#taking === 0) void this.#take([], 0);
    });
  }

  /** Gives `items` to the gets waiting, oldest first; what no get is left for goes back to the queue. */
  async #handOut(items: Buffer[]): Promise<void> {
    let given = 0;
    for (; given < items.length && this.#waiting.length > 0; given++) {
      const stored = items[given]!;
      const waiter = this.#waiting.shift()!;
      let item: unknown;
      try {
        item = opened(stored);
      } catch (error) {
        // Not acknowledged: it stays in this session's hands, and goes back to the queue when
        // the session ends.
        waiter.settle({ error });
        continue;
      }
      waiter.settle({ item });
      this.#delivered.push(stored);
    }
    if (given < items.length) await giveBackScript.run(this.#store.client, [this.#keys.held, this.#keys.q], items.slice(given));
  }

  /** Waits in Redis for the next item (one BLMOVE for all the gets), up to a lease. */
  async #block(): Promise<void> {
    const k = this.#keys;
    const store = this.#store;
    const unblock = (this.#unblock = new AbortController());
    this.#blocked = true;
    this.#requested++;
    // The blocked command wakes at least once a lease: the take that follows brings back what
    // dead sessions left in hand.
    const slice = Math.max(0.001, store.session.leaseMs / 1000);
    try {
      const moved = await store.blocking.run(
        k.q,
        // Every get may have left while a connection was found.
        (connection) => (unblock.signal.aborted ? Promise.resolve(null) : connection.blmoveBuffer(k.q, k.held, 'LEFT', 'RIGHT', slice)),
        unblock.signal,
      );
      if (moved === undefined) {
        // The connection dropped mid-wait: an item it moved into this session's hands may
        // never have reached us. Give back what this session holds and has not delivered.
        await letGoScript.run(store.client, [k.q, k.held, k.sess, k.extra, k.st, k.space], [store.session.id, ...this.#delivered.splice(0)]);
      } else if (moved !== null) {
        await this.#handOut([moved]);
      }
    } catch (error) {
      for (const waiter of [...this.#waiting]) this.#leave(waiter, error);
    } finally {
      this.#unblock = undefined;
      this.#blocked = false;
      this.#requested--;
    }
    this.#next(false);
  }

  #renewLease(): void {
    const k = this.#keys;
    const store = this.#store;
    store.session.renew(`queue:${k.q}`, async () => {
      await renewScript.run(store.client, [k.sess], [store.session.id, store.session.leaseMs]);
    });
  }
}
