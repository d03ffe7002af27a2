import { fork, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Process, ProcessError, toToken, ValueError, type ListProxy } from '@mpts/manager';
import { appendMany, throwsValueError } from '../fixtures/children.js';
import { reportMain } from '../fixtures/main-guarded.js';
import { appendLater, exitsWith, passToGrandchild, runForever, throwsRangeError } from '../fixtures/process-children.js';
import { fixture, isRunning, nodeFlags, startManager, waitFor } from '../helpers.js';

describe('Process', () => {
  it('two children mutate one dict and one list at the same time, and nothing is lost', async () => {
    await using manager = await startManager();
    using l = await manager.list<string>();
    using d = await manager.dict<string, number>();
    const count = 300;
    const children = ['a', 'b'].map(
      (tag) => new Process({ target: appendMany, args: [l, d, tag, count], module: fixture('children.ts') }),
    );
    await Promise.all(children.map((child) => child.start()));
    await Promise.all(children.map((child) => child.join()));
    expect(children.map((child) => child.exitCode)).toEqual([0, 0]);
    const items = await l.copy();
    expect(items).toHaveLength(2 * count);
    const expected = ['a', 'b'].flatMap((tag) => Array.from({ length: count }, (_, i) => `${tag}-${i}`));
    expect([...items].sort()).toEqual([...expected].sort());
    // Each child's own calls stay in the order it sent them.
    for (const tag of ['a', 'b']) {
      expect(items.filter((item) => item.startsWith(`${tag}-`))).toEqual(expected.filter((item) => item.startsWith(`${tag}-`)));
    }
    expect(await d.len()).toBe(2 * count);
    expect(await d.getItem('b-299')).toBe(299);
  });

  it("a child's proxies hold their own references: the parent may release its own once start() resolves", async () => {
    await using manager = await startManager();
    using released = await manager.event();
    const baseline = await manager.numberOfObjects();
    const l = await manager.list<string>();
    const p = new Process({ target: appendLater, args: [l, released], module: fixture('process-children.ts') });
    await p.start();
    l.releaseProxy();
    // The count runs any pending collection first: the list would be gone now if the child
    // did not hold it.
    expect(await manager.numberOfObjects()).toBe(baseline + 1);
    await released.set();
    await p.join();
    expect(p.exitCode).toBe(0);
    // The child's connection closed with it, and with it the last reference (the manager sees
    // that close on its own time).
    await waitFor(async () => (await manager.numberOfObjects()) === baseline);
  });

  it('a child may hold proxies of two managers', async () => {
    await using first = await startManager();
    await using second = await startManager();
    using l = await first.list<string>();
    using d = await second.dict<string, number>();
    const p = new Process({ target: appendMany, args: [l, d, 'two', 5], module: fixture('children.ts') });
    await p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await l.len()).toBe(5);
    expect(await d.getItem('two-4')).toBe(4);
  });

  it('passes proxies on from a child to a grandchild', async () => {
    await using manager = await startManager();
    using l = await manager.list<string>();
    using d = await manager.dict<string, number>();
    const p = new Process({ target: passToGrandchild, args: [l, d], module: fixture('process-children.ts') });
    await p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await l.copy()).toEqual(['child', 'grandchild']);
    expect(await d.getItem('grandchild exit code')).toBe(0);
    const grandchildPid = await d.getItem('grandchild pid');
    expect(grandchildPid).not.toBe(p.pid);
    expect(isRunning(grandchildPid)).toBe(false);
  });

  it('a throwing target gives exit code 1 and its error, of the same class, in the parent', async () => {
    await using manager = await startManager();
    const p = new Process({ target: throwsValueError, module: fixture('children.ts') });
    await p.start();
    await p.join();
    expect(p.exitCode).toBe(1);
    expect(p.error).toBeInstanceOf(ValueError);
    expect(p.error!.message).toBe('the child says no');
    const q = new Process({ target: throwsRangeError, args: [3], module: fixture('process-children.ts') });
    await q.start();
    await q.join();
    expect(q.exitCode).toBe(1);
    expect(q.error).toBeInstanceOf(RangeError);
    expect((q.error as { remoteStack?: string }).remoteStack).toMatch(/throwsRangeError/);
  });

  it('reports the exit code the target chose', async () => {
    const p = new Process({ target: exitsWith, args: [3], module: fixture('process-children.ts') });
    await p.start().catch(() => {});
    await p.join();
    expect(p.exitCode).toBe(3);
  });

  it('join({ timeout }) returns while the child runs; terminate and kill give -SIGTERM and -SIGKILL', async () => {
    const p = new Process({ target: runForever, module: fixture('process-children.ts') });
    expect(p.isAlive()).toBe(false);
    expect(p.exitCode).toBeNull();
    await expect(p.join()).rejects.toThrow(new ProcessError('can only join a started process'));
    await p.start();
    await expect(p.start()).rejects.toThrow(new ProcessError('processes can only be started once'));
    await p.join({ timeout: 0.2 });
    expect(p.isAlive()).toBe(true);
    // A timeout too long for setTimeout still waits, here until the SIGTERM below ends the child.
    let joined = false;
    const longJoin = p.join({ timeout: 1e7 }).then(() => ((joined = true), p.isAlive()));
    // A delay setTimeout cannot hold becomes 1 ms: a timer of 1 ms set now fires after the
    // join's would have.
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(joined).toBe(false);
    expect(p.isAlive()).toBe(true);
    expect(p.exitCode).toBeNull();
    p.terminate();
    await p.join();
    expect(await longJoin).toBe(false);
    expect(p.isAlive()).toBe(false);
    expect(p.exitCode).toBe(-15);
    expect(isRunning(p.pid!)).toBe(false);

    const q = new Process({ target: runForever, module: fixture('process-children.ts') });
    await q.start();
    q.kill();
    await q.join({ timeout: 10 });
    expect(q.exitCode).toBe(-9);
  });

  it.runIf(existsSync('/proc/self/cmdline'))('never puts the authkey on a command line or in the environment', async () => {
    await using manager = await startManager();
    using l = await manager.list();
    const p = new Process({ target: runForever, args: [l], module: fixture('process-children.ts') });
    await p.start();
    try {
      const secrets = [manager.authkey.toString('base64'), manager.authkey.toString('hex'), manager.authkey.toString('latin1')];
      for (const pid of [p.pid!, manager.pid!]) {
        for (const file of ['cmdline', 'environ']) {
          const text = readFileSync(`/proc/${pid}/${file}`, 'latin1');
          for (const secret of secrets) expect(text.includes(secret)).toBe(false);
        }
      }
    } finally {
      p.kill();
      await p.join();
    }
  });

  it("re-imports the target's module without running its isMainModule block", async () => {
    await using manager = await startManager();
    using d = await manager.dict<string, boolean>();
    const p = new Process({ target: reportMain, args: [d], module: fixture('main-guarded.ts') });
    await p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await d.getItem('isMainModule in the child')).toBe(false);
    // Run as a program, the same module's main block does run.
    const program = fixture('main-guarded.ts');
    const main = spawnSync(process.execPath, [...nodeFlags(program), fileURLToPath(program)], { encoding: 'utf8' });
    expect(main.stdout).toBe('the main block ran\n');
    expect(main.status).toBe(0);
  });

  it('refuses arguments that cannot cross before starting anything', async () => {
    const p = new Process({ target: runForever, args: [() => 1] as never, module: fixture('process-children.ts') });
    await expect(p.start()).rejects.toThrow(/a function at args\[0\] cannot be sent/);
    expect(p.pid).toBeUndefined();
  });
});

describe('proxies through channels mpts does not manage (toToken / fromToken)', () => {
  it('through a child_process.fork message', async () => {
    await using manager = await startManager();
    using l = await manager.list<string>(['parent']);
    const token = toToken(l, { includeAuthkey: true });
    expect(JSON.parse(JSON.stringify(token))).toEqual(token);
    const child = fork(fileURLToPath(fixture('token-channel.mjs')), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = once(child, 'exit');
    const reply = once(child, 'message');
    child.send({ token, tag: 'forked' });
    const [{ length }] = (await reply) as [{ length: number }];
    const [code] = await exited;
    expect(code).toBe(0);
    expect(length).toBe(2);
    expect(await l.copy()).toEqual(['parent', 'forked']);
  });

  it('through a worker thread', async () => {
    await using manager = await startManager();
    using l = await manager.list<string>();
    const worker = new Worker(new URL(fixture('token-channel.mjs')), {
      workerData: { token: toToken(l as ListProxy<string>, { includeAuthkey: true }), tag: 'worker' },
    });
    // Both listeners before either wait: a worker that ends at once may report and exit in
    // one turn of the event loop, and an 'exit' listened for only after the message is missed.
    const exited = once(worker, 'exit');
    const [{ length }] = (await once(worker, 'message')) as [{ length: number }];
    const [code] = await exited;
    expect(code).toBe(0);
    expect(length).toBe(1);
    expect(await l.copy()).toEqual(['worker']);
  });

  it('a token without the authkey carries no secret', async () => {
    await using manager = await startManager();
    using l = await manager.list();
    const token = toToken(l);
    expect(token.authkey).toBeUndefined();
    expect(JSON.stringify(token)).not.toContain(manager.authkey.toString('base64'));
  });
});
