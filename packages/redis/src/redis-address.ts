import { readFileSync } from 'node:fs';
import type { ClusterOptions, RedisOptions } from 'ioredis';

/**
 * Where a Redis-backed mpts lives and how to reach it, read from its address. The address
 * travels in every proxy's token, so everything a process needs to reach the same objects is
 * in it: the servers (one, a Cluster seed, or the Sentinels), the database, the key prefix, the
 * lease, and the CA file TLS trusts.
 *
 * - `redis://[user:password@]host:6379/0?lease=15&prefix=mpts` (`rediss://` for TLS)
 * - `redis://node:7000/0?cluster=1`: a Redis Cluster, any node as the seed
 * - `redis+sentinel://[user:password@]sentinel1:26379,sentinel2:26379/mymaster/0`: the primary
 *   the Sentinels name `mymaster` (`rediss+sentinel://` for TLS to the primary and replicas)
 */
export interface RedisAddress {
  readonly tls: boolean;
  /** As written in the URL (percent-encoded), or ''. */
  readonly username: string;
  readonly password: string;
  /** The server, the Cluster seed, or the Sentinels. */
  readonly hosts: readonly { host: string; port: number }[];
  /** The master group the Sentinels watch, when `hosts` are Sentinels. */
  readonly sentinelName: string | undefined;
  readonly db: number;
  readonly lease: number;
  readonly prefix: string;
  readonly cluster: boolean;
  /** A PEM file of the certificate authorities TLS trusts (the server's own CA), else the system's. */
  readonly tlsCa: string | undefined;
}

/** What `Manager.connect(url, options)` may give as an object, beside the URL. */
export interface RedisAddressOptions {
  lease?: number;
  prefix?: string;
  /** The Sentinels (`'host:26379'` or `{ host, port }`): the URL's host is then the master group's name. */
  sentinels?: readonly (string | { host: string; port?: number })[];
  /** A PEM file of the CA that signed the server's certificate (`rediss://`). */
  tlsCa?: string;
}

const sentinelPort = 26379;
const redisPort = 6379;

/** `redis+sentinel://` ... with its parts: credentials, hosts, master name, database, query. */
const sentinelUrl = /^(rediss?)\+sentinel:\/\/(?:([^@/]*)@)?([^/?]+)\/([^/?]+)(?:\/([^/?]*))?(?:\?(.*))?$/i;

/** Reads a `redis://`, `rediss://`, `redis+sentinel://` or `rediss+sentinel://` address, with `options` added. */
export function parseRedisAddress(url: string, options: RedisAddressOptions = {}): RedisAddress {
  const sentinel = sentinelUrl.exec(url);
  let address: Omit<RedisAddress, 'lease' | 'prefix' | 'cluster' | 'tlsCa'>;
  let query: URLSearchParams;
  if (sentinel) {
    const [, scheme, auth = '', hosts, name, db, search = ''] = sentinel;
    const colon = auth.indexOf(':');
    address = {
      tls: scheme!.toLowerCase() === 'rediss',
      username: colon < 0 ? auth : auth.slice(0, colon),
      password: colon < 0 ? '' : auth.slice(colon + 1),
      hosts: hosts!.split(',').map((host) => hostAndPort(host, sentinelPort, url)),
      sentinelName: decodeURIComponent(name!),
      db: database(db, url),
    };
    query = new URLSearchParams(search);
  } else {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError(`not a Redis URL: '${redactPassword(url)}'`);
    }
    if (!/^rediss?:$/i.test(parsed.protocol)) throw new TypeError(`not a Redis URL: '${redactPassword(url)}'`);
    const host = { host: parsed.hostname, port: parsed.port === '' ? redisPort : Number(parsed.port) };
    address = {
      tls: parsed.protocol.toLowerCase() === 'rediss:',
      username: parsed.username,
      password: parsed.password,
      hosts: [host],
      sentinelName: undefined,
      db: database(parsed.pathname.replace(/^\//, ''), url),
    };
    query = parsed.searchParams;
    if (options.sentinels !== undefined) {
      // The URL's host names the master group, as a Sentinel URL's path does.
      if (options.sentinels.length === 0) throw new TypeError('sentinels must list at least one Sentinel');
      address = {
        ...address,
        hosts: options.sentinels.map((given) =>
          typeof given === 'string' ? hostAndPort(given, sentinelPort, url) : { host: given.host, port: given.port ?? sentinelPort },
        ),
        sentinelName: decodeURIComponent(parsed.hostname),
      };
    }
  }
  const lease = options.lease ?? (query.has('lease') ? Number(query.get('lease')) : 15);
  if (!(lease > 0) || !Number.isFinite(lease)) throw new TypeError(`lease must be a positive number of seconds, not '${options.lease ?? query.get('lease')}'`);
  const cluster = query.get('cluster') === '1';
  if (cluster && address.sentinelName !== undefined) throw new TypeError('a Redis Cluster is not reached through Sentinels: give cluster=1 or Sentinels, not both');
  const tlsCa = options.tlsCa ?? query.get('tlsCa') ?? undefined;
  if (tlsCa !== undefined && !address.tls) throw new TypeError(`tlsCa is for TLS connections: use rediss:// (not '${redactPassword(url)}')`);
  return { ...address, lease, prefix: options.prefix ?? query.get('prefix') ?? 'mpts', cluster, tlsCa };
}

/** The one written form of an address: the same objects always have the same address. */
export function formatRedisAddress(address: RedisAddress): string {
  const auth = address.username || address.password ? `${address.username}${address.password ? `:${address.password}` : ''}@` : '';
  const hosts = address.hosts.map(({ host, port }) => `${host}:${port}`).join(',');
  const scheme = address.tls ? 'rediss' : 'redis';
  const where = address.sentinelName === undefined
    ? `${scheme}://${auth}${hosts}/${address.db}`
    : `${scheme}+sentinel://${auth}${hosts}/${encodeURIComponent(address.sentinelName)}/${address.db}`;
  const query = new URLSearchParams({ lease: String(address.lease), prefix: address.prefix });
  if (address.cluster) query.set('cluster', '1');
  if (address.tlsCa !== undefined) query.set('tlsCa', address.tlsCa);
  return `${where}?${query.toString()}`;
}

/** The address as people may see it: the password masked. */
export function redactPassword(url: string): string {
  return url.replace(/^([a-z+]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/** ioredis options for one server or for the primary the Sentinels name. */
export function redisOptions(address: RedisAddress): RedisOptions {
  const options: RedisOptions = {
    db: address.db,
    // A call waits for the reconnection (a restart, a failover) rather than failing after a few tries.
    maxRetriesPerRequest: null,
    ...credentials(address),
  };
  const tls = tlsOptions(address);
  if (address.sentinelName === undefined) {
    const [{ host, port }] = address.hosts as [{ host: string; port: number }];
    return { ...options, host: unbracket(host), port, ...(tls ? { tls } : {}) };
  }
  return {
    ...options,
    sentinels: address.hosts.map(({ host, port }) => ({ host: unbracket(host), port })),
    name: address.sentinelName,
    // Told of a new primary by the Sentinels' +switch-master, not only when the old one fails.
    failoverDetector: true,
    // A demoted primary refuses writes: reconnect (asking the Sentinels again) and send the
    // command again there. Only the command connection resends: a blocking connection's
    // command in flight is never resent (see blocking-pool.ts).
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    ...(tls ? { tls, enableTLSForSentinelMode: true } : {}),
  };
}

/** ioredis options for a Cluster: its seed node and each node's connection options. */
export function clusterOptions(address: RedisAddress): { seeds: { host: string; port: number }[]; options: ClusterOptions } {
  const tls = tlsOptions(address);
  return {
    seeds: address.hosts.map(({ host, port }) => ({ host: unbracket(host), port })),
    options: { redisOptions: { maxRetriesPerRequest: null, ...credentials(address), ...(tls ? { tls } : {}) } },
  };
}

function credentials(address: RedisAddress): { username?: string; password?: string } {
  return {
    ...(address.username ? { username: decodeURIComponent(address.username) } : {}),
    ...(address.password ? { password: decodeURIComponent(address.password) } : {}),
  };
}

function tlsOptions(address: RedisAddress): { ca?: Buffer } | undefined {
  if (!address.tls) return undefined;
  return address.tlsCa === undefined ? {} : { ca: readFileSync(address.tlsCa) };
}

function hostAndPort(text: string, defaultPort: number, url: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+))?$/.exec(text.trim());
  const port = match?.[2] === undefined ? defaultPort : Number(match[2]);
  if (!match || port < 1 || port > 65535) throw new TypeError(`not a host:port in '${redactPassword(url)}': '${text}'`);
  return { host: match[1]!, port };
}

function database(text: string | undefined, url: string): number {
  if (text === undefined || text === '') return 0;
  if (!/^\d+$/.test(text)) throw new TypeError(`the database must be a number, not '${text}' (in '${redactPassword(url)}')`);
  return Number(text);
}

/** `[::1]` as a URL writes it, `::1` as a socket connects to it. */
function unbracket(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}
