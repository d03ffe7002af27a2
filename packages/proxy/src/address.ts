import { messages } from './errors.js';
/**
 * A manager's address as a string: a Unix socket path (a named pipe path on Windows), or
 * `tcp://host:port` (IPv6 hosts in brackets: `tcp://[::1]:5000`).
 */
export type ParsedAddress =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export function parseAddress(address: string): ParsedAddress {
  if (!address.startsWith('tcp://')) return { kind: 'path', path: address };
  const rest = address.slice('tcp://'.length);
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(rest);
  if (!match) throw new TypeError(messages.notAnAddress(address));
  return { kind: 'tcp', host: match[1] ?? match[2]!, port: Number(match[3]) };
}

export function formatTcpAddress(host: string, port: number): string {
  return host.includes(':') ? `tcp://[${host}]:${port}` : `tcp://${host}:${port}`;
}
