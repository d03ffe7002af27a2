import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * This process's session with one Redis namespace: the owner name of what it holds, and the
 * watchdog that renews its leases. Everything a session holds (a lock, permits, items in hand,
 * a place in a wait queue) lapses one lease after the last renewal, so a process that crashed
 * or hung loses it to the next caller; a process that closes cleanly gives it back at once.
 *
 * Renewals run on this process's event loop on purpose: a loop blocked for longer than the
 * lease stops renewing, and the process then loses its locks rather than holding them forever.
 */
export class Session {
  /** Unique per process and connection: host and pid for people reading `mpts inspect`. */
  readonly id = `${hostname()}.${process.pid}.${randomBytes(6).toString('hex')}`;
  readonly #renewals = new Map<string, () => Promise<void>>();
  readonly #timer: NodeJS.Timeout;
  #waiters = 0;

  /** @param leaseMs how long what this session holds outlives its last renewal */
  constructor(readonly leaseMs: number) {
    // Three renewals per lease: one late or lost renewal does not lose anything.
    this.#timer = setInterval(() => this.renewAll(), Math.max(1, Math.floor(leaseMs / 3)));
    // The watchdog alone does not keep a process alive: a program whose work is done ends
    // (and closes its manager, which gives everything back).
    this.#timer.unref();
  }

  /** A fresh id for one wait of this session (a waiter's place in a queue, its mailbox). */
  nextWaiterId(): string {
    return `${this.id}.${++this.#waiters}`;
  }

  /** Renews `name` on every watchdog tick until `stopRenewing(name)`. */
  renew(name: string, renewal: () => Promise<void>): void {
    this.#renewals.set(name, renewal);
  }

  stopRenewing(name: string): void {
    this.#renewals.delete(name);
  }

  renewAll(): void {
    for (const renewal of this.#renewals.values()) renewal().catch(() => {});
  }

  close(): void {
    clearInterval(this.#timer);
    this.#renewals.clear();
  }
}
