import type { ClientSession } from './client-session.js';

/**
 * The real object behind a proxy, living in the manager. Its exposed methods (see
 * `type-registry.ts`) are called with the proxy's arguments; a method may return a Promise to
 * reply later (a blocking call, DESIGN D4), and what it throws is sent back with its class.
 */
export interface Servant {
  /** Python's `str(obj)`: what `proxy.str()` shows. */
  str?(limit?: number): string;
  /** Python's `_getvalue()`: a copy of the whole value. */
  getValue?(): unknown;
  /**
   * Everything it keeps that may hold shared objects (DESIGN D5): its contents, the items of
   * blocked calls (a `put` waiting for room), what it handed out and may take back (a queue
   * item not yet acknowledged), objects it was built over (a Condition's lock). The objects in
   * them live while this one does. Without it, the manager looks through the servant's own
   * fields, descending into arrays, `Map`s, `Set`s and plain objects.
   */
  heldValues?(): Iterable<unknown>;
  /** A client's connection ended, `lost` or closed cleanly: see `Holding.clientGone` (DESIGN D6). */
  clientGone?(client: ClientSession, lost: boolean): void;
  /** The object is being deleted: settle anything still waiting on it. */
  dispose?(): void;
  /** What `debugInfo()` shows of its state: holders, waiters, sizes. */
  debugState?(): Record<string, unknown>;
}
