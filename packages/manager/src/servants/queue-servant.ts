import {
  messages,
  pythonAddress,
  QueueEmpty,
  QueueFull,
  queueMethods,
  timeoutSeconds,
  ValueError,
} from '@mpts/proxy/wire';
import { currentCall } from '../call-context.js';
import type { ClientSession, Holding } from '../client-session.js';
import { comparedCount } from '../count-argument.js';
import { Deque } from '../deque.js';
import { Handoff } from '../handoff.js';
import type { Servant } from '../servant.js';
import { WaitQueue } from '../waiters.js';

/**
 * Python's `queue.Queue`, served to `QueueProxy` and `JoinableQueueProxy` (Python registers the
 * same class for both). A blocked `get` is handed the next item directly; a blocked `put`
 * waits with its item until there is room.
 *
 * Nothing is lost (DESIGN D6): an item given to `get()` is a `Handoff`, still the manager's
 * until the client acknowledges it decoded the reply. If the connection ends first, or the
 * client could not rebuild it, the item goes back to the head of the queue, in order, for the
 * next getter. Delivery is therefore at least once: a client that decoded an item and died
 * before its acknowledgement left (the same turn of its event loop) has it delivered again.
 *
 * `join()` cannot hang on a lost consumer: the items a client got and never marked done itself
 * (`taskDone`) are counted done when that client is lost (not when it closes cleanly, where
 * Python's rules hold).
 */
export class QueueServant implements Servant, Holding {
  private readonly items = new Deque<unknown>();
  private readonly maxsize: number;
  private readonly getters = new WaitQueue<Handoff>();
  private readonly putters = new WaitQueue<void>();
  private readonly joiners = new WaitQueue<void>();
  private unfinished = 0;
  /** Items handed out and not yet acknowledged: still the manager's. */
  private readonly inFlight = new Set<Handoff>();
  /** client → items it acknowledged and has not marked done with `taskDone`. */
  private readonly undone = new Map<ClientSession, number>();

  constructor(maxsize: unknown = 0) {
    // Python compares maxsize with sizes and never checks it is an integer: `Queue(1.5)` is full
    // at two items. Anything but a number fails its first `put` there; here, at once.
    this.maxsize = comparedCount(maxsize, '>');
  }

  static readonly exposed = queueMethods;

  put(item: unknown, block: unknown = true, timeout: unknown = null): void | Promise<void> {
    const seconds = queueTimeout(block, timeout);
    if (!this.isFull()) {
      this.add(item);
      return;
    }
    if (!block) throw new QueueFull();
    return this.putters.wait(seconds, () => {
      throw new QueueFull();
    }, item);
  }

  get(block: unknown = true, timeout: unknown = null): Handoff | Promise<Handoff> {
    const seconds = queueTimeout(block, timeout);
    if (this.items.length > 0) {
      const handoff = this.handOff(currentCall().client, this.items.shift());
      this.admitPutter();
      return handoff;
    }
    if (!block) throw new QueueEmpty();
    return this.getters.wait(seconds, () => {
      throw new QueueEmpty();
    });
  }

  qsize(): number {
    return this.items.length;
  }

  empty(): boolean {
    return this.items.length === 0;
  }

  full(): boolean {
    return this.isFull();
  }

  taskDone(): void {
    if (this.unfinished <= 0) throw new ValueError(messages.taskDoneTooMany);
    const client = currentCall().client;
    const undone = this.undone.get(client);
    if (undone !== undefined) this.countDone(client, undone, 1);
    this.finishTasks(1);
  }

  join(): void | Promise<void> {
    if (this.unfinished === 0) return;
    return this.joiners.wait(null, () => undefined);
  }

  getValue(): unknown[] {
    return this.items.toArray();
  }

  /** The queued items, the items of blocked puts, and the items handed out but not acknowledged. */
  *heldValues(): Iterable<unknown> {
    yield* this.items.toArray();
    for (const putter of this.putters.all()) yield putter.payload;
    for (const handoff of this.inFlight) yield handoff.value;
  }

  clientGone(client: ClientSession, lost: boolean): void {
    const undone = this.undone.get(client);
    if (undone === undefined) return;
    this.countDone(client, undone, undone);
    if (lost) this.finishTasks(Math.min(undone, this.unfinished));
  }

  /** Python's `<queue.Queue object at 0x…>`: a JoinableQueue is a `queue.Queue` in Python's manager too. */
  str(): string {
    return `<queue.Queue object at ${pythonAddress(this)}>`;
  }

  dispose(): void {
    for (const queue of [this.getters, this.putters, this.joiners]) queue.objectDeleted();
  }

  debugState(): Record<string, unknown> {
    return {
      size: this.items.length,
      maxsize: this.maxsize,
      unfinished: this.unfinished,
      unacknowledged: this.inFlight.size,
      getting: this.getters.all().map((waiter) => waiter.client.label),
      putting: this.putters.all().map((waiter) => waiter.client.label),
      joining: this.joiners.all().map((waiter) => waiter.client.label),
    };
  }

  private isFull(): boolean {
    return this.maxsize > 0 && this.items.length >= this.maxsize;
  }

  private add(item: unknown): void {
    this.unfinished++;
    const getter = this.getters.first();
    if (getter) getter.grant(this.handOff(getter.client, item));
    else this.items.push(item);
  }

  /** `item`, handed to `client` until it acknowledges it; returned, it goes back to the head. */
  private handOff(client: ClientSession, item: unknown): Handoff {
    const handoff = new Handoff(
      item,
      () => {
        this.inFlight.delete(handoff);
        this.items.unshift(item);
        this.serveGetters();
      },
      () => {
        this.inFlight.delete(handoff);
        this.undone.set(client, (this.undone.get(client) ?? 0) + 1);
        client.holdings.add(this);
      },
    );
    this.inFlight.add(handoff);
    return handoff;
  }

  /** Items that came back go to getters still waiting. */
  private serveGetters(): void {
    for (let getter = this.getters.first(); getter !== undefined && this.items.length > 0; getter = this.getters.first()) {
      getter.grant(this.handOff(getter.client, this.items.shift()));
    }
  }

  private countDone(client: ClientSession, undone: number, done: number): void {
    if (undone > done) {
      this.undone.set(client, undone - done);
      return;
    }
    this.undone.delete(client);
    client.holdings.delete(this);
  }

  private finishTasks(count: number): void {
    if (count <= 0) return;
    this.unfinished -= count;
    if (this.unfinished === 0) {
      for (const joiner of this.joiners.all()) joiner.grant(undefined);
    }
  }

  private admitPutter(): void {
    if (this.isFull()) return;
    const putter = this.putters.first();
    if (putter === undefined) return;
    this.add(putter.payload);
    putter.grant(undefined);
  }
}

function queueTimeout(block: unknown, timeout: unknown): number | null {
  if (!block) return null;
  const seconds = timeoutSeconds(timeout);
  if (seconds !== null && seconds < 0) throw new ValueError(messages.timeoutNegativeQueue);
  return seconds;
}
