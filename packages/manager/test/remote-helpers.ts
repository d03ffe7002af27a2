import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Manager } from '@mpts/manager';
import { fixture, isRunning, nodeFlags, reportAfterTest, waitFor } from './helpers.js';

/** What fixtures/remote-server-main.ts is told over IPC: where and how to serve. */
export interface RemoteServerStartup {
  host?: string;
  port?: number;
  path?: string;
  /** base64 */
  authkey: string;
  tlsCert?: string;
  tlsKey?: string;
  register?: string[];
  maxFrameSize?: number;
  handshakeTimeout?: number;
  maxUnauthenticated?: number;
  maxUnauthenticatedPerHost?: number;
  heartbeatInterval?: number;
  heartbeatTimeout?: number;
  maxReplyBacklog?: number;
}

export interface RemoteServerOptions extends Omit<RemoteServerStartup, 'authkey' | 'path'> {
  authkey?: Buffer;
  /** Check at the end that the server holds no shared object. @default true */
  leakCheck?: boolean;
}

export interface RemoteServer extends AsyncDisposable {
  readonly address: string;
  readonly port: number;
  readonly authkey: Buffer;
  readonly pid: number;
  readonly process: ChildProcess;
  /** What the server wrote on stderr so far. */
  stderr(): string;
  /** Sends SIGTERM and waits for a graceful exit; resolves the exit code. */
  stop(): Promise<number | null>;
}

/**
 * A manager served by `Manager.serve()` in a process of its own (as `mpts serve` would run it),
 * stopped with SIGTERM at the end of the test. Also a leak test: when disposed, it checks that
 * the server holds no shared object any more and that the process is gone.
 */
export async function startRemoteServer(options: RemoteServerOptions = {}): Promise<RemoteServer> {
  const authkey = options.authkey ?? randomBytes(32);
  const entry = fixture('remote-server-main.ts');
  const child = fork(fileURLToPath(entry), [], {
    execArgv: nodeFlags(entry, ...(options.register ?? [])),
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.send({ ...options, authkey: authkey.toString('base64') });
  const ready = await new Promise<{ address: string; port: number } | { error: string }>((resolve, reject) => {
    child.once('message', resolve as never);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} while starting:\n${stderr}`)));
  });
  if ('error' in ready) throw new Error(ready.error);
  const pid = child.pid!;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return {
    address: ready.address,
    port: ready.port,
    authkey,
    pid,
    process: child,
    stderr: () => stderr,
    stop,
    async [Symbol.asyncDispose]() {
      // What cleaning up finds fails a passing test, and is logged beside a failing test's own
      // error rather than hiding it (see reportAfterTest).
      const problems: Error[] = [];
      try {
        if (options.leakCheck !== false && child.exitCode === null) {
          const probe = await Manager.connect(ready.address, { authkey, ...(options.tlsCert ? { tls: { ca: (await import('node:fs')).readFileSync(options.tlsCert) } } : {}) });
          try {
            // Exact for this probe's own connection; other clients' closes reach the server on its own time.
            await waitFor(async () => (await probe.numberOfObjects()) === 0, 2000).catch(() => {});
            expect(await probe.numberOfObjects(), 'shared objects left in the remote manager').toBe(0);
          } finally {
            await probe.shutdown();
          }
        }
      } catch (error) {
        problems.push(error as Error);
      }
      try {
        expect(await stop(), 'the server exits cleanly on SIGTERM').toBe(0);
        expect(isRunning(pid)).toBe(false);
      } catch (error) {
        problems.push(error as Error);
      }
      reportAfterTest(problems);
    },
  };
}
