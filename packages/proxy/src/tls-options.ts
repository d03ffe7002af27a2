import { isIP, type Socket } from 'node:net';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { nodeTls } from './node-tls.js';
import { parseAddress } from './address.js';

/**
 * How a client reaches a manager served over TLS: Node's `tls.connect` options (`ca`,
 * `servername`, a client `cert` and `key`...). `{}` trusts the system's certificate authorities.
 */
export type TlsClientOptions = TlsConnectionOptions;

/** Opens a TLS stream to a manager address; SNI gets the host name (never an IP address). */
export function openTlsSocket(address: string, tls: TlsClientOptions): Socket {
  const where = parseAddress(address);
  if (where.kind !== 'tcp') return nodeTls().connect({ ...tls, path: where.path });
  return nodeTls().connect({
    ...tls,
    host: where.host,
    port: where.port,
    // SNI takes host names only; an IP address is checked against the certificate's IP SANs.
    servername: tls.servername ?? (isIP(where.host) ? undefined : where.host),
  });
}

/** Options that say where to connect: the address decides that, in every process. */
const placeOptions = new Set(['host', 'port', 'path', 'socket', 'localAddress', 'lookup']);

/**
 * The part of TLS options that is plain data (strings, numbers, booleans, bytes, and arrays and
 * plain objects of those), which can cross to another process: `ca`, `servername`, `cert`,
 * `key`, `passphrase`, `rejectUnauthorized`, `minVersion`... Functions (`checkServerIdentity`,
 * `pskCallback`) and objects such as a `secureContext` cannot, and are left out: `dropped`
 * names them.
 */
export function portableTlsOptions(tls: TlsClientOptions): { options: TlsClientOptions; dropped: string[] } {
  const options: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(tls)) {
    if (value === undefined || placeOptions.has(name)) continue;
    if (isPlainData(value)) options[name] = value;
    else dropped.push(name);
  }
  return { options: options as TlsClientOptions, dropped };
}

function isPlainData(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object':
      if (value instanceof Uint8Array) return true;
      if (Array.isArray(value)) return value.every(isPlainData);
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return false;
      return Object.values(value).every(isPlainData);
    default:
      return false;
  }
}

/** Bytes in JSON: `{ $bytes: base64 }`. */
interface JsonBytes {
  readonly $bytes: string;
}

/** Portable TLS options as JSON-safe data (bytes become `{ $bytes: base64 }`), for a token. */
export function tlsOptionsToJson(tls: TlsClientOptions): Record<string, unknown> {
  return toJson(portableTlsOptions(tls).options) as Record<string, unknown>;
}

/** The TLS options `tlsOptionsToJson` or a `Process` start message carried, with bytes as `Buffer`s. */
export function tlsOptionsFromData(data: Record<string, unknown>): TlsClientOptions {
  return fromData(data) as TlsClientOptions;
}

function toJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, toJson(item)]));
  }
  return value;
}

function fromData(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(fromData);
  if (typeof value === 'object' && value !== null) {
    const bytes = (value as JsonBytes).$bytes;
    if (typeof bytes === 'string' && Object.keys(value).length === 1) return Buffer.from(bytes, 'base64');
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, fromData(item)]));
  }
  return value;
}
