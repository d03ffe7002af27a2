import type { DebugInfo } from './debug-info.js';
import { connectionPool } from './connection-pool.js';

/**
 * What a proxy's calls go through: the seam between the proxy classes and where the shared
 * objects live. A manager's `Connection` is one (the default); another backend (`@mpts/redis`)
 * gives its own for the addresses it owns.
 *
 * Ownership is the same on every channel: `incref` counts one reference for a proxy that was
 * not counted when it was made, `decref` gives one back, once.
 */
export interface ProxyChannel {
  /** The address proxies of this channel carry in their tokens. */
  readonly address: string;
  /**
   * Calls `method` of object `objectId`. `holder` is the proxy (kept reachable while the call
   * is pending); `signal` abandons a blocking call: the wait is removed where the object
   * lives, and the call rejects with the signal's reason, never taking anything later.
   */
  call(objectId: number, method: string, args: unknown[], holder?: object, signal?: AbortSignal): Promise<unknown>;
  /** Counts one more reference to `objectId` (a proxy rebuilt from a token). */
  incref(objectId: number, instance?: string): Promise<unknown>;
  /** Gives one reference back. Never throws; a channel that is gone has nothing to give back. */
  decref(objectId: number): void;
  /**
   * For a backend with leases: the fencing token of the lock `objectId` this process holds,
   * and a signal that aborts if its lease is lost. A manager connection has neither.
   */
  holdOf?(objectId: number): { token: number; signal: AbortSignal } | undefined;
}

/** What a `Manager` connected to a backend needs from it besides the proxies' channel. */
export interface ManagerBackend {
  /** The address its proxies carry (a URL of the backend's scheme). */
  readonly address: string;
  /** Creates a shared object of a built-in type and returns its proxy (Python's `_create`). */
  create(typeId: string, args: unknown[]): Promise<unknown>;
  /** How many shared objects the backend holds for this namespace. */
  numberOfObjects(): Promise<number>;
  /** Lets go of this manager's side: releases what this process holds, closes connections. */
  close(): Promise<void>;
  /** Objects, holders and waiters, in the shape of the manager's `debugInfo()` (a backend may leave it out). */
  debugInfo?(): Promise<DebugInfo>;
}

/**
 * A kind of backend, registered under the URL schemes it serves (`redis:`, `rediss:`). Importing
 * the backend's package registers it; `Manager.connect(url)` then dispatches on the scheme.
 */
export interface BackendKind {
  /** Connects a manager to `url`: resolves once the backend answered. */
  connect(url: string, options: Record<string, unknown>): Promise<ManagerBackend>;
  /** The channel of this process for `address` (a proxy rebuilt from a token asks for it). */
  channelTo(address: string): ProxyChannel;
}

const kinds = new Map<string, BackendKind>();

/** Registers `kind` for each of `schemes` (`'redis'`, without the colon). */
export function registerBackend(schemes: readonly string[], kind: BackendKind): void {
  for (const scheme of schemes) kinds.set(scheme.toLowerCase(), kind);
}

/**
 * The backend kind that serves `address`, if its scheme is a registered one. A manager's own
 * addresses (socket paths, `tcp://`) have no kind here: they go through the connection pool.
 */
export function backendKindFor(address: string): BackendKind | undefined {
  if (kinds.size === 0) return undefined;
  const colon = address.indexOf(':');
  return colon <= 0 ? undefined : kinds.get(address.slice(0, colon).toLowerCase());
}

/** The channel a proxy for `address` calls through: a registered backend's, or the manager connection. */
export function channelTo(address: string): ProxyChannel {
  return backendKindFor(address)?.channelTo(address) ?? connectionPool.connectionTo(address);
}
