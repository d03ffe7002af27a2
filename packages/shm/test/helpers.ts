import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encode, whileSpawning } from '@mpts/proxy/wire';

const childEntry = fileURLToPath(built(new URL('./fixtures/child.ts', import.meta.url)));
/** A TypeScript loader, needed only where a fixture has no compiled copy. */
const loader = childEntry.endsWith('.ts') ? ['--import', 'tsx'] : [];
const started = new Set<ChildProcess>();

export interface ChildRun {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the first message whose `type` is `type`. */
  message<T = Record<string, unknown>>(type: string): Promise<T>;
  /** Resolves when the child has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/**
 * Starts test/fixtures/child.ts and hands it `args` the way mpts's `Process` does: encoded
 * with the mpts codec while spawning, sent over the IPC channel, decoded in the child.
 */
export function runChild(task: string, args: unknown[], env: NodeJS.ProcessEnv = {},
  options: { inNewPidNamespace?: boolean } = {}): ChildRun {
  const bytes = whileSpawning(() => encode(args));
  // In a new PID namespace (root only), through unshare: it forks the child as the namespace's
  // pid 1, with its own /proc, and SIGKILLs it when unshare itself is killed; the IPC channel's
  // descriptor passes through.
  const namespaced = options.inNewPidNamespace
    ? { execPath: 'unshare', execArgv: ['--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL', process.execPath, ...loader] }
    : { execArgv: loader };
  const child = fork(childEntry, [], {
    ...namespaced,
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: { ...process.env, ...env },
  });
  started.add(child);
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const messages: Record<string, unknown>[] = [];
  const waiters: { type: string; resolve: (m: never) => void }[] = [];
  child.on('message', (message: Record<string, unknown>) => {
    messages.push(message);
    for (const waiter of waiters.filter((w) => w.type === message.type)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(message as never);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    });
  });
  child.send({ task, args: Buffer.from(bytes).toString('base64') });
  return {
    child,
    pid: child.pid!,
    message<T>(type: string): Promise<T> {
      const seen = messages.find((m) => m.type === type);
      if (seen) return Promise.resolve(seen as T);
      return new Promise<T>((resolve, reject) => {
        waiters.push({ type, resolve: resolve as (m: never) => void });
        void exited.then(({ code, signal }) => {
          if (!messages.some((m) => m.type === type)) {
            reject(new Error(`child exited (${code ?? signal}) before sending '${type}': ${errors}`));
          }
        });
      });
    },
    exited,
    stderr: () => errors,
  };
}

/** Kills, by pid, every child this file started that is still running. */
export async function killChildren(): Promise<void> {
  const running = [...started];
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(running.map((child) => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(undefined);
    else child.once('exit', resolve);
  })));
}

/**
 * The JavaScript vitest's global setup compiled from the TypeScript module `source` (in
 * test/dist/, mirroring the package; see vitest.fixtures.ts), or `source` where there is none.
 */
export function built(source: URL): URL {
  const path = fileURLToPath(source);
  const match = /^(.*\/packages\/[^/]+\/)(.*)\.ts$/.exec(path);
  if (match === null) return source;
  const [, pkg, rest] = match as unknown as [string, string, string];
  const compiled = rest.startsWith('test/dist/') ? `${pkg}${rest}.js` : `${pkg}test/dist/${rest}.js`;
  return existsSync(compiled) ? pathToFileURL(compiled) : source;
}

/** Names in /dev/shm that belong to one of these pids. */
export function segmentsOf(...pids: number[]): string[] {
  return readdirSync('/dev/shm').filter((name) => pids.some((pid) => name.startsWith(`mpts-${pid}-`)));
}

/**
 * This process's segments that were not there `before`: test files share their worker process,
 * and an earlier file's objects may still hold theirs until they are collected.
 */
export function segmentsSince(before: readonly string[]): string[] {
  return segmentsOf(process.pid).filter((name) => !before.includes(name));
}

/** Polls until `check` holds, up to `seconds`; resolves with its last result. */
export async function eventually<T>(check: () => T, seconds = 15): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const result = check();
    if (result || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether a process with this pid exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSyncSafe(`/proc/${pid}/stat`);
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

import { readFileSync } from 'node:fs';
function readFileSyncSafe(path: string): string {
  return readFileSync(path, 'utf8');
}
