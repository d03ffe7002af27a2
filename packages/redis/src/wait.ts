import { luaNow, Script } from './script.js';

/**
 * The deadline of one blocking call, in this process's monotonic clock: only how long a caller
 * waits is measured here; every lease and expiry is measured by the Redis server's clock.
 */
export class Deadline {
  readonly #end: number;

  /** @param seconds null waits forever */
  constructor(seconds: number | null) {
    this.#end = seconds === null ? Infinity : performance.now() + Math.max(0, seconds) * 1000;
  }

  get passed(): boolean {
    return performance.now() >= this.#end;
  }

  /**
   * Seconds for one blocking command: what is left, but at most `capMs` (a blocked waiter wakes
   * at least once a lease to reclaim what dead sessions left behind, and to renew its place).
   * Never 0, which Redis reads as "forever".
   */
  slice(capMs: number): number {
    const left = Math.min(this.#end - performance.now(), capMs);
    return Math.max(0.001, Math.round(left) / 1000);
  }
}

/**
 * KEYS wexp; ARGV waiter lease. Pushes back the expiry of a waiter's place in a line (a lock's,
 * a semaphore's), so that a waiter that is still there is not taken for a dead one.
 */
export const renewWaiterScript = new Script(`
${luaNow}
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return 1`);

/** Where a script finds a line's keys and the waiter: positions in its KEYS and ARGV. */
export interface LinePositions {
  /** LIST of waiting ids, in order. */
  readonly w: number;
  /** ZSET waiting id → expiry of its place. */
  readonly wexp: number;
  /** HASH waiting id → owner. */
  readonly wo: number;
  /** SET of the object's keys made per waiter (its mailboxes), deleted with the object. */
  readonly extra: number;
  /** The waiter's mailbox. */
  readonly mailbox: number;
  /** The waiter's id, in ARGV. */
  readonly waiter: number;
}

/**
 * Lua: the waiter leaves the line (a lock's, a semaphore's): its place, its expiry, its owner
 * and its mailbox. Scripts differ only in where they keep those keys.
 */
export function leaveLineLua(at: LinePositions): string {
  return `
redis.call('LREM', KEYS[${at.w}], 0, ARGV[${at.waiter}])
redis.call('ZREM', KEYS[${at.wexp}], ARGV[${at.waiter}])
redis.call('HDEL', KEYS[${at.wo}], ARGV[${at.waiter}])
redis.call('DEL', KEYS[${at.mailbox}])
redis.call('SREM', KEYS[${at.extra}], KEYS[${at.mailbox}])`;
}
