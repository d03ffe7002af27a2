import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, onTestFinished } from 'vitest';
import { Manager, type ManagerOptions, type Process, type ServeOptions } from '@mpts/manager';

/**
 * A manager for one test that is also a leak test: when disposed, it checks that the server
 * holds no more shared objects than when it started, shuts the server down, and checks that the
 * server process and its socket directory are gone. What it finds is reported without hiding
 * the test's own error (see `reportAfterTest`).
 *
 * @example await using manager = await startManager();
 * @example await using manager = await startManager({ register: [module] }, MyManager);
 */
export async function startManager<M extends Manager = Manager>(
  options: ManagerOptions = {},
  /** A subclass of Manager, to serve its registered types (with `register` modules). */
  managerClass: new () => M = Manager as unknown as new () => M,
): Promise<M & AsyncDisposable> {
  // `start` is static and inherited: called on a subclass, it starts one of the subclass.
  const manager = (await (managerClass as unknown as typeof Manager).start(options)) as M;
  const baseline = await manager.numberOfObjects();
  const pid = manager.pid!;
  const socketDir = dirname(manager.address);
  const shutdown = manager.shutdown.bind(manager);
  Object.defineProperty(manager, Symbol.asyncDispose, {
    value: async () => {
      const problems: Error[] = [];
      await check(problems, () => leakCheck(manager, baseline));
      await check(problems, async () => {
        await shutdown();
        expect(isRunning(pid), 'manager process still running').toBe(false);
        expect(existsSync(socketDir), 'socket directory left behind').toBe(false);
      });
      reportAfterTest(problems);
    },
  });
  return manager;
}

/**
 * A manager served in this test process (`Manager.serve()` on a Unix socket) and reached with
 * `Manager.connect()`, for tests of what a shared object does for one client: no process to
 * fork. The same leak test as `startManager`'s when disposed; then the server closes and its
 * socket is gone. `manager.pid` is undefined; `manager.shutdown()` closes this side only.
 *
 * @example await using manager = await serveManager();
 */
export async function serveManager(options: Omit<ServeOptions, 'authkey' | 'path' | 'host' | 'port' | 'tls'> = {}): Promise<Manager & AsyncDisposable> {
  const authkey = randomBytes(32);
  const dir = mkdtempSync(join(tmpdir(), 'mpts-test-'));
  const server = await Manager.serve({ ...options, path: join(dir, 'manager.sock'), authkey });
  const manager = await Manager.connect(server.address, { authkey });
  const baseline = await manager.numberOfObjects();
  Object.defineProperty(manager, Symbol.asyncDispose, {
    value: async () => {
      const problems: Error[] = [];
      await check(problems, () => leakCheck(manager, baseline));
      await check(problems, async () => {
        await manager.shutdown();
        await server.close();
        expect(existsSync(server.address), 'socket left behind').toBe(false);
      });
      rmSync(dir, { recursive: true, force: true });
      reportAfterTest(problems);
    },
  });
  return manager;
}

/**
 * That the manager holds as many shared objects as at `baseline`. The count is exact for what
 * this connection released (the manager collects before counting); what other processes held
 * is given back when the manager sees their connections end, so a surplus is waited out for a
 * little while first.
 */
async function leakCheck(manager: Manager, baseline: number): Promise<void> {
  if ((await manager.numberOfObjects()) !== baseline) {
    await waitFor(async () => (await manager.numberOfObjects()) === baseline, 2000).catch(() => {});
  }
  expect(await manager.numberOfObjects(), 'shared objects left in the manager').toBe(baseline);
}

async function check(problems: Error[], step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    problems.push(error as Error);
  }
}

/**
 * Fails the current test with what a fixture found when cleaning up, unless the test already
 * failed: then those findings are logged beside its error, which stays the one reported (a
 * throwing `Symbol.asyncDispose` would turn it into a SuppressedError). Outside a test (a
 * fixture disposed in `afterAll`), they are thrown.
 */
export function reportAfterTest(problems: Error[]): void {
  if (problems.length === 0) return;
  const report = problems.length === 1 ? problems[0]! : new AggregateError(problems, problems.map((p) => p.message).join('; '));
  try {
    onTestFinished(({ task }) => {
      if (task.result?.state !== 'fail') throw report;
      console.warn(`[${task.name}] also found when cleaning up after the failure:\n${problems.map((p) => `  ${p.message}`).join('\n')}`);
    });
  } catch (error) {
    if (error === report) throw error;
    throw report;
  }
}

/** Polls `check` until it returns true, or rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Whether a process with this pid exists (and is not a zombie we could still reap). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The URL of a fixture module, for `new Process({ module })` or a fork: its compiled copy, which
 * starts with plain node (see vitest.fixtures.ts), or its source if it has none.
 */
export function fixture(name: string): string {
  return built(new URL(`./fixtures/${name}`, import.meta.url)).href;
}

/**
 * The JavaScript vitest's global setup compiled from the TypeScript module `source` (in the
 * package's test/dist/, mirroring the package), or `source` itself where there is none.
 */
export function built(source: URL): URL {
  const path = fileURLToPath(source);
  const match = /^(.*\/packages\/[^/]+\/)(.*)\.(m?)ts$/.exec(path);
  if (match === null) return source;
  const [, pkg, rest, m] = match as unknown as [string, string, string, string];
  const compiled = rest.startsWith('test/dist/') ? `${pkg}${rest}.${m}js` : `${pkg}test/dist/${rest}.${m}js`;
  return existsSync(compiled) ? pathToFileURL(compiled) : source;
}

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The Node flags a forked program needs: a TypeScript loader when it (or a module it is given) is TypeScript. */
export function nodeFlags(...modules: string[]): string[] {
  return modules.some((module) => /\.[cm]?tsx?$/.test(module)) ? ['--import', tsxLoader] : [];
}

/** The error `promise` rejects with; fails the test if it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to reject');
}

/** Asserts that `promise` rejects with an error of class `kind` and exactly `message`. */
export async function expectError(
  promise: Promise<unknown>,
  kind: new (...args: never[]) => Error,
  message: string,
): Promise<Error> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(kind);
  expect(error.message).toBe(message);
  return error;
}

/** `expectError` for an error raised in the manager: it also carries the server's stack. */
export async function expectRemoteError(
  promise: Promise<unknown>,
  kind: new (...args: never[]) => Error,
  message: string,
): Promise<Error> {
  const error = await expectError(promise, kind, message);
  expect((error as { remoteStack?: string }).remoteStack).toBeTypeOf('string');
  return error;
}

/** What `debugInfo()` shows of shared object `id`'s state (holders, waiters, counts). */
export async function stateOf(manager: Manager, id: number): Promise<Record<string, unknown>> {
  const info = await manager.debugInfo();
  return info.objects.find((object) => object.id === id)!.state;
}

/** SIGKILLs a child `Process` and waits until it is reaped. */
export async function killAndReap(child: Process): Promise<void> {
  child.kill();
  await child.join({ timeout: 10 });
  expect(child.exitCode).toBe(-9);
}
