import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A private `redis-server` for the bench: a free loopback port, no persistence (no RDB, no
 * AOF), no config file; stopped by its PID.
 */
export class RedisServer {
  private constructor(private readonly child: ChildProcess, readonly port: number, readonly version: string) {}

  /** The version of `redis-server` on the PATH, or undefined when there is none. */
  static installed(): string | undefined {
    const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) return undefined;
    return /v=(\S+)/.exec(probe.stdout)?.[1] ?? 'unknown';
  }

  static async start(): Promise<RedisServer> {
    const version = RedisServer.installed();
    if (version === undefined) throw new Error('redis-server is not installed');
    const port = await freePort();
    const child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', '/tmp', '--daemonize', 'no', '--protected-mode', 'yes',
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/ready to accept connections/i.test(out)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}: ${out.slice(-500)}`)));
    });
    child.stdout!.resume();
    return new RedisServer(child, port, version);
  }

  get pid(): number {
    return this.child.pid!;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    process.kill(this.child.pid!, 'SIGTERM');
    await exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
