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
