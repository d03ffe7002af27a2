import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, type RedisServer } from './redis-server.js';
import { waitUntil } from './wait-until.js';

/**
 * A primary, a replica and Sentinels watching them as `mymaster`, on loopback ports, their
 * configuration in a temporary directory removed by `stop()`.
 */
export interface RedisSentinelSetup extends AsyncDisposable {
  /** `redis+sentinel://127.0.0.1:<port>,.../mymaster/0` */
  readonly url: string;
  readonly sentinelPorts: number[];
  readonly servers: RedisServer[];
  /** The port of the server the Sentinels call the primary now. */
  primaryPort(): Promise<number>;
  /**
   * Has the Sentinels promote the replica (`SENTINEL FAILOVER`), and resolves with the new
   * primary's port once they announce it (`+switch-master`).
   */
  failover(): Promise<number>;
  stop(): Promise<void>;
}

export const masterName = 'mymaster';

/** One Sentinel: ready once it logs that it monitors the primary. */
async function startSentinel(dir: string, primaryPort: number, quorum: number): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  const config = join(dir, `sentinel-${port}.conf`);
  writeFileSync(config, [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${masterName} 127.0.0.1 ${primaryPort} ${quorum}`,
    `sentinel down-after-milliseconds ${masterName} 2000`,
    `sentinel failover-timeout ${masterName} 10000`,
    '',
  ].join('\n'));
  const child = spawn('redis-server', [config, '--sentinel'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes(`+monitor master ${masterName}`)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-sentinel exited with code ${code} before it was ready:\n${log}`)));
  });
  return { port, process: child };
}

export async function startRedisSentinel(sentinelCount = 1): Promise<RedisSentinelSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'mpts-sentinel-'));
  const servers: RedisServer[] = [];
  const sentinels: { port: number; process: ChildProcess }[] = [];
  const stop = async () => {
    await Promise.all(sentinels.map(async ({ process: child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }));
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  const askSentinel = async <T>(ask: (sentinel: Redis) => Promise<T>): Promise<T> => {
    const sentinel = new Redis({ port: sentinels[0]!.port, host: '127.0.0.1' });
    try {
      return await ask(sentinel);
    } finally {
      sentinel.disconnect();
    }
  };
  try {
    // Each in the temporary directory: a replica writes the data it syncs to a file in its own.
    // A primary waits 5 s by default before it streams its data to a replica, for more to join.
    const primary = await startRedisServer({ args: ['--dir', dir, '--repl-diskless-sync-delay', '0'] });
    servers.push(primary);
    servers.push(await startRedisServer({ args: ['--dir', dir, '--replicaof', '127.0.0.1', String(primary.port)] }));
    // In sync before the Sentinels start: their first look at the primary then finds the replica
    // ready, rather than at their next periodic look, seconds later.
    const replica = new Redis({ host: '127.0.0.1', port: servers[1]!.port });
    try {
      await waitUntil(async () => /master_link_status:up/.test(await replica.info('replication')));
    } finally {
      replica.disconnect();
    }
    const quorum = Math.floor(sentinelCount / 2) + 1;
    for (let i = 0; i < sentinelCount; i++) sentinels.push(await startSentinel(dir, primary.port, quorum));
    // A failover needs a replica the Sentinels know and that is in sync: the Sentinels learn of
    // it from the primary's INFO, which no event of theirs tells a client before it happens.
    await waitUntil(async () => {
      const replicas = await askSentinel((sentinel) => sentinel.call('SENTINEL', 'REPLICAS', masterName) as Promise<string[][]>);
      return replicas.some((fields) => {
        const info = Object.fromEntries(fields.flatMap((_, i) => (i % 2 === 0 ? [[fields[i], fields[i + 1]]] : [])));
        return info['flags'] === 'slave' && info['master-link-status'] === 'ok';
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const primaryPort = () => askSentinel(async (sentinel) => Number(((await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as string[])[1]));
  const failover = async () => {
    const listener = new Redis({ port: sentinels[0]!.port, host: '127.0.0.1' });
    try {
      await listener.subscribe('+switch-master');
      const switched = once(listener, 'message') as Promise<[string, string]>;
      await askSentinel((sentinel) => sentinel.call('SENTINEL', 'FAILOVER', masterName));
      // "<name> <old ip> <old port> <new ip> <new port>"
      const [, message] = await switched;
      return Number(message.split(' ')[4]);
    } finally {
      listener.disconnect();
    }
  };
  const url = `redis+sentinel://${sentinels.map(({ port }) => `127.0.0.1:${port}`).join(',')}/${masterName}/0`;
  return { url, sentinelPorts: sentinels.map(({ port }) => port), servers, primaryPort, failover, stop, [Symbol.asyncDispose]: stop };
}
