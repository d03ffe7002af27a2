import { BaseProxy, type SignalOption } from '../base-proxy.js';
import type { QueueMethod } from '../exposed-methods.js';

export interface QueueWaitOptions extends SignalOption {
  /** `false`: fail at once with `QueueEmpty`/`QueueFull` instead of waiting. @default true */
  block?: boolean;
  /** Seconds to wait at most; then `QueueEmpty`/`QueueFull`. `undefined` waits forever. */
  timeout?: number | undefined;
}

/**
 * A shared FIFO queue (Python's `queue.Queue` behind a manager). `maxsize <= 0` is unbounded.
 * An item handed to a `get()` whose caller has died goes back to the head of the queue.
 */
export class QueueProxy<T = unknown> extends BaseProxy<QueueMethod> {
  put(item: T, options: QueueWaitOptions = {}): Promise<void> {
    const { block = true, timeout, signal } = options;
    return this.callExposed<void>('put', [item, block, timeout ?? null], signal);
  }

  get(options: QueueWaitOptions = {}): Promise<T> {
    const { block = true, timeout, signal } = options;
    return this.callExposed<T>('get', [block, timeout ?? null], signal);
  }

  putNowait(item: T): Promise<void> {
    return this.put(item, { block: false });
  }

  getNowait(): Promise<T> {
    return this.get({ block: false });
  }

  qsize(): Promise<number> {
    return this.callExposed<number>('qsize');
  }

  empty(): Promise<boolean> {
    return this.callExposed<boolean>('empty');
  }

  full(): Promise<boolean> {
    return this.callExposed<boolean>('full');
  }

  /** `for await (const item of q)`: takes items one by one, waiting for each. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) yield await this.get();
  }
}

/** A queue whose consumers confirm each item (Python's `JoinableQueue`). */
export class JoinableQueueProxy<T = unknown> extends QueueProxy<T> {
  /** Marks one item as processed; `ValueError` when called more times than items were put. */
  taskDone(): Promise<void> {
    return this.callExposed<void>('taskDone');
  }

  /** Resolves once every item put has been marked done. */
  join(options: SignalOption = {}): Promise<void> {
    return this.callExposed<void>('join', [], options.signal);
  }
}
