import { BrokenBarrierError, messages, RuntimeError, ValueError } from '@mpts/proxy/wire';
import { currentCall } from '../call-context.js';
import type { ClientSession, Holding } from '../client-session.js';
import type { Servant } from '../servant.js';
import { nonNegativeTimeout, type Waiter, WaitQueue } from '../waiters.js';

/** What `wait()` replies to the caller that fills a barrier with an action: run it, then `actionDone`. */
export const RUN_ACTION = 'run-action';

/**
 * Python's `threading.Barrier`, served to `BarrierProxy`. `wait()` replies each waiter its
 * index, in order of arrival, once `parties` have arrived. A timeout, `abort()` or a failed
 * action breaks it: every waiter, and every later `wait()`, gets `BrokenBarrierError` until
 * `reset()`.
 *
 * The action is a function, so it cannot live in the manager: the caller whose arrival fills
 * the barrier is told to run it, and the others are released when it reports back with
 * `actionDone`. If that caller dies before reporting, the barrier breaks. A waiter whose client
 * dies gives its place back: the others wait for a full set of parties (DESIGN D6).
 */
export class BarrierServant implements Servant, Holding {
  private readonly partyCount: number;
  private readonly hasAction: boolean;
  private readonly defaultTimeout: number | null;
  private isBroken = false;
  private readonly waiters = new WaitQueue<number>();
  /** While the action runs: who runs it, and the waiters it will release. */
  private draining: { runner: ClientSession; waiters: Waiter<number>[] } | undefined;

  static readonly exposed = ['wait', 'abort', 'reset', 'parties', 'nWaiting', 'broken', 'actionDone'] as const;

  constructor(parties: unknown, hasAction: unknown = false, timeout: unknown = null) {
    if (typeof parties !== 'number' || !Number.isInteger(parties)) {
      throw new TypeError(`'${typeof parties}' object cannot be interpreted as an integer`);
    }
    if (parties < 1) throw new ValueError(messages.partiesPositive);
    this.partyCount = parties;
    this.hasAction = Boolean(hasAction);
    this.defaultTimeout = nonNegativeTimeout(timeout);
  }

  wait(timeout: unknown = null): number | string | Promise<number> {
    const limit = timeout === null || timeout === undefined ? this.defaultTimeout : nonNegativeTimeout(timeout);
    if (this.isBroken) throw new BrokenBarrierError();
    const arrived = this.waiters.all().filter((waiter) => !waiter.client.closed);
    if (arrived.length + 1 < this.partyCount) {
      return this.waiters.wait(limit, () => {
        this.break();
        throw new BrokenBarrierError();
      });
    }
    if (!this.hasAction) {
      arrived.forEach((waiter, index) => waiter.grant(index));
      return this.partyCount - 1;
    }
    const runner = currentCall().client;
    for (const waiter of arrived) this.waiters.remove(waiter);
    this.draining = { runner, waiters: arrived };
    runner.holdings.add(this);
    return RUN_ACTION;
  }

  /** The filler ran the action: release the waiters (ok), or break the barrier (it threw). */
  actionDone(ok: unknown): number {
    const draining = this.draining;
    if (draining === undefined) throw new BrokenBarrierError();
    if (draining.runner !== currentCall().client) throw new RuntimeError('only the caller that ran the action may report it done');
    if (!ok) {
      this.break();
      return -1;
    }
    this.draining = undefined;
    draining.runner.holdings.delete(this);
    draining.waiters.forEach((waiter, index) => waiter.grant(index));
    return this.partyCount - 1;
  }

  abort(): void {
    this.break();
  }

  reset(): void {
    this.failAll();
    this.isBroken = false;
  }

  parties(): number {
    return this.partyCount;
  }

  nWaiting(): number {
    return this.waiters.all().filter((waiter) => !waiter.client.closed).length;
  }

  broken(): boolean {
    return this.isBroken;
  }

  clientGone(client: ClientSession, _lost: boolean): void {
    if (this.draining?.runner === client) this.break();
  }

  dispose(): void {
    this.failAll();
  }

  str(): string {
    return `<Barrier: parties=${this.partyCount}, waiting=${this.nWaiting()}, broken=${this.isBroken}>`;
  }

  debugState(): Record<string, unknown> {
    return {
      parties: this.partyCount,
      broken: this.isBroken,
      waiting: this.waiters.all().map((waiter) => waiter.client.label),
      runningAction: this.draining?.runner.label ?? null,
    };
  }

  private break(): void {
    this.isBroken = true;
    this.failAll();
  }

  private failAll(): void {
    const draining = this.draining;
    this.draining = undefined;
    draining?.runner.holdings.delete(this);
    for (const waiter of [...(draining?.waiters ?? []), ...this.waiters.all()]) waiter.fail(new BrokenBarrierError());
  }
}
