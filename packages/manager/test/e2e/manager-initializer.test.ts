import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Manager, ProcessError, ValueError } from '@mpts/manager';
import { failToStart, InitializerManager, recordStart, startFromHere } from '../fixtures/manager-initializer.js';
import { fixture, isRunning } from '../helpers.js';

const initializers = fixture('manager-initializer.ts');

/** A manager of the fixture's types; a leak test when disposed (no process or socket left). */
async function startInitialized(options: Parameters<typeof InitializerManager.start>[0]) {
  const manager = await InitializerManager.start({ register: [initializers], ...options });
  return {
    manager,
    async [Symbol.asyncDispose]() {
      const pid = manager.pid!;
      const socket = manager.address;
      await manager.shutdown();
      expect(isRunning(pid)).toBe(false);
      expect(existsSync(socket)).toBe(false);
    },
  };
}

describe('Manager.start({ initializer, initargs })', () => {
  it('runs the initializer in the manager process, with its arguments, before anything is served', async () => {
    const initargs = ['tag', 42n, new Map([[1, 'one']]), undefined];
    await using started = await startInitialized({ initializer: recordStart, initargs, initializerModule: initializers });
    const { manager } = started;
    using record = await manager.InitRecord();
    expect(await record.createdAfterInitializer()).toBe(true);
    expect(await record.get()).toEqual({ pid: manager.pid, args: initargs });
    expect(manager.pid).not.toBe(process.pid);
  });

  it('without initargs, calls it with none', async () => {
    await using started = await startInitialized({ initializer: recordStart, initializerModule: initializers });
    using record = await started.manager.InitRecord();
    expect(await record.get()).toEqual({ pid: started.manager.pid, args: [] });
  });

  it('finds the initializer in the module that calls start(), by default', async () => {
    const manager = await startFromHere();
    try {
      using record = await manager.InitRecord();
      expect(await record.get()).toEqual({ pid: manager.pid, args: ['found by default'] });
    } finally {
      await manager.shutdown();
    }
  });

  it("an initializer that is not a function is Python's TypeError, and nothing starts", async () => {
    const manager = new Manager({ initializer: 1 as never });
    await expect(manager.start()).rejects.toThrow(new TypeError('initializer must be a callable'));
    expect(manager.pid).toBeUndefined();
    await expect(Manager.start({ initializer: 'setUp' as never })).rejects.toThrow(new TypeError('initializer must be a callable'));
    // null is Python's None: no initializer.
    const plain = await Manager.start({ initializer: null });
    await plain.shutdown();
  });

  it('an initializer must be a named export of its module', async () => {
    const [anonymous] = [() => {}];
    await expect(Manager.start({ initializer: anonymous, initializerModule: initializers })).rejects.toThrow(
      new TypeError('a manager initializer must be a named function exported by its module, so the manager process can import it'),
    );
    function notExported(): void {}
    const error = await Manager.start({ initializer: notExported, initializerModule: initializers }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ProcessError);
    expect((error as Error).message).toMatch(/its initializer notExported\(\) threw TypeError: the initializer 'notExported' is not exported by/);
  });

  it('an initializer that throws: start() rejects with its error, and no process or socket is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpts-initializer-test-'));
    try {
      const pidFile = join(dir, 'pid');
      const manager = new InitializerManager({ register: [initializers], initializer: failToStart, initargs: [pidFile], initializerModule: initializers });
      const error = await manager.start().catch((e: Error) => e);
      expect(error).toBeInstanceOf(ProcessError);
      expect((error as Error).message).toBe(
        'the manager process failed to start: its initializer failToStart() threw ValueError: the initializer says no',
      );
      expect((error as Error).cause).toBeInstanceOf(ValueError);
      expect(((error as Error).cause as ValueError).remoteStack).toMatch(/failToStart/);
      // start() rejects once the manager process is gone, its socket directory with it.
      const serverPid = Number(readFileSync(pidFile, 'utf8'));
      expect(serverPid).toBeGreaterThan(0);
      expect(isRunning(serverPid)).toBe(false);
      const ownedByIt = readdirSync(tmpdir())
        .filter((name) => name.startsWith('mpts-') && existsSync(join(tmpdir(), name, 'server.pid')))
        .filter((name) => readFileSync(join(tmpdir(), name, 'server.pid'), 'utf8').includes(`mpts manager ${serverPid} `));
      expect(ownedByIt).toEqual([]);
      // As in Python, the manager is as before start(): it may start again.
      expect(manager.pid).toBeUndefined();
      await expect(manager.numberOfObjects()).rejects.toThrow(ProcessError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
