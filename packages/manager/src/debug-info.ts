import type { Server as NetServer } from 'node:net';
import type { DebugInfo } from '@mpts/proxy/wire';
import type { ClientSession } from './client-session.js';
import { describeServant } from './describe-servant.js';
import type { ObjectRegistry } from './object-registry.js';
import type { TypeRegistry } from './type-registry.js';

export type { DebugInfo };

/** What a server shows of itself in `debugInfo()`. */
export interface DebugInfoSource {
  readonly objects: ObjectRegistry;
  readonly clients: Iterable<ClientSession>;
  readonly types: TypeRegistry;
  readonly listening: readonly NetServer[];
  readonly startedAt: string;
}

/**
 * A snapshot of a server for people (`mpts inspect`, Python's `debug_info()`): each object with
 * a short preview, so it stays small and cheap however large the objects are.
 */
export function debugInfo(server: DebugInfoSource): DebugInfo {
  const clients = [...server.clients];
  const objects = [...server.objects.values()].map((entry) => {
    const heldBy: Record<string, number> = {};
    for (const client of clients) {
      const count = client.refs.get(entry.id);
      if (count) heldBy[client.label] = count;
    }
    return {
      id: entry.id,
      typeId: entry.ref.typeId,
      refcount: entry.refcount,
      heldBy,
      str: describeServant(entry.servant, 75),
      state: entry.servant.debugState?.() ?? {},
    };
  });
  return {
    objects,
    clients: clients.map((client) => ({
      id: client.id,
      label: client.label,
      references: [...client.refs.values()].reduce((sum, count) => sum + count, 0),
      waiting: client.waits.size,
    })),
    types: server.types.typeIds(),
    server: { pid: process.pid, addresses: server.listening.map(addressOf).filter((a) => a !== undefined), startedAt: server.startedAt },
  };
}

/** Where a server listens: its socket path, or a `tcp://` address. */
function addressOf(server: NetServer): string | undefined {
  const address = server.address();
  if (address === null) return undefined;
  if (typeof address === 'string') return address;
  return address.family === 'IPv6' ? `tcp://[${address.address}]:${address.port}` : `tcp://${address.address}:${address.port}`;
}
