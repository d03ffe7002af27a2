import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, extname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  authkeyFor,
  connectionOptionsFor,
  encode,
  standaloneCodecContext,
  messages,
  portableTlsOptions,
  prepareValue,
  ProcessError,
  rebuildError,
  whileSpawning,
} from '@mpts/proxy/wire';
import type { ChildReport, ChildStart, PortableConnection } from './process-messages.js';
import { proxiesIn } from './proxies-in.js';

export interface ProcessOptions<A extends unknown[]> {
  /** The function to run in the child. It must be exported by its module, under its own name. */
  target: (...args: A) => unknown;
  /** Its arguments: plain data, proxies, shared memory. Proxies reconnect in the child. */
  args?: A;
  /** @default `Process-<n>` */
  name?: string;
  /**
   * The module that exports `target`, e.g. `import.meta.url` of that module. By default, the
   * module that calls `new Process(...)`.
   */
  module?: string | URL;
}

let processCount = 0;
const thisFile = fileURLToPath(import.meta.url);
/** This package's own code, in `src/` or `dist/` (stacks may show either, through source maps). */
const ownCode = [join(dirname(thisFile), '..', 'src') + sep, join(dirname(thisFile), '..', 'dist') + sep];
const childEntry = join(dirname(thisFile), `process-child-main${extname(thisFile)}`);

/**
 * A child process running a function, as Python's `multiprocessing.Process` (DESIGN D9).
 *
 * The child re-imports the target's module (so its main block must sit behind
 * `isMainModule(import.meta)`), rebuilds the arguments (proxies reconnect to their managers and
 * authenticate with the authkey, and the TLS options of a manager served over TLS, that came
 * over the IPC channel, never on the command line),
 * and calls the target. A target that throws ends the child with exit code 1, and the error
 * is kept in `error`.
 */
export class Process<A extends unknown[] = unknown[]> {
  readonly name: string;
  private readonly target: (...args: A) => unknown;
  private readonly args: A;
  private readonly module: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private code: number | null = null;
  /** The error the target threw in the child, once known. */
  error: Error | undefined;

  constructor(options: ProcessOptions<A>) {
    if (typeof options.target !== 'function' || !options.target.name) throw new TypeError(messages.anonymousTarget);
    this.target = options.target;
    this.args = (options.args ?? []) as A;
    this.name = options.name ?? `Process-${++processCount}`;
    this.module = options.module !== undefined ? String(options.module) : callerModule();
  }

  /** The child's process id, once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Python's `exitcode`: null while running (or before start), the exit code after, or minus
   * the signal number if a signal ended it.
   */
  get exitCode(): number | null {
    return this.code;
  }

  isAlive(): boolean {
    return this.child !== undefined && this.code === null;
  }

  /**
   * Starts the child, and resolves once it has rebuilt its arguments: from then on its proxies
   * hold their own references, and the parent may release its own.
   */
  async start(): Promise<void> {
    if (this.child !== undefined) throw new ProcessError(messages.processStartedTwice);
    const args = whileSpawning(() => encode(prepareValue(this.args, 'args'), standaloneCodecContext));
    const child = fork(childEntry, [], {
      execArgv: childExecArgv(this.module),
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.code = code ?? -(signal ? constants.signals[signal] : 1);
        resolve();
      });
    });
    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (report: ChildReport) => {
        if (report.kind === 'ready') {
          child.channel?.unref();
          resolve();
        } else {
          this.error = rebuildError(report.error.name, report.error.message, report.error.stack);
          if (report.beforeReady) reject(this.error);
        }
      });
      child.once('exit', () => reject(this.error ?? new ProcessError(`${this.name} exited before it started`)));
      child.once('error', reject);
    });
    const start: ChildStart = {
      kind: 'start',
      name: this.name,
      module: this.module,
      exportName: this.target.name,
      args,
      authkeys: managerAuthkeys(this.args),
      connections: managerConnections(this.args),
    };
    child.send(start);
    await ready;
  }

  /** Waits for the child to end (at most `timeout` seconds). Like Python's, it never throws. */
  async join(options: { timeout?: number } = {}): Promise<void> {
    if (this.exited === undefined) throw new ProcessError(messages.processNotStarted);
    // A wait longer than setTimeout can hold (24.8 days) is a wait for the end.
    if (options.timeout === undefined || options.timeout * 1000 > 2 ** 31 - 1) return this.exited;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, options.timeout! * 1000)))]);
    clearTimeout(timer);
  }

  /** Sends SIGTERM. */
  terminate(): void {
    if (this.isAlive()) this.child!.kill('SIGTERM');
  }

  /** Sends SIGKILL. */
  kill(): void {
    if (this.isAlive()) this.child!.kill('SIGKILL');
  }
}

/** The authkeys of every manager whose proxies are among the arguments: [address, base64]. */
function managerAuthkeys(args: unknown): [string, string][] {
  const keys = new Map<string, string>();
  for (const proxy of proxiesIn(args)) {
    const authkey = authkeyFor(proxy.address);
    if (authkey !== undefined) keys.set(proxy.address, Buffer.from(authkey).toString('base64'));
  }
  return [...keys];
}

/**
 * How this process reaches every manager whose proxies are among the arguments, beyond the
 * authkey: its frame limit and TLS options (their plain-data part: a `checkServerIdentity`
 * function or a `secureContext` cannot cross to the child, which then connects without them).
 */
function managerConnections(args: unknown): [string, PortableConnection][] {
  const connections = new Map<string, PortableConnection>();
  for (const proxy of proxiesIn(args)) {
    const known = connectionOptionsFor(proxy.address);
    if (known === undefined || connections.has(proxy.address)) continue;
    if (known.maxFrameSize === undefined && known.tls === undefined) continue;
    connections.set(proxy.address, {
      ...(known.maxFrameSize === undefined ? {} : { maxFrameSize: known.maxFrameSize }),
      ...(known.tls === undefined ? {} : { tls: portableTlsOptions(known.tls).options as Record<string, unknown> }),
    });
  }
  return [...connections];
}

/** The URL of the module that called `new Process(...)`, read from the stack. */
function callerModule(): string {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  for (const line of stack) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/.exec(line.trim());
    if (!match) continue;
    const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
    if (ownCode.some((dir) => file.startsWith(dir))) continue;
    return pathToFileURL(file).href;
  }
  throw new TypeError('cannot tell which module calls new Process(); pass { module: import.meta.url }');
}

/**
 * The child runs with the parent's Node flags, plus a TypeScript loader when the target's
 * module is TypeScript and the parent has none (a test runner's own transform is not inherited).
 */
function childExecArgv(module: string): string[] {
  const execArgv = [...process.execArgv];
  const isTypeScript = /\.[cm]?tsx?$/.test(new URL(module).pathname);
  if (isTypeScript && !execArgv.some((flag) => flag.includes('tsx'))) execArgv.push('--import', tsxLoader(module));
  return execArgv;
}

function tsxLoader(module: string): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    const tsxPackage = createRequire(fileURLToPath(module)).resolve('tsx/package.json');
    return pathToFileURL(join(dirname(tsxPackage), 'dist', 'loader.mjs')).href;
  }
}
