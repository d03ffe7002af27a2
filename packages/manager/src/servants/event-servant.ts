import { eventMethods, pythonAddress } from '@mpts/proxy/wire';
import type { Servant } from '../servant.js';
import { nonNegativeTimeout, WaitQueue } from '../waiters.js';

/** Python's `threading.Event`, served to `EventProxy`: a flag that waiters wait to see set. */
export class EventServant implements Servant {
  private flag = false;
  private readonly waiters = new WaitQueue<boolean>();

  static readonly exposed = eventMethods;

  isSet(): boolean {
    return this.flag;
  }

  set(): void {
    this.flag = true;
    for (const waiter of this.waiters.all()) waiter.grant(true);
  }

  clear(): void {
    this.flag = false;
  }

  /** Resolves the flag: true at once if set, else true when set, false when `timeout` passes. */
  wait(timeout: unknown = null): boolean | Promise<boolean> {
    if (this.flag) return true;
    return this.waiters.wait(nonNegativeTimeout(timeout), () => this.flag);
  }

  dispose(): void {
    this.waiters.objectDeleted();
  }

  str(): string {
    return `<threading.Event at ${pythonAddress(this)}: ${this.flag ? 'set' : 'unset'}>`;
  }

  debugState(): Record<string, unknown> {
    return { set: this.flag, waiting: this.waiters.all().map((waiter) => waiter.client.label) };
  }
}
