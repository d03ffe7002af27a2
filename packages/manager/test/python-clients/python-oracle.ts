import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./fixtures/pickle_oracle.py', import.meta.url));

/** A Python process that answers pickle questions (fixtures/pickle_oracle.py), one at a time. */
export class PickleOracle {
  private readonly child: ChildProcess;
  private readonly lines: Interface;
  private readonly waiting: Array<(line: string) => void> = [];
  private readonly exited: Promise<void>;

  constructor(python: string) {
    this.child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.lines = createInterface({ input: this.child.stdout! });
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
  }

  private ask(request: object): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.waiting.push((line) => resolve(JSON.parse(line) as Record<string, unknown>));
      this.child.stdin!.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Whether Python's `pickle.loads(data)` is the value of `expect`, type for type. */
  async loads(data: Uint8Array, expect: string): Promise<{ ok: boolean; got: string }> {
    const answer = await this.ask({ op: 'load', data: Buffer.from(data).toString('base64'), expect });
    if (typeof answer.error === 'string') throw new Error(answer.error);
    return answer as { ok: boolean; got: string };
  }

  /** Python's `pickle.dumps(literal, protocol)`. */
  async dumps(literal: string, protocol: number): Promise<Buffer> {
    const answer = await this.ask({ op: 'dump', literal, protocol });
    if (typeof answer.error === 'string') throw new Error(answer.error);
    return Buffer.from(answer.data as string, 'base64');
  }

  async close(): Promise<void> {
    this.child.stdin!.end();
    await this.exited;
  }
}
