import { BaseProxy, type SignalOption } from '../base-proxy.js';
import { RuntimeError, messages } from '../errors.js';
import type { BarrierMethod } from '../exposed-methods.js';

export interface BarrierWaitOptions extends SignalOption {
  /** Seconds to wait at most; by default the barrier's own timeout. Then `BrokenBarrierError`. */
  timeout?: number | undefined;
}

/** A function run once each time the barrier fills, before any waiter is released. */
export type BarrierAction = () => unknown;

/**
 * A shared barrier (Python's `BarrierProxy`): `wait()` resolves once `parties` callers have
 * arrived, each with its own index in `0..parties-1`. A timeout, `abort()` or a failing action
 * breaks it, and every waiter rejects with `BrokenBarrierError` until `reset()`.
 *
 * The action (Python's `action=`) is a function, so it runs in a client, not in the manager:
 * in the process whose `wait()` fills the barrier, before anyone is released. Give it to the
 * barrier's proxy in each process that waits (`manager.barrier(n, { action })` does it for
 * the proxy it returns; elsewhere call `setAction`).
 */
export class BarrierProxy extends BaseProxy<BarrierMethod> {
  #action: BarrierAction | undefined;

  /** The action this process runs when its `wait()` fills the barrier. */
  setAction(action: BarrierAction | undefined): this {
    this.#action = action;
    return this;
  }

  async wait(options: BarrierWaitOptions = {}): Promise<number> {
    const result = await this.callExposed<unknown>('wait', [options.timeout ?? null], options.signal);
    if (typeof result === 'number') return result;
    // This call filled a barrier that has an action: run it, then let the others go.
    const action = this.#action;
    try {
      if (action === undefined) {
        throw new RuntimeError(messages.barrierActionMissing);
      }
      await action();
    } catch (error) {
      await this.callExposed('actionDone', [false]).catch(() => {});
      throw error;
    }
    return await this.callExposed<number>('actionDone', [true]);
  }

  /** Breaks the barrier: current and later waiters get `BrokenBarrierError`. */
  abort(): Promise<void> {
    return this.callExposed<void>('abort');
  }

  /** Back to empty and unbroken; current waiters get `BrokenBarrierError`. */
  reset(): Promise<void> {
    return this.callExposed<void>('reset');
  }

  parties(): Promise<number> {
    return this.callExposed<number>('parties');
  }

  /** Python's `n_waiting`. */
  nWaiting(): Promise<number> {
    return this.callExposed<number>('nWaiting');
  }

  broken(): Promise<boolean> {
    return this.callExposed<boolean>('broken');
  }
}
