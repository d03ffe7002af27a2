import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Manager, ManagerClosedError, ProcessError } from '@mpts/manager';
import { fixture, isRunning, startManager, waitFor, rejection } from '../helpers.js';

describe('Manager lifecycle', () => {
  it("refuses a second start and a start after shutdown with Python's ProcessError", async () => {
    const manager = await Manager.start();
    const pid = manager.pid!;
    const socketDir = dirname(manager.address);
    try {
      const twice = await rejection(manager.start());
      expect(twice).toBeInstanceOf(ProcessError);
      expect(twice.message).toBe('Already started server');
      expect(manager.pid).toBe(pid);
    } finally {
      await manager.shutdown();
    }
    const after = await rejection(manager.start());
    expect(after).toBeInstanceOf(ProcessError);
    expect(after.message).toBe('Manager has shut down');
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(socketDir)).toBe(false);
  });

  it('shutdown is idempotent, also when called twice at once', async () => {
    const manager = await Manager.start();
    const pid = manager.pid!;
    await Promise.all([manager.shutdown(), manager.shutdown()]);
    await manager.shutdown();
    expect(isRunning(pid)).toBe(false);
    const never = new Manager();
    await never.shutdown();
    expect((await rejection(never.start())).message).toBe('Manager has shut down');
  });

  it('proxies and factories used after shutdown reject with ManagerClosedError', async () => {
    const manager = await Manager.start();
    const d = await manager.dict<string, number>({ a: 1 });
    const l = await manager.list([1]);
    const lock = await manager.lock();
    await manager.shutdown();
    for (const call of [() => d.getItem('a'), () => d.setItem('b', 2), () => l.append(2), () => lock.acquire(), () => manager.numberOfObjects()]) {
      expect(await rejection(call())).toBeInstanceOf(ManagerClosedError);
    }
    expect(await rejection(manager.dict())).toBeInstanceOf(ManagerClosedError);
    d.releaseProxy();
    l.releaseProxy();
    lock.releaseProxy();
  });

  it('a pending blocking call rejects with ManagerClosedError when the manager shuts down', async () => {
    const manager = await Manager.start();
    const q = await manager.queue();
    const waiting = rejection(q.get());
    await manager.shutdown();
    expect(await waiting).toBeInstanceOf(ManagerClosedError);
    q.releaseProxy();
  });

  it('a manager that dies is a ManagerClosedError for pending and later calls, and shutdown still cleans up', async () => {
    const manager = await Manager.start();
    const pid = manager.pid!;
    const socketDir = dirname(manager.address);
    const q = await manager.queue();
    const waiting = rejection(q.get());
    process.kill(pid, 'SIGKILL');
    expect(await waiting).toBeInstanceOf(ManagerClosedError);
    expect(await rejection(q.qsize())).toBeInstanceOf(ManagerClosedError);
    q.releaseProxy();
    await manager.shutdown();
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(socketDir)).toBe(false);
  });

  it('await using shuts the manager down when the block throws', async () => {
    let pid = 0;
    let socketDir = '';
    const error = await rejection((async () => {
      await using manager = await Manager.start();
      pid = manager.pid!;
      socketDir = dirname(manager.address);
      using d = await manager.dict();
      await d.setItem('x', 1);
      throw new Error('the block failed');
    })());
    expect(error.message).toBe('the block failed');
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(socketDir)).toBe(false);
  });

  it('escalates to SIGTERM and SIGKILL when the server does not stop, and still removes its socket directory', async () => {
    const manager = await Manager.start({ shutdownTimeout: 0.2 });
    const pid = manager.pid!;
    const socketDir = dirname(manager.address);
    using d = await manager.dict();
    await d.setItem('x', 1);
    process.kill(pid, 'SIGSTOP');
    try {
      await manager.shutdown();
    } finally {
      // Only if shutdown failed to end it: let it run again so that it can be reaped.
      if (isRunning(pid)) {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      }
    }
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(socketDir)).toBe(false);
    expect(await rejection(d.len())).toBeInstanceOf(ManagerClosedError);
  });

  it('the manager exits and removes its socket directory when its parent is SIGKILLed', async () => {
    const parent = spawn(process.execPath, [fileURLToPath(fixture('orphan-parent.mjs'))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let serverPid = 0;
    try {
      const lines = createInterface({ input: parent.stdout! });
      const [line] = (await new Promise<string[]>((resolve, reject) => {
        lines.once('line', (text) => resolve([text]));
        parent.once('exit', (code) => reject(new Error(`the fixture exited with ${code}`)));
      }));
      const { pid, address } = JSON.parse(line!) as { pid: number; address: string };
      serverPid = pid;
      expect(isRunning(pid)).toBe(true);
      expect(existsSync(address)).toBe(true);
      const exited = new Promise((resolve) => parent.once('exit', (_code, signal) => resolve(signal)));
      parent.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      await waitFor(() => !isRunning(pid), 10_000);
      expect(existsSync(dirname(address))).toBe(false);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
      if (serverPid && isRunning(serverPid)) process.kill(serverPid, 'SIGKILL');
    }
  });

  it('numberOfObjects counts what is alive and debugInfo shows it', async () => {
    await using manager = await startManager();
    const before = await manager.numberOfObjects();
    {
      using _d = await manager.dict();
      using _l = await manager.list();
      expect(await manager.numberOfObjects()).toBe(before + 2);
      const info = await manager.debugInfo();
      expect(info.objects.map((object) => object.typeId).sort()).toEqual(['dict', 'list']);
      expect(info.objects.every((object) => object.refcount === 1)).toBe(true);
    }
    // Released on this connection, and collected before the count.
    expect(await manager.numberOfObjects()).toBe(before);
  });
});
