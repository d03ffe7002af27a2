import { BaseProxy } from '../base-proxy.js';
import type { IteratorMethod } from '../exposed-methods.js';

/**
 * An iterator living in the manager (Python's `IteratorProxy`): what `d.iter()` of a shared
 * dict returns. Each `next()` is one step of the iterator there, over the live dict, so it
 * rejects with Python's `RuntimeError` when the dict changed size since the iterator was made.
 *
 * It follows JavaScript's async iterator protocol: `next()` resolves `{ done, value }` (Python's
 * `StopIteration` is `done: true`). Once exhausted it gives its reference back by itself (there
 * is nothing left to ask the manager) and stays exhausted; iterated with `for await`, it is
 * released however the loop ends. Otherwise release it as any proxy.
 */
export class IteratorProxy<T = unknown> extends BaseProxy<IteratorMethod> implements AsyncIterableIterator<T> {
  #exhausted = false;

  /** Python's `next(it)`: the next item, or `{ done: true }` at the end. */
  async next(): Promise<IteratorResult<T, undefined>> {
    if (this.#exhausted) return { done: true, value: undefined };
    const step = await this.callExposed<IteratorResult<T, undefined>>('next');
    if (step.done) {
      this.#exhausted = true;
      this.releaseProxy();
      return { done: true, value: undefined };
    }
    return { done: false, value: step.value };
  }

  /** Stops the iteration: the proxy is released (a `for await` that breaks calls this). */
  return(): Promise<IteratorResult<T, undefined>> {
    this.#exhausted = true;
    this.releaseProxy();
    return Promise.resolve({ done: true, value: undefined });
  }

  /**
   * `for await (const x of it)`: the remaining items; the proxy is released when the loop ends,
   * however it ends (including a `RuntimeError` from a step, which `for await` does not report
   * to the iterator).
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, undefined> {
    try {
      for (;;) {
        const step = await this.next();
        if (step.done) return undefined;
        yield step.value;
      }
    } finally {
      this.releaseProxy();
    }
  }
}
