import { Connection, type ConnectionOptions } from './connection.js';
import { AuthenticationError } from './errors.js';

/**
 * This process's connections, one per manager address (DESIGN D1), and what opening one needs:
 * the manager's authkey and, for TLS, how to open the socket.
 */
const connections = new Map<string, Connection>();
const options = new Map<string, ConnectionOptions>();
let processAuthkey: Uint8Array | undefined;

/**
 * Says how to reach the manager at `address`. Proxies rebuilt in this process for that address
 * authenticate with this authkey.
 */
export function setConnectionOptions(address: string, connectionOptions: ConnectionOptions): void {
  options.set(address, connectionOptions);
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

/** The open connection to `address`, opened now if there is none. */
export function connectionTo(address: string): Connection {
  const existing = connections.get(address);
  if (existing?.isOpen) return existing;
  const known = options.get(address);
  const authkey = known?.authkey ?? processAuthkey;
  if (authkey === undefined) {
    throw new AuthenticationError(
      `no authkey is known for the manager at ${address}; pass it to Manager.connect(), or ` +
        `receive the proxy through Process arguments, which carry it`,
    );
  }
  const connection = new Connection(address, { ...known, authkey });
  connections.set(address, connection);
  connection.onClose(() => {
    if (connections.get(address) === connection) connections.delete(address);
  });
  return connection;
}

/** The open connection to `address`, without opening one. */
export function existingConnection(address: string): Connection | undefined {
  const existing = connections.get(address);
  return existing?.isOpen ? existing : undefined;
}

/** Closes this process's connection to `address` (its proxies then reject their calls). */
export async function closeConnection(address: string): Promise<void> {
  await connections.get(address)?.close();
  connections.delete(address);
}

/** Flushes and closes every connection of this process, e.g. before a child process exits. */
export async function closeAllConnections(): Promise<void> {
  await Promise.all([...connections.values()].map((connection) => connection.close()));
  connections.clear();
}
