import { BaseProxy, type SignalOption } from '../base-proxy.js';

export interface EventWaitOptions extends SignalOption {
  /** Seconds to wait at most (Python's `timeout`); `undefined` waits forever. */
  timeout?: number | undefined;
}

/** A shared event flag (Python's `EventProxy`). */
export class EventProxy extends BaseProxy {
  /** Python's `is_set`. */
  isSet(): Promise<boolean> {
    return this.callMethod('isSet') as Promise<boolean>;
  }

  /** Sets the flag and wakes every waiter. */
  set(): Promise<void> {
    return this.callMethod('set') as Promise<void>;
  }

  clear(): Promise<void> {
    return this.callMethod('clear') as Promise<void>;
  }

  /** Resolves true once the flag is set, or false if `timeout` seconds pass first. */
  wait(options: EventWaitOptions = {}): Promise<boolean> {
    return this.callMethod('wait', [options.timeout ?? null], options.signal) as Promise<boolean>;
  }
}
