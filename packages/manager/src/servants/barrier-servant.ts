import {
  barrierMethods,
  BrokenBarrierError,
  messages,
  pythonAddress,
  ObjectDeletedError,
  RuntimeError,
  ValueError,
} from '@mpts/proxy/wire';
import { currentCall } from '../call-context.js';
import type { ClientSession, Holding } from '../client-session.js';
import { comparedCount, wholeCount } from '../count-argument.js';
import type { Servant } from '../servant.js';
import { nonNegativeTimeout, type Waiter, WaitQueue } from '../waiters.js';

/** One waiting call of a client's. */
interface Party {
  readonly client: ClientSession;
}

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
 * `actionDone`. If that caller's connection ends before it reports, the barrier breaks.
 *
 * A party lost while it waits (its process killed or crashed) breaks the barrier, as a timed-out
 * one does: it will never arrive, so the others would wait forever. A party that closes cleanly
 * while it waits (its program shut its connection down mid-wait) chose to leave: its wait is
 * dropped, as an aborted one is, and its place given back (DESIGN D6).
 */
export class BarrierServant implements Servant, Holding {
  private readonly partyCount: number;
  private readonly hasAction: boolean;
  private readonly defaultTimeout: number | null;
  private isBroken = false;
  private readonly waiters = new WaitQueue<number>();
  /** While the action runs: who runs it, and the waiters it will release. */
  private draining: { runner: ClientSession; waiters: Waiter<number>[] } | undefined;
  /** The parties waiting to be released, each its waiter's payload: a lost one breaks the barrier. */
  private readonly waitingParties = new Set<Party>();

  static readonly exposed = barrierMethods;

  constructor(parties: unknown, hasAction: unknown = false, timeout: unknown = null) {
    const count = comparedCount(parties, '<');
    // An infinite count is Python's barrier that never trips, and stays allowed.
    if (Number.isFinite(count)) wholeCount(count);
    if (count < 1) throw new ValueError(messages.partiesPositive);
    this.partyCount = count;
    this.hasAction = Boolean(hasAction);
    this.defaultTimeout = nonNegativeTimeout(timeout);
  }

  wait(timeout: unknown = null): number | string | Promise<number> {
    const limit = timeout === null || timeout === undefined ? this.defaultTimeout : nonNegativeTimeout(timeout);
    if (this.isBroken) throw new BrokenBarrierError();
    const arrived = this.waiters.all().filter((waiter) => !waiter.client.closed);
    if (arrived.length + 1 < this.partyCount) {
      const party: Party = { client: currentCall().client };
      this.waitingParties.add(party);
      party.client.holdings.add(this);
      const waiting = this.waiters.wait(limit, () => {
        this.break();
        throw new BrokenBarrierError();
      }, party);
      // However the wait ends (released, broken, cancelled), the party waits no more. A dropped
      // wait never settles: its client is gone, and `clientGone` forgets its parties.
      waiting.then(() => this.partyLeft(party), () => this.partyLeft(party));
      return waiting;
    }
    // The barrier trips: every party has arrived, and none of them can break it any more.
    for (const waiter of arrived) this.partyLeft(waiter.payload as Party);
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
    if (draining.runner !== currentCall().client) throw new RuntimeError(messages.barrierActionNotRunner);
    if (!ok) {
      this.break();
      return -1;
    }
    this.draining = undefined;
    this.forgetIfDone(draining.runner);
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

  /**
   * A client's connection ended. A lost client with a party still waiting breaks the barrier;
   * one that closed cleanly had its waits dropped already, giving their places back. The
   * caller running the action breaks it either way: it can no longer report the action done.
   */
  clientGone(client: ClientSession, lost: boolean): void {
    let waiting = false;
    for (const party of this.waitingParties) {
      if (party.client !== client) continue;
      this.waitingParties.delete(party);
      waiting = true;
    }
    if ((lost && waiting) || this.draining?.runner === client) this.break();
  }

  dispose(): void {
    this.failAll(() => new ObjectDeletedError(messages.deletedWhileWaited));
  }

  str(): string {
    const at = `<threading.Barrier at ${pythonAddress(this)}`;
    return this.isBroken ? `${at}: broken>` : `${at}: waiters=${this.nWaiting()}/${this.partyCount}>`;
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

  private partyLeft(party: Party): void {
    if (this.waitingParties.delete(party)) this.forgetIfDone(party.client);
  }

  /** `client` has no party waiting here and runs no action: the barrier is no longer its holding. */
  private forgetIfDone(client: ClientSession): void {
    if (this.draining?.runner === client) return;
    for (const party of this.waitingParties) if (party.client === client) return;
    client.holdings.delete(this);
  }

  /** Fails every waiter (with a broken barrier's error, unless the barrier was deleted). */
  private failAll(makeError: () => Error = () => new BrokenBarrierError()): void {
    const draining = this.draining;
    this.draining = undefined;
    if (draining !== undefined) this.forgetIfDone(draining.runner);
    for (const waiter of [...(draining?.waiters ?? []), ...this.waiters.all()]) waiter.fail(makeError());
  }
}
