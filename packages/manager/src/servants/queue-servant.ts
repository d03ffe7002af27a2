import { messages, QueueEmpty, QueueFull, ValueError } from '@mpts/proxy/wire';
import { currentCall } from '../call-context.js';
import type { ClientSession, Holding } from '../client-session.js';
import { Deque } from '../deque.js';
import type { Servant } from '../servant.js';
import { timeoutSeconds, WaitQueue } from '../waiters.js';

/**
 * Python's `queue.Queue`, served to `QueueProxy` and `JoinableQueueProxy` (Python registers the
 * same class for both). A blocked `get` is handed the next item directly; a blocked `put`
 * waits with its item until there is room. An item is never handed to a client that closed:
 * its wait is dropped first, so the item stays at the head for the next getter (DESIGN D6).
 * An item whose reply could not be written (the client died before the manager noticed) goes
 * back to the head too: the manager keeps each handed-out item until the socket took its reply.
 */
export class QueueServant implements Servant, Holding {
  /** Items handed to each client whose replies the socket has not yet confirmed written. */
  private readonly unconfirmed = new Map<ClientSession, { batches: unknown[][]; scheduled: boolean }>();
  private readonly items = new Deque<unknown>();
  private readonly maxsize: number;
  private readonly getters = new WaitQueue<unknown>();
  private readonly putters = new WaitQueue<void>();
  private readonly joiners = new WaitQueue<void>();
  private unfinished = 0;

  constructor(maxsize: unknown = 0) {
    if (typeof maxsize !== 'number' || !Number.isInteger(maxsize)) {
      throw new TypeError(`maxsize must be an integer, not ${typeof maxsize}`);
    }
    this.maxsize = maxsize;
  }

  static readonly exposed = [
    'put', 'get', 'qsize', 'empty', 'full', 'taskDone', 'join',
  ] as const;

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

  get(block: unknown = true, timeout: unknown = null): unknown {
    const seconds = queueTimeout(block, timeout);
    if (this.items.length > 0) {
      const item = this.items.shift();
      this.handed(currentCall().client, item);
      this.admitPutter();
      return item;
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
    if (--this.unfinished === 0) {
      for (const joiner of this.joiners.all()) joiner.grant(undefined);
    }
  }

  join(): void | Promise<void> {
    if (this.unfinished === 0) return;
    return this.joiners.wait(null, () => undefined);
  }

  getValue(): unknown[] {
    return this.items.toArray();
  }

  dispose(): void {
    for (const queue of [this.getters, this.putters, this.joiners] as WaitQueue<unknown>[]) {
      for (const waiter of queue.all()) waiter.fail(new ValueError('the queue was deleted while waited on'));
    }
  }

  debugState(): Record<string, unknown> {
    return {
      size: this.items.length,
      maxsize: this.maxsize,
      unfinished: this.unfinished,
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
    if (getter) {
      this.handed(getter.client, item);
      getter.grant(item);
    } else {
      this.items.push(item);
    }
  }

  /**
   * Keeps `item` until the reply that carries it is written to `client`'s socket: a write to a
   * client that died fails, its connection closes, and `clientGone` puts the item back.
   */
  private handed(client: ClientSession, item: unknown): void {
    let pending = this.unconfirmed.get(client);
    if (pending === undefined) {
      pending = { batches: [[]], scheduled: false };
      this.unconfirmed.set(client, pending);
      client.holdings.add(this);
    }
    pending.batches[pending.batches.length - 1]!.push(item);
    if (pending.scheduled) return;
    pending.scheduled = true;
    const record = pending;
    // The replies are written at the end of this tick; an empty write after them reports
    // whether they reached the socket.
    setImmediate(() => {
      record.scheduled = false;
      const batch = record.batches[record.batches.length - 1]!;
      record.batches.push([]);
      if (client.closed || client.socket.destroyed) return;
      client.socket.write(EMPTY, (error) => {
        if (error) return;
        record.batches.splice(record.batches.indexOf(batch), 1);
        if (this.unconfirmed.get(client) === record && record.batches.every((items) => items.length === 0)) {
          if (!record.scheduled) {
            this.unconfirmed.delete(client);
            client.holdings.delete(this);
          }
        }
      });
    });
  }

  /** Items handed to a client that closed before their replies were written go back to the head. */
  clientGone(client: ClientSession, _lost: boolean): void {
    const pending = this.unconfirmed.get(client);
    if (pending === undefined) return;
    this.unconfirmed.delete(client);
    const lost = pending.batches.flat();
    for (let i = lost.length - 1; i >= 0; i--) this.items.unshift(lost[i]);
    for (let getter = this.getters.first(); getter !== undefined && this.items.length > 0; getter = this.getters.first()) {
      const item = this.items.shift();
      this.handed(getter.client, item);
      getter.grant(item);
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

const EMPTY = Buffer.alloc(0);

function queueTimeout(block: unknown, timeout: unknown): number | null {
  if (!block) return null;
  const seconds = timeoutSeconds(timeout);
  if (seconds !== null && seconds < 0) throw new ValueError(messages.timeoutNegativeQueue);
  return seconds;
}
