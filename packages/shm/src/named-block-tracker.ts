import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { statSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { messages, ProcessError } from '@mpts/proxy/wire';

/**
 * A tracker process (tracker/named-blocks.cjs) that unlinks named blocks when the process that
 * made them is gone, however it went (an exit, an uncaught error, SIGKILL). A name in /dev/shm
 * outlives every process, so without one a killed program leaks its blocks until reboot.
 *
 * Names here are /dev/shm file names: the POSIX name without its leading slash.
 */
export class NamedBlockTracker {
  readonly #child: ChildProcess;
  /** The names to unlink, with the inode of the file made under each. */
  readonly #names = new Map<string, bigint>();
  readonly #exited: Promise<unknown>;

  constructor() {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    // Detached: a Ctrl-C to the terminal's process group must not stop it before it cleans up.
    this.#child = spawn(process.execPath,
      [fileURLToPath(new URL('../tracker/named-blocks.cjs', import.meta.url)), String(process.pid)],
      { detached: true, stdio: ['pipe', 'pipe', 'ignore'], env });
    this.#exited = once(this.#child, 'exit');
    this.#exited.catch(() => {});
    this.#child.stdin!.on('error', () => {});
  }

  /** The tracker's pid. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Resolves once the tracker runs (or rejects if it could not start). */
  async ready(): Promise<void> {
    const [line] = await Promise.race([
      once(this.#child.stdout!, 'data'),
      this.#exited.then(() => { throw new ProcessError(messages.trackerExitedWhileStarting); }),
      once(this.#child, 'error').then(([error]) => { throw error as Error; }),
    ]) as [Buffer];
    if (!String(line).startsWith('ready')) throw new ProcessError(messages.trackerSaid(String(line)));
    unrefStream(this.#child.stdout);
  }

  /**
   * Lets this process exit while the tracker runs (it outlives it on purpose). Its output is
   * let go of too, unless `ready()` is still waiting for it.
   */
  unref(options: { exceptOutput?: boolean } = {}): void {
    this.#child.unref();
    unrefStream(this.#child.stdin);
    if (!options.exceptOutput) unrefStream(this.#child.stdout);
  }

  /** Tracks the block just made as /dev/shm/<name>. */
  track(name: string): void {
    const ino = statSync(`/dev/shm/${name}`, { bigint: true }).ino;
    this.#names.set(name, ino);
    this.#child.stdin!.write(`+${ino} ${name}\n`);
  }

  untrack(name: string): void {
    if (this.#names.delete(name)) this.#child.stdin!.write(`-${name}\n`);
  }

  /** Unlinks every tracked name (the tracker does, and exits); resolves when it has. */
  async unlinkAll(): Promise<void> {
    this.#names.clear();
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.stdin!.write('unlink-all\n');
    // Kept unref'd while it waits; awaiting its exit must keep this process running till then.
    this.#child.ref();
    await this.#exited;
  }

  /** Unlinks every tracked name from this process, synchronously (at exit). */
  unlinkAllHere(): void {
    for (const [name, ino] of this.#names) {
      try {
        if (statSync(`/dev/shm/${name}`, { bigint: true }).ino === ino) unlinkSync(`/dev/shm/${name}`);
      } catch {
        // unlinked already
      }
    }
    this.#names.clear();
  }
}

function unrefStream(stream: unknown): void {
  (stream as { unref?: () => void } | null)?.unref?.();
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
