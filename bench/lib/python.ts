import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import type { Measurement } from './measure.js';

/**
 * The Python peer: one long-lived `python3 bench/python/peer.py`, asked for one workload at a
 * time over stdin/stdout (JSON lines). Stopped by its PID.
 */
export class PythonPeer {
  private readonly waiting: ((line: string) => void)[] = [];

  private constructor(private readonly child: ChildProcess, lines: Interface, readonly version: string) {
    lines.on('line', (line) => this.waiting.shift()?.(line));
  }

  static installed(): boolean {
    const probe = spawnSync('python3', ['-c', 'import multiprocessing'], { encoding: 'utf8' });
    return !probe.error && probe.status === 0;
  }

  static async start(): Promise<PythonPeer> {
    const child = spawn('python3', [new URL('../python/peer.py', import.meta.url).pathname], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`python3 exited with code ${code}`)));
      child.once('error', reject);
    });
    return new PythonPeer(child, lines, (JSON.parse(first) as { python: string }).python);
  }

  run(request: Record<string, unknown>): Promise<Measurement> {
    return new Promise((resolve) => {
      this.waiting.push((line) => resolve(JSON.parse(line) as Measurement));
      this.child.stdin!.write(`${JSON.stringify(request)}\n`);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    const timer = setTimeout(() => process.kill(this.child.pid!, 'SIGTERM'), 2000);
    await exited;
    clearTimeout(timer);
  }
}
