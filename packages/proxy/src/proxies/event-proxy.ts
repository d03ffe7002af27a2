import { BaseProxy, type SignalOption } from '../base-proxy.js';
import type { EventMethod } from '../exposed-methods.js';

export interface EventWaitOptions extends SignalOption {
  /** Seconds to wait at most (Python's `timeout`); `undefined` waits forever. */
  timeout?: number | undefined;
}

/** A shared event flag (Python's `EventProxy`). */
export class EventProxy extends BaseProxy<EventMethod> {
  /** Python's `is_set`. */
  isSet(): Promise<boolean> {
    return this.callExposed<boolean>('isSet');
  }

  /** Sets the flag and wakes every waiter. */
  set(): Promise<void> {
    return this.callExposed<void>('set');
  }

  clear(): Promise<void> {
    return this.callExposed<void>('clear');
  }

  /** Resolves true once the flag is set, or false if `timeout` seconds pass first. */
  wait(options: EventWaitOptions = {}): Promise<boolean> {
    return this.callExposed<boolean>('wait', [options.timeout ?? null], options.signal);
  }
}
