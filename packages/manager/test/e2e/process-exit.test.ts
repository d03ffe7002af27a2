import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Process, ProcessError, ValueError, type AcquirerProxy } from '@mpts/manager';
import {
  exitsWhileBusy,
  lockAfterReturn,
  runForever,
  setsExitCode,
  startsAChild,
  throwsAfterStartingWork,
  writeAfterReturn,
} from '../fixtures/process-exit-children.js';
import { fixture, isRunning, nodeFlags, startManager, waitFor } from '../helpers.js';

const children = fixture('process-exit-children.ts');

async function run(p: Process<any>): Promise<void> {
  await p.start();
  await p.join();
}

describe('a Process child ends as its program would', () => {
  it('waits for what the target left running: a write from a timer is there after join()', async () => {
    await using manager = await startManager();
    using d = await manager.dict<string, unknown>();
    const p = new Process({ target: writeAfterReturn, args: [d], module: children });
    await run(p);
    expect(p.exitCode).toBe(0);
    expect(await d.get('written after return')).toBe(p.pid);
  });

  it("closes its connections with a goodbye: a lock it took after returning stays held, as after a clean close", async () => {
    await using manager = await startManager();
    using lock = await manager.lock();
    using d = await manager.dict<string, unknown>();
    const p = new Process({ target: lockAfterReturn, args: [lock as AcquirerProxy, d], module: children });
    await run(p);
    expect(p.exitCode).toBe(0);
    expect(await d.get('locked by')).toBe(p.pid);
    // A lost client's lock would have gone to the next waiter; a clean close keeps it (DESIGN D6).
    expect(await lock.locked()).toBe(true);
    expect(await lock.acquire({ blocking: false })).toBe(false);
    await lock.release();
  });

  it("keeps the target's process.exitCode, after the work it left", async () => {
    await using manager = await startManager();
    using d = await manager.dict<string, unknown>();
    const p = new Process({ target: setsExitCode, args: [5, d], module: children });
    await run(p);
    expect(p.exitCode).toBe(5);
    expect(p.error).toBeUndefined();
    expect(await d.get('timer ran')).toBe(true);
  });

  it('process.exit(3) in the target ends the child at once, with 3', async () => {
    const p = new Process({ target: exitsWhileBusy, args: [3], module: children });
    await p.start().catch(() => {});
    await p.join({ timeout: 20 });
    expect(p.isAlive()).toBe(false);
    expect(p.exitCode).toBe(3);
    expect(p.error).toBeUndefined();
  });

  it('a throwing target: exit code 1 and its error, after the work it left', async () => {
    await using manager = await startManager();
    using d = await manager.dict<string, unknown>();
    const p = new Process({ target: throwsAfterStartingWork, args: [d], module: children });
    await run(p);
    expect(p.exitCode).toBe(1);
    expect(p.error).toBeInstanceOf(ValueError);
    expect(p.error!.message).toBe('the target gives up');
    expect(await d.get('ran after the throw')).toBe(true);
  });
});

describe('daemonic children (Python\'s daemon=True)', () => {
  it('daemon is an option and a property that may only change before start()', async () => {
    const p = new Process({ target: runForever, module: children });
    expect(p.daemon).toBe(false);
    p.daemon = true;
    expect(p.daemon).toBe(true);
    expect(new Process({ target: runForever, daemon: true, module: children }).daemon).toBe(true);
    await p.start();
    try {
      expect(() => (p.daemon = false)).toThrow(new ProcessError('process has already started'));
      expect(p.daemon).toBe(true);
    } finally {
      p.terminate();
      await p.join();
    }
    expect(p.exitCode).toBe(-15);
  });

  it('a daemonic process may not start children', async () => {
    const p = new Process({ target: startsAChild, daemon: true, module: children });
    await run(p);
    expect(p.exitCode).toBe(1);
    expect(p.error).toBeInstanceOf(ProcessError);
    expect(p.error!.message).toBe('daemonic processes are not allowed to have children');
  });

  it('is terminated when its parent exits, rather than waited for', async () => {
    const { parent, childPid } = await startParent('exit');
    try {
      const [code] = await parent.exited;
      expect(code).toBe(0);
      await waitFor(() => !isRunning(childPid), 10_000);
    } finally {
      cleanUp(parent.process, childPid);
    }
  });

  it('keeps its parent alive while the parent joins it', async () => {
    const { parent, childPid, output } = await startParent('join');
    try {
      expect(await parent.exited).toEqual([0, null]);
      expect((await output).slice(1)).toEqual([JSON.stringify({ exitCode: 0 })]);
    } finally {
      cleanUp(parent.process, childPid);
    }
  });

  it('ends itself when its parent is killed', async () => {
    const { parent, childPid } = await startParent('wait');
    try {
      expect(isRunning(childPid)).toBe(true);
      parent.process.kill('SIGKILL');
      const [, signal] = await parent.exited;
      expect(signal).toBe('SIGKILL');
      await waitFor(() => !isRunning(childPid), 10_000);
    } finally {
      cleanUp(parent.process, childPid);
    }
  });
});

/** Runs fixtures/daemon-parent.ts as a program and reads the pid of the daemonic child it started. */
async function startParent(mode: 'exit' | 'wait' | 'join') {
  const program = fixture('daemon-parent.ts');
  const child = spawn(process.execPath, [...nodeFlags(program), fileURLToPath(program), mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  const lines = createInterface({ input: child.stdout! });
  const all: string[] = [];
  lines.on('line', (text) => all.push(text));
  /** Every line, once the program's output ends. */
  const output = once(lines, 'close').then(() => all);
  const line = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    void exited.then(([code]) => reject(new Error(`the parent program exited with ${code} before starting its child`)));
  });
  const { pid } = JSON.parse(line) as { pid: number };
  return { parent: { process: child, exited }, childPid: pid, output };
}

function cleanUp(parent: ReturnType<typeof spawn>, childPid: number): void {
  if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
  if (isRunning(childPid)) process.kill(childPid, 'SIGKILL');
}
