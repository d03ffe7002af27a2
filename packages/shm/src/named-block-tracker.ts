import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { unlinkSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

/**
 * A tracker process (tracker/named-blocks.cjs) that unlinks named blocks when the process that
 * made them is gone, however it went (an exit, an uncaught error, SIGKILL). A name in /dev/shm
 * outlives every process, so without one a killed program leaks its blocks until reboot.
 *
 * Names here are /dev/shm file names: the POSIX name without its leading slash.
 */
export class NamedBlockTracker {
  readonly #child: ChildProcess;
  readonly #names = new Set<string>();
  readonly #exited: Promise<unknown>;

  constructor() {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    // Detached: a Ctrl-C to the terminal's process group must not stop it before it cleans up.
    this.#child = spawn(process.execPath,
      [new URL('../tracker/named-blocks.cjs', import.meta.url).pathname, String(process.pid)],
      { detached: true, stdio: ['pipe', 'pipe', 'ignore'], env });
    this.#exited = once(this.#child, 'exit');
    this.#exited.catch(() => {});
    this.#child.stdin!.on('error', () => {});
  }

  /** The tracker's pid. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The names it will unlink. */
  get names(): ReadonlySet<string> {
    return this.#names;
  }

  /** Resolves once the tracker runs (or rejects if it could not start). */
  async ready(): Promise<void> {
    const [line] = await Promise.race([
      once(this.#child.stdout!, 'data'),
      this.#exited.then(() => { throw new Error('the named-block tracker exited while starting'); }),
      once(this.#child, 'error').then(([error]) => { throw error as Error; }),
    ]) as [Buffer];
    if (!String(line).startsWith('ready')) throw new Error(`the named-block tracker said ${String(line)}`);
  }

  /** Lets this process exit while the tracker runs (it outlives it on purpose). */
  unref(): void {
    this.#child.unref();
    for (const stream of [this.#child.stdin, this.#child.stdout]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
  }

  track(name: string): void {
    this.#names.add(name);
    this.#child.stdin!.write(`+${name}\n`);
  }

  untrack(name: string): void {
    if (this.#names.delete(name)) this.#child.stdin!.write(`-${name}\n`);
  }

  /** Unlinks every tracked name (the tracker does, and exits); resolves when it has. */
  async unlinkAll(): Promise<void> {
    this.#names.clear();
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.stdin!.write('unlink-all\n');
    await this.#exited;
  }

  /** Unlinks every tracked name from this process, synchronously (at exit). */
  unlinkAllHere(): void {
    for (const name of this.#names) {
      try {
        unlinkSync(`/dev/shm/${name}`);
      } catch {
        // unlinked already
      }
    }
    this.#names.clear();
  }
}

let threadTracker: NamedBlockTracker | undefined;

/**
 * The tracker of the blocks this thread creates with `track` on (the default), started at the
 * first one. At this thread's exit they are unlinked at once, as Python's resource tracker does
 * for the blocks a process made; if the process is killed, the tracker unlinks them.
 */
export function trackerOfThisThread(): NamedBlockTracker {
  if (threadTracker === undefined) {
    threadTracker = new NamedBlockTracker();
    threadTracker.unref();
    const tracker = threadTracker;
    if (isMainThread) process.on('exit', () => tracker.unlinkAllHere());
  }
  return threadTracker;
}

/** The tracker of this thread's blocks, if it started one (for tests). */
export function getNamedBlockTrackerPid(): number | undefined {
  return threadTracker?.pid;
}
