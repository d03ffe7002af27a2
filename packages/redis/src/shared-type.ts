import type { ObjectKeys } from './keys.js';
import type { RedisClient } from './script.js';
import type { RedisStore } from './redis-store.js';

/** What a method of a shared type on Redis is given. */
export interface MethodContext {
  readonly client: RedisClient;
  readonly keys: ObjectKeys;
  readonly store: RedisStore;
  readonly typeId: string;
  readonly signal: AbortSignal | undefined;
}

export type Method = (context: MethodContext, args: unknown[]) => Promise<unknown>;

/**
 * A shared type on Redis: the table of its methods (the same wire names the manager's servant
 * serves, see exposed-methods.ts), how an object starts, and the keys it owns.
 */
export interface SharedType {
  readonly typeIds: readonly string[];
  /** The object's key parts (`h`, `q`...), deleted with it when its last reference goes. */
  readonly parts: readonly string[];
  /**
   * Keys of its own per entry (a dict's values): one key `<part><field>` for each field of its
   * `index` part (a HASH), deleted with it too.
   */
  readonly entries?: { readonly index: string; readonly part: string };
  /** Writes the new object's initial state, checking `args` as the manager's constructor does. */
  init(context: MethodContext, args: unknown[]): Promise<void>;
  readonly methods: Readonly<Record<string, Method>>;
  /** Gives back what this process holds in the object (locks, hand-offs) when it closes. */
  letGo?(context: MethodContext): Promise<void>;
}
