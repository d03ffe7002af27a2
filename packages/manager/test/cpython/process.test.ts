/**
 * CPython's `_TestProcess` (Lib/test/_test_multiprocessing.py), ported to mpts's `Process`.
 * The queues and events that carry results are a manager's, as in Python's manager runs.
 *
 * Skipped, and why:
 * - test_current, test_parent_process, test_parent_process_attributes, test_set_executable,
 *   test_process_mainthread_native_id: mpts has no `current_process()`, `parent_process()` or
 *   `set_executable()`.
 * - test_active_children, test_sentinel, test_close: mpts's Process has no `active_children()`,
 *   `sentinel` or `close()`.
 * - test_interrupt, test_interrupt_no_handler: mpts's Process has no `interrupt()`.
 * - test_cpu_count: no `cpu_count()` in mpts (Node has `os.availableParallelism()`).
 * - test_many_processes (a `walltime` resource test), test_child_fd_inflation (fork start
 *   method specific), test_error_on_stdio_flush_*, test_forkserver_*: Python's start methods
 *   and stdio objects, which mpts does not have.
 * - test_lose_target_ref, its weakref part: a target is an exported function, not an object
 *   the Process could keep alive; the part that runs it is ported.
 */
import { describe, expect, it } from 'vitest';
import { Process, QueueEmpty } from '@mpts/manager';
import { exitWith, putArg, putFive, recursion, reportArgs, sleepSomeEvent, startPendingWork } from './fixtures/targets.js';
import { built, isRunning, startManager } from '../helpers.js';

// The compiled copy of the fixtures when the run has one (see vitest.fixtures.ts).
const targets = built(new URL('./fixtures/targets.ts', import.meta.url)).href;

describe('_TestProcess', () => {
  it('test_process', async () => {
    await using manager = await startManager();
    using q = await manager.queue(1);
    const args = [1, 2] as const;
    const kwargs = { hello: 23, bye: 2.54 };
    const name = 'SomeProcess';
    // mpts: no keyword arguments for a target; Python's kwargs go as one last argument.
    const p = new Process({ target: reportArgs, args: [q, ...args, kwargs], name, module: targets });
    p.daemon = true;
    expect(p.isAlive()).toBe(false);
    expect(p.daemon).toBe(true);
    expect(p.exitCode).toBeNull();
    expect(p.name).toBe(name);

    await p.start();
    expect(p.exitCode).toBeNull();
    expect(p.isAlive()).toBe(true);

    expect(await q.get()).toEqual([...args]);
    expect(await q.get()).toEqual(kwargs);
    // mpts: a child has no `current_process()`, so its name and authkey are not reported.
    expect(await q.get()).toBe(p.pid);

    await p.join();
    expect(p.exitCode).toBe(0);
    expect(p.isAlive()).toBe(false);
  });

  /** Python's `_kill_process(meth)`: start a child, check join() with timeouts, end it with `meth`. */
  async function killProcess(meth: (p: Process) => void): Promise<number | null> {
    await using manager = await startManager();
    using event = await manager.event();
    const p = new Process({ target: sleepSomeEvent, args: [event], module: targets });
    await p.start();
    try {
      expect(p.isAlive()).toBe(true);
      expect(p.exitCode).toBeNull();

      await p.join({ timeout: 0 });
      expect(p.isAlive()).toBe(true);
      // Python's join(-1) returns at once too.
      await p.join({ timeout: -1 });
      expect(p.isAlive()).toBe(true);

      expect(await event.wait({ timeout: 30 })).toBe(true);
      meth(p);
      await p.join({ timeout: 10 });
      expect(p.isAlive()).toBe(false);
      await p.join();
      return p.exitCode;
    } finally {
      p.kill();
      await p.join();
    }
  }

  it('test_terminate', async () => {
    expect(await killProcess((p) => p.terminate())).toBe(-15);
  });

  it('test_kill', async () => {
    expect(await killProcess((p) => p.kill())).toBe(-9);
  });

  it('test_daemon_argument', () => {
    // By default a Process takes the current process's daemon flag: this test process is not
    // a daemonic child.
    const proc0 = new Process({ target: putFive, module: targets });
    expect(proc0.daemon).toBe(false);
    const proc1 = new Process({ target: putFive, daemon: true, module: targets });
    expect(proc1.daemon).toBe(true);
    const proc2 = new Process({ target: putFive, daemon: false, module: targets });
    expect(proc2.daemon).toBe(false);
  });

  it('test_recursion', async () => {
    await using manager = await startManager();
    // mpts: a manager's queue instead of a Pipe.
    using q = await manager.queue<number[]>();
    await recursion(q, []);
    // Python sleeps DELTA, then reads what the pipe has; every child here was joined after its
    // put() resolved, so all the items are in the queue already.
    const result: number[][] = [];
    for (;;) {
      try {
        result.push(await q.getNowait());
      } catch (error) {
        if (error instanceof QueueEmpty) break;
        throw error;
      }
    }
    expect(result).toEqual([[], [0], [0, 0], [0, 1], [1], [1, 0], [1, 1]]);
  });

  it('test_args_argument', async () => {
    await using manager = await startManager();
    // Python passes `args` as a list and as a tuple; JavaScript has arrays only, and a tuple
    // arrives as an array.
    // The cases run side by side, each child with its own queue.
    await Promise.all([1, 'str', [1]].map(async (arg) => {
      using q = await manager.queue(1);
      const p = new Process({ target: putArg, args: [q, arg], module: targets });
      await p.start();
      expect(await q.get()).toEqual(arg);
      await p.join();
      expect(p.exitCode).toBe(0);
    }));
  });

  it('test_lose_target_ref', async () => {
    await using manager = await startManager();
    using q = await manager.queue<number>();
    // mpts: a target must be an exported, named function; Python's callable object is refused.
    expect(() => new Process({ target: { call: putFive } as never, args: [q], module: targets })).toThrow(TypeError);
    const p = new Process({ target: putFive, args: [q], module: targets });
    await p.start();
    await p.join();
    expect(await q.get()).toBe(5);
  });

  // A timer the target leaves is Node's non-daemon thread: the child waits for it. An unref'd
  // timer is a daemon thread: the child does not wait 20 s for it to clear the event.
  it('test_wait_for_threads', async () => {
    await using manager = await startManager();
    using evt = await manager.event();
    const proc = new Process({ target: startPendingWork, args: [evt], module: targets });
    await proc.start();
    await proc.join();
    expect(await evt.isSet()).toBe(true);
  });
});

describe('_TestSubclassingProcess', () => {
  it('test_sys_exit', async () => {
    // Python's sys.exit(True/False/8/None/()); mpts's target calls process.exit(code). Python's
    // sys.exit(reason) with a non-integer prints it and exits 1, as a throwing target does.
    const cases: [[code?: number], number][] = [[[1], 1], [[0], 0], [[8], 8], [[], 0]];
    await Promise.all(cases.map(async ([args, expected]) => {
      const p = new Process({ target: exitWith, args, module: targets });
      await p.start().catch(() => {}); // a child may exit before it reports ready
      await p.join();
      expect(p.exitCode).toBe(expected);
      expect(isRunning(p.pid!)).toBe(false);
    }));
  });
});
