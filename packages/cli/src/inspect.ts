import type { DebugInfo } from '@mpts/manager';

/**
 * `mpts inspect`'s human-readable report of a live manager: the server, its clients, its types,
 * and every object with its type, reference count, holders, and who holds or waits for it.
 */
export function formatDebugInfo(info: DebugInfo, address: string): string {
  const lines: string[] = [];
  const server = info.server;
  if (info.backend) lines.push(`Redis-backed mpts at ${address} (server time ${info.backend.time})`);
  else lines.push(`manager at ${address}${server ? ` (pid ${server.pid}, up since ${server.startedAt})` : ''}`);
  if (server && server.addresses.length > 0) lines.push(`  listening on ${server.addresses.join(', ')}`);
  lines.push('');
  lines.push(`clients (${info.clients.length}):`);
  for (const client of info.clients) {
    // A Redis session holds no references of its own (they are counted per object there).
    const what = client.references === undefined
      ? `holds in ${client.holding ?? 0} object${client.holding === 1 ? '' : 's'}, ${client.waiting} waiting call${client.waiting === 1 ? '' : 's'}${client.leaseExpires ? `, lease until ${client.leaseExpires}` : ''}`
      : `${client.references} reference${client.references === 1 ? '' : 's'}, ${client.waiting} waiting call${client.waiting === 1 ? '' : 's'}`;
    lines.push(`  ${client.label}: ${what}`);
  }
  if (info.types) {
    lines.push('');
    lines.push(`types (${info.types.length}): ${info.types.join(', ')}`);
  }
  lines.push('');
  lines.push(`objects (${info.objects.length}):`);
  for (const object of info.objects) {
    lines.push(`  #${object.id} ${object.typeId}  refcount=${object.refcount}`);
    lines.push(`    ${object.str}`);
    const holders = Object.entries(object.heldBy).map(([label, count]) => `${label} ×${count}`);
    if (holders.length > 0) lines.push(`    referenced by: ${holders.join(', ')}`);
    for (const [key, value] of Object.entries(object.state ?? {})) {
      lines.push(`    ${key}: ${formatState(value)}`);
    }
  }
  return lines.join('\n');
}

function formatState(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map((item) => formatState(item)).join(', ');
  if (value === null || value === undefined) return '(none)';
  if (typeof value === 'object') return JSON.stringify(value, jsonSafe);
  return String(value);
}

/** JSON with bigints as numbers' text and Maps as objects, for `--json`. */
export function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), v]));
  if (value instanceof Set) return [...value];
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}
