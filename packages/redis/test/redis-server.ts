import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';

/** Whether `redis-server` can run here. */
export const redisServerAvailable = spawnSync('redis-server', ['--version']).status === 0;

/**
 * Why the Redis tests do not run here, or undefined when they do. They are skipped only
 * outside CI: in CI (`CI` set) a missing redis-server fails them instead.
 */
export const redisSkipReason =
  redisServerAvailable || process.env.CI ? undefined : 'redis-server is not installed (apt-get install redis-server); the Redis backend tests are skipped outside CI';
if (redisSkipReason) console.warn(`@mpts/redis: ${redisSkipReason}`);

/** A free TCP port on loopback, found by binding port 0. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A redis-server of the tests' own, on a free loopback port, without persistence. */
export interface RedisServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** Run as a node of a Redis Cluster, its state in `dir`. */
  clusterNode?: boolean;
  /** Keep data in this directory with an append-only file synced at every write, so a restart keeps it. */
  dir?: string;
  /** The port: by default a free one. */
  port?: number;
  /** Serve TLS only, on the port, with this certificate and key (see tls-files.ts). */
  tls?: { cert: string; key: string; ca: string };
  /** More of redis-server's options (`--replicaof`, `--requirepass`...). */
  args?: string[];
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const persistence = options.dir === undefined
    ? ['--appendonly', 'no']
    : options.clusterNode
      ? ['--appendonly', 'no', '--dir', options.dir, '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`]
      : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', options.dir];
  const listen = options.tls === undefined
    ? ['--port', String(port)]
    : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key,
        '--tls-ca-cert-file', options.tls.ca, '--tls-auth-clients', 'no'];
  const child = spawn('redis-server', [...listen, '--bind', '127.0.0.1', '--save', '', ...persistence, ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  // Ready once it says so on its log (written to stdout).
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code} before it was ready:\n${log}`)));
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    child.kill('SIGTERM');
    await exited;
  };
  return { url: `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}/0`, port, process: child, stop, [Symbol.asyncDispose]: stop };
}

/** A three-primary Redis Cluster on loopback ports, its nodes' state in a temporary directory. */
export interface RedisCluster extends AsyncDisposable {
  /** `redis://` URL of one node, with `?cluster=1`. */
  readonly url: string;
  readonly nodes: RedisServer[];
  stop(): Promise<void>;
}

export async function startRedisCluster(): Promise<RedisCluster> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'mpts-cluster-'));
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) nodes.push(await startRedisServer({ dir, clusterNode: true }));
    const create = spawn('redis-cli', ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    create.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    create.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(create, 'exit')) as [number | null];
    // redis-cli waits until every node agrees on the slots before it reports success.
    if (code !== 0 || !output.includes('All 16384 slots covered')) throw new Error(`redis-cli --cluster create failed:\n${output}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${nodes[0]!.port}/0?cluster=1`, nodes, stop, [Symbol.asyncDispose]: stop };
}
