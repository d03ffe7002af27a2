import { Connection, type ConnectionOptions } from './connection.js';
import { AuthenticationError, ManagerClosedError, messages } from './errors.js';

/** How a manager of this process lets go of an address (`ConnectionPool.release`). */
export interface ReleaseOptions {
  /** Its server is gone: close now, whoever else holds the address. */
  now?: boolean;
  /** `false` for a connect that failed: the count only goes down. @default true */
  markShutDown?: boolean;
}

/**
 * A process's connections, one per manager address (DESIGN D1) and authkey, and what opening
 * one needs: the manager's authkey and, for TLS, how to open the socket. Keyed by the authkey
 * too, so that connecting with another key is checked by the manager, not answered by the
 * connection an earlier, right key opened.
 *
 * Its lifecycle: `setOptions` says how to reach an address; `connectionTo` opens (or reuses)
 * the connection; the managers of this process `hold` and `release` the addresses they use;
 * `closeAll` says goodbye on every connection, and runs by itself when the event loop drains.
 */
export class ConnectionPool {
  readonly #connections = new Map<string, Connection>();
  readonly #options = new Map<string, ConnectionOptions>();
  /**
   * Addresses whose manager this process shut down on purpose (`shutdown()` of the last manager
   * here connected to it, or of the manager it started): their proxies reject with
   * `ManagerClosedError` instead of opening a new connection, until a manager is connected to
   * or started at that address again (`hold`).
   */
  readonly #shutDown = new Set<string>();
  /** How many managers of this process (`Manager.connect`, `Manager.start`) use each address. */
  readonly #holders = new Map<string, number>();
  #closesOnExit = false;

  /**
   * Says how to reach the manager at `address`. Proxies rebuilt in this process for that
   * address authenticate with this authkey.
   */
  setOptions(address: string, options: ConnectionOptions): void {
    this.#options.set(address, options);
  }

  /** How this process reaches `address` (authkey, TLS), if it was told. */
  optionsFor(address: string): ConnectionOptions | undefined {
    return this.#options.get(address);
  }

  /** The authkey known for `address`, if any. */
  authkeyFor(address: string): Uint8Array | undefined {
    return this.#options.get(address)?.authkey;
  }

  /**
   * The open connection to `address`, opened now if there is none. `options` (what
   * `Manager.connect()` was given, not yet known to be right) stand in for the ones known here.
   */
  connectionTo(address: string, options?: ConnectionOptions): Connection {
    const known = options ?? this.#options.get(address);
    const authkey = known?.authkey;
    const key = authkey === undefined ? undefined : poolKey(address, authkey);
    const existing = key === undefined ? undefined : this.#connections.get(key);
    if (existing?.isOpen) return existing;
    if (this.#shutDown.has(address)) throw new ManagerClosedError(messages.managerShutDownHere(address));
    if (authkey === undefined || key === undefined) {
      throw new AuthenticationError(messages.noAuthkeyKnown(address));
    }
    const connection = new Connection(address, { ...known, authkey });
    this.#connections.set(key, connection);
    this.#closeWhenIdleOnExit();
    connection.onClose(() => {
      if (this.#connections.get(key) === connection) this.#connections.delete(key);
    });
    return connection;
  }

  /**
   * A manager of this process starts using `address` (`Manager.connect`, `Manager.start`): its
   * proxies may connect again if the address was shut down here before.
   */
  hold(address: string): void {
    this.#shutDown.delete(address);
    this.#holders.set(address, (this.#holders.get(address) ?? 0) + 1);
  }

  /**
   * A manager of this process is done with `address`. When it was the last one (or with
   * `{ now: true }`), the connection closes, and proxies for that address then reject with
   * `ManagerClosedError`.
   */
  async release(address: string, how: ReleaseOptions = {}): Promise<void> {
    const left = (this.#holders.get(address) ?? 1) - 1;
    if (left > 0 && !how.now) {
      this.#holders.set(address, left);
      return;
    }
    this.#holders.delete(address);
    if (how.markShutDown === false) return;
    this.#shutDown.add(address);
    // Its proxies then reject their calls.
    const toAddress = [...this.#connections].filter(([, connection]) => connection.address === address);
    for (const [key] of toAddress) this.#connections.delete(key);
    await Promise.all(toAddress.map(([, connection]) => connection.close(messages.managerShutDownHere(address))));
  }

  /** Flushes and closes every connection, with a goodbye, e.g. before a child process exits. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#connections.values()].map((connection) => connection.close()));
    this.#connections.clear();
  }

  /**
   * A program that simply runs out of work, or calls `process.exit()`, ends as cleanly as one
   * that called `shutdown()`: this process says goodbye on each connection, so the manager
   * keeps what it holds rather than treating it as lost (DESIGN D6). When the event loop drains,
   * the connections close (more work for the loop, so 'beforeExit' comes again, and then finds
   * nothing left to close); at `process.exit()` the goodbye is written at once. A process that
   * crashes (an uncaught exception or rejection) says no goodbye: it is lost.
   */
  #closeWhenIdleOnExit(): void {
    if (this.#closesOnExit) return;
    this.#closesOnExit = true;
    let crashed = false;
    process.on('uncaughtExceptionMonitor', () => {
      crashed = true;
    });
    process.on('beforeExit', () => {
      if (this.#connections.size > 0) void this.closeAll();
    });
    process.on('exit', () => {
      if (crashed) return;
      for (const connection of this.#connections.values()) connection.goodbyeAtExit();
    });
  }
}

/** This process's connections: every proxy and manager of the process shares them. */
export const connectionPool = new ConnectionPool();

function poolKey(address: string, authkey: Uint8Array): string {
  return `${address}\0${Buffer.from(authkey).toString('hex')}`;
}
