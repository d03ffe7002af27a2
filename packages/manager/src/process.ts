import { fork, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connectionPool,
  encode,
  encodeForChild,
  standaloneCodecContext,
  messages,
  portableTlsOptions,
  prepareValue,
  ProcessError,
} from '@mpts/proxy/wire';
import { callerModule } from './caller-module.js';
import { isDaemonic } from './current-process.js';
import type { ChildReport, ChildStart, PortableConnection } from './process-messages.js';
import { proxiesIn } from './proxies-in.js';
import { deserializeError } from './serialized-error.js';
import { resolvesWithin } from './resolves-within.js';
import { tsxLoader } from './tsx-loader.js';

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
  /**
   * Python's `daemon`: a daemonic child is terminated (SIGTERM) when this process exits, rather
   * than waited for, and may not start children of its own. @default false
   */
  daemon?: boolean;
}

/** Python's messages for its assertions about a `Process`'s `daemon` flag. */
const processMessages = {
  alreadyStarted: 'process has already started',
  daemonicChildren: 'daemonic processes are not allowed to have children',
} as const;

let processCount = 0;
const thisFile = fileURLToPath(import.meta.url);
const childEntry = join(dirname(thisFile), `process-child-main${extname(thisFile)}`);

/**
 * A child process running a function, as Python's `multiprocessing.Process` (DESIGN D9).
 *
 * The child re-imports the target's module (so its main block must sit behind
 * `isMainModule(import.meta)`), rebuilds the arguments (proxies reconnect to their managers and
 * authenticate with the authkey, and the TLS options of a manager served over TLS, that came
 * over the IPC channel, never on the command line),
 * and calls the target. Then the child ends as a program would: once nothing it started is
 * left (timers, servers, calls in flight), with exit code 0, or the target's own
 * `process.exitCode`; `process.exit()` in the target ends it at once. A target that throws ends
 * it with exit code 1, and the error is kept in `error`.
 */
export class Process<A extends unknown[] = unknown[]> {
  readonly name: string;
  private readonly target: (...args: A) => unknown;
  private readonly args: A;
  private readonly module: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private code: number | null = null;
  private isDaemon: boolean;
  /** How many `join()`s are waiting. */
  private joiners = 0;
  /** The error the target threw in the child, once known. */
  error: Error | undefined;

  constructor(options: ProcessOptions<A>) {
    if (typeof options.target !== 'function' || !options.target.name) throw new TypeError(messages.anonymousTarget);
    this.target = options.target;
    this.args = (options.args ?? []) as A;
    this.name = options.name ?? `Process-${++processCount}`;
    this.module = options.module !== undefined ? String(options.module) : callerModule('new Process()', 'module');
    this.isDaemon = options.daemon ?? false;
  }

  /** Python's `daemon` flag; it may only change before `start()`. */
  get daemon(): boolean {
    return this.isDaemon;
  }

  set daemon(daemonic: boolean) {
    if (this.child !== undefined) throw new ProcessError(processMessages.alreadyStarted);
    this.isDaemon = daemonic;
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
    if (isDaemonic()) throw new ProcessError(processMessages.daemonicChildren);
    const { encoded: args, carriesTransfers } = encodeForChild(() => encode(prepareValue(this.args, 'args'), standaloneCodecContext));
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
    // This process does not wait for a daemonic child at its exit: it terminates it.
    if (this.isDaemon) terminateAtExit(child);
    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (report: ChildReport) => {
        if (report.kind === 'ready') {
          child.channel?.unref();
          resolve();
        } else {
          this.error = deserializeError(report.error);
          if (report.beforeReady) reject(this.error);
        }
      });
      child.once('exit', () => reject(this.error ?? new ProcessError(messages.exitedBeforeStart(this.name))));
      child.once('error', reject);
    });
    const start: ChildStart = {
      kind: 'start',
      name: this.name,
      module: this.module,
      exportName: this.target.name,
      daemon: this.isDaemon,
      // No arguments, nothing to decode: the child then loads no codec before its target.
      ...(Array.isArray(this.args) && this.args.length === 0 ? {} : { args }),
      carriesTransfers,
      authkeys: managerAuthkeys(this.args),
      connections: managerConnections(this.args),
    };
    child.send(start);
    await ready;
  }

  /** Waits for the child to end (at most `timeout` seconds). Like Python's, it never throws. */
  async join(options: { timeout?: number } = {}): Promise<void> {
    if (this.exited === undefined) throw new ProcessError(messages.processNotStarted);
    // A daemonic child does not keep this process alive, except while someone waits for it.
    if (this.joiners++ === 0) this.child!.ref();
    try {
      if (options.timeout === undefined) await this.exited;
      else await resolvesWithin(this.exited, options.timeout * 1000);
    } finally {
      if (--this.joiners === 0 && this.isDaemon) this.child!.unref();
    }
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
    const authkey = connectionPool.authkeyFor(proxy.address);
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
    const known = connectionPool.optionsFor(proxy.address);
    if (known === undefined || connections.has(proxy.address)) continue;
    if (known.maxFrameSize === undefined && known.tls === undefined) continue;
    connections.set(proxy.address, {
      ...(known.maxFrameSize === undefined ? {} : { maxFrameSize: known.maxFrameSize }),
      ...(known.tls === undefined ? {} : { tls: portableTlsOptions(known.tls).options as Record<string, unknown> }),
    });
  }
  return [...connections];
}

/** Daemonic children still running, terminated when this process exits. */
const daemons = new Set<ChildProcess>();

/**
 * As Python's exit handler terminates daemonic children: SIGTERM to each one still running when
 * this process exits (a child whose parent was killed instead notices its IPC channel close).
 * The child no longer keeps this process alive.
 */
function terminateAtExit(child: ChildProcess): void {
  if (daemons.size === 0) process.once('exit', terminateDaemons);
  daemons.add(child);
  child.unref();
  child.once('exit', () => {
    daemons.delete(child);
    if (daemons.size === 0) process.off('exit', terminateDaemons);
  });
}

function terminateDaemons(): void {
  for (const child of daemons) child.kill('SIGTERM');
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
