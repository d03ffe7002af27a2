import { Connection, type ConnectionOptions } from './connection.js';
import { AuthenticationError, ManagerClosedError, messages } from './errors.js';

/**
 * This process's connections, one per manager address (DESIGN D1) and authkey, and what opening
 * one needs: the manager's authkey and, for TLS, how to open the socket. Keyed by the authkey
 * too, so that connecting with another key is checked by the manager, not answered by the
 * connection an earlier, right key opened.
 */
const connections = new Map<string, Connection>();
const options = new Map<string, ConnectionOptions>();
let processAuthkey: Uint8Array | undefined;
/**
 * Addresses whose manager this process shut down on purpose (`shutdown()` of the last manager
 * here connected to it, or of the manager it started): their proxies reject with
 * `ManagerClosedError` instead of opening a new connection, until a manager is connected to or
 * started at that address again (`holdConnection`).
 */
const shutDown = new Set<string>();
/** How many managers of this process (`Manager.connect`, `Manager.start`) use each address. */
const holders = new Map<string, number>();

/**
 * Says how to reach the manager at `address`. Proxies rebuilt in this process for that address
 * authenticate with this authkey.
 */
export function setConnectionOptions(address: string, connectionOptions: ConnectionOptions): void {
  options.set(address, connectionOptions);
}

/** How this process reaches `address` (authkey, TLS), if it was told. */
export function connectionOptionsFor(address: string): ConnectionOptions | undefined {
  return options.get(address);
}

/** The authkey known for `address`, if any. */
export function authkeyFor(address: string): Uint8Array | undefined {
  return options.get(address)?.authkey ?? processAuthkey;
}

/**
 * Sets the authkey used for managers with no authkey of their own here, like Python's
 * `current_process().authkey`.
 */
export function setProcessAuthkey(authkey: Uint8Array | undefined): void {
  processAuthkey = authkey;
}

function poolKey(address: string, authkey: Uint8Array): string {
  return `${address}\0${Buffer.from(authkey).toString('hex')}`;
}

/**
 * The open connection to `address`, opened now if there is none. `connectionOptions` (what
 * `Manager.connect()` was given, not yet known to be right) stand in for the ones known here.
 */
export function connectionTo(address: string, connectionOptions?: ConnectionOptions): Connection {
  const known = connectionOptions ?? options.get(address);
  const authkey = known?.authkey ?? processAuthkey;
  const key = authkey === undefined ? undefined : poolKey(address, authkey);
  const existing = key === undefined ? undefined : connections.get(key);
  if (existing?.isOpen) return existing;
  if (shutDown.has(address)) throw new ManagerClosedError(shutDownHere(address));
  if (authkey === undefined || key === undefined) {
    throw new AuthenticationError(
      `no authkey is known for the manager at ${address}; pass it to Manager.connect(), or ` +
        `receive the proxy through Process arguments, which carry it`,
    );
  }
  const connection = new Connection(address, { ...known, authkey });
  connections.set(key, connection);
  closeWhenIdleOnExit();
  connection.onClose(() => {
    if (connections.get(key) === connection) connections.delete(key);
  });
  return connection;
}

/** The open connection to `address` with the authkey known for it, without opening one. */
export function existingConnection(address: string): Connection | undefined {
  const authkey = authkeyFor(address);
  const existing = authkey === undefined ? undefined : connections.get(poolKey(address, authkey));
  return existing?.isOpen ? existing : undefined;
}

/** Closes this process's connections to `address` (its proxies then reject their calls). */
export async function closeConnection(address: string, why?: string): Promise<void> {
  const toAddress = [...connections].filter(([, connection]) => connection.address === address);
  for (const [key] of toAddress) connections.delete(key);
  await Promise.all(toAddress.map(([, connection]) => connection.close(why)));
}

/** Why a proxy of `address` rejects once a manager of this process shut that address down. */
function shutDownHere(address: string): string {
  return `${messages.managerClosed(address)}: its manager was shut down in this process`;
}

/**
 * A manager of this process starts using `address` (`Manager.connect`, `Manager.start`): its
 * proxies may connect again if the address was shut down here before.
 */
export function holdConnection(address: string): void {
  shutDown.delete(address);
  holders.set(address, (holders.get(address) ?? 0) + 1);
}

/**
 * A manager of this process is done with `address`. When it was the last one (or with
 * `{ now: true }`: its server is gone), the connection closes, and proxies for that address
 * then reject with `ManagerClosedError`. With `{ markShutDown: false }` (a connect that
 * failed) the count only goes down.
 */
export async function releaseConnection(address: string, how: { now?: boolean; markShutDown?: boolean } = {}): Promise<void> {
  const left = (holders.get(address) ?? 1) - 1;
  if (left > 0 && !how.now) {
    holders.set(address, left);
    return;
  }
  holders.delete(address);
  if (how.markShutDown === false) return;
  shutDown.add(address);
  await closeConnection(address, shutDownHere(address));
}

/** Flushes and closes every connection of this process, e.g. before a child process exits. */
export async function closeAllConnections(): Promise<void> {
  await Promise.all([...connections.values()].map((connection) => connection.close()));
  connections.clear();
}

let closesOnExit = false;

/**
 * A program that simply runs out of work ends as cleanly as one that called `shutdown()`: when
 * the event loop drains, this process says goodbye on each connection, so the manager keeps what
 * it holds rather than treating it as lost (DESIGN D6). Closing sockets is more work for the
 * loop, so 'beforeExit' comes again, and then finds nothing left to close.
 */
function closeWhenIdleOnExit(): void {
  if (closesOnExit) return;
  closesOnExit = true;
  process.on('beforeExit', () => {
    if (connections.size > 0) void closeAllConnections();
  });
}
