import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encodeFrame, FrameDecoder } from '@mpts/proxy/wire';

/**
 * The floor's client: one Promise per call, the frames of one tick written together, every
 * frame of a read decoded at once: the least a call over a Unix socket with this framing and
 * codec costs in Node. What an mpts proxy call costs beyond it is its own machinery.
 */
export class FloorClient {
  private readonly pending = new Map<number, (value: unknown) => void>();
  private nextId = 1;
  private queued: Buffer[] = [];
  private scheduled = false;
  private readonly decoder = new FrameDecoder(1 << 30, (frame) => {
    const reply = decode(frame) as [number, number, unknown];
    const resolve = this.pending.get(reply[1])!;
    this.pending.delete(reply[1]);
    resolve(reply[2]);
  });

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk));
  }

  static connect(path: string): Promise<FloorClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path, () => resolve(new FloorClient(socket)));
      socket.once('error', reject);
    });
  }

  set(key: unknown, value: unknown): Promise<unknown> {
    return this.request([0, 0, key, value]);
  }

  get(key: unknown): Promise<unknown> {
    return this.request([1, 0, key]);
  }

  close(): void {
    this.socket.destroy();
  }

  private request(message: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    message[1] = id;
    this.queued.push(encodeFrame(message));
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
    return new Promise((resolve) => this.pending.set(id, resolve));
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const frames = this.queued;
    this.queued = [];
    this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  };
}

/** The floor's server process, running until `stop()`. */
export class FloorServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly path: string,
  ) {}

  static async start(): Promise<FloorServer> {
    const dir = mkdtempSync(join(tmpdir(), 'mpts-bench-floor-'));
    const path = join(dir, 'floor.sock');
    const child = fork(new URL('./server.ts', import.meta.url).pathname, [path], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the floor server exited with code ${code}`)));
    });
    return new FloorServer(child, dir, path);
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
