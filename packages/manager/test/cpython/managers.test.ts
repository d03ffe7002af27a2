/**
 * CPython's `_TestMyManager`, `_TestRemoteManager` and `_TestManagerRestart`
 * (Lib/test/_test_multiprocessing.py), ported to `Manager.register`, `Manager.serve` (run in a
 * process of its own, as Python's `manager.start()` at a TCP address does) and
 * `Manager.connect`.
 *
 * Skipped, and why:
 * - TestManagerExceptions (test_queue_get, test_dispatch): reference cycles of Python's
 *   exceptions and its `dispatch()` internals; nothing of the kind in mpts.
 * - The serializer ('xmlrpclib') and the process's exit code: mpts has one codec (msgpack),
 *   and a Manager does not expose its server's exit code; the tests check the server process
 *   is gone instead.
 */
import { describe, expect, it } from 'vitest';
import { BaseProxy, Process, RemoteError, ValueError } from '@mpts/manager';
import { IteratorProxy, MyManager } from './fixtures/my-manager.js';
import { QueueManager, restartPutter } from './fixtures/queue-manager.js';
import { QueueManager2, remotePutter, values } from './fixtures/queue-manager2.js';
import { built, isRunning } from '../helpers.js';
import { startRemoteServer } from '../remote-helpers.js';

// The compiled copies of the fixtures when the run has them (see vitest.fixtures.ts).
const myManagerModule = built(new URL('./fixtures/my-manager.ts', import.meta.url)).href;
const queueManagerModule = built(new URL('./fixtures/queue-manager.ts', import.meta.url)).href;
const queueManager2Module = built(new URL('./fixtures/queue-manager2.ts', import.meta.url)).href;
const SHUTDOWN_TIMEOUT = 30;

describe('_TestMyManager', () => {
  async function common(manager: MyManager): Promise<void> {
    using foo = await manager.Foo();
    using bar = await manager.Bar();
    using baz = await manager.baz();

    const names = ['f', 'g', '_h'] as const;
    const has = (proxy: object, name: string) => typeof (proxy as Record<string, unknown>)[name] === 'function';
    expect(names.filter((name) => has(foo, name))).toEqual(['f', 'g']);
    expect(names.filter((name) => has(bar, name))).toEqual(['f', '_h']);

    expect(await foo.f()).toBe('f()');
    await expect(foo.g()).rejects.toBeInstanceOf(ValueError);
    expect(await foo.callMethod('f')).toBe('f()');
    await expect(foo.callMethod('_h')).rejects.toBeInstanceOf(RemoteError);

    expect(await bar.f()).toBe('f()');
    expect(await bar._h()).toBe('_h()');
    expect(await bar.callMethod('f')).toBe('f()');
    expect(await bar.callMethod('_h')).toBe('_h()');

    expect(baz).toBeInstanceOf(IteratorProxy);
    expect(baz).toBeInstanceOf(BaseProxy);
    const items: number[] = [];
    for await (const item of baz) items.push(item);
    expect(items).toEqual(Array.from({ length: 10 }, (_, i) => i * i));
  }

  /** What Python's tearDownClass checks: the server process gone after shutdown. */
  async function checkShutDown(pid: number): Promise<void> {
    expect(isRunning(pid)).toBe(false);
  }

  it('test_mymanager', async () => {
    const manager = new MyManager({ shutdownTimeout: SHUTDOWN_TIMEOUT, register: [myManagerModule] });
    await manager.start();
    const pid = manager.pid!;
    try {
      await common(manager);
      await expect.poll(() => manager.numberOfObjects()).toBe(0);
    } finally {
      await manager.shutdown();
    }
    await checkShutDown(pid);
  });

  it('test_mymanager_context', async () => {
    let pid: number;
    let outer: MyManager;
    {
      // `with MyManager() as manager:` starts it: `await using ... = await MyManager.start()`.
      await using manager = await MyManager.start({ shutdownTimeout: SHUTDOWN_TIMEOUT, register: [myManagerModule] });
      pid = manager.pid!;
      outer = manager;
      await common(manager);
      await expect.poll(() => manager.numberOfObjects()).toBe(0);
    }
    await checkShutDown(pid);
  });

  it('test_mymanager_context_prestarted', async () => {
    const manager = new MyManager({ shutdownTimeout: SHUTDOWN_TIMEOUT, register: [myManagerModule] });
    await manager.start();
    const pid = manager.pid!;
    {
      await using m = manager;
      await common(m);
      await expect.poll(() => m.numberOfObjects()).toBe(0);
    }
    await checkShutDown(pid);
  });
});

describe('_TestRemoteManager', () => {
  it('test_remote', async () => {
    // Python's QueueManager(address=(HOST, 0), authkey=os.urandom(32)).start().
    await using server = await startRemoteServer({ host: '127.0.0.1', port: 0, register: [queueManagerModule] });
    const authkey = server.authkey.toString('base64');

    const p = new Process({ target: remotePutter, args: [server.address, authkey], module: queueManager2Module });
    await p.start();

    await using manager2 = await QueueManager2.connect(server.address, { authkey: server.authkey });
    using queue = await manager2.getQueue();
    expect(await queue.get()).toEqual(values);

    // Python's xmlrpclib cannot serialize a function; neither can mpts (a TypeError before sending).
    await expect(queue.put(setTimeout)).rejects.toThrow(TypeError);

    await p.join();
    expect(p.exitCode).toBe(0);
  });
});

describe('_TestManagerRestart', () => {
  it('test_rapid_restart', async () => {
    const authkey = Buffer.alloc(32, 7);
    let port: number;
    {
      await using server = await startRemoteServer({ host: '127.0.0.1', port: 0, authkey, register: [queueManagerModule] });
      port = server.port;
      const p = new Process({ target: restartPutter, args: [server.address, authkey.toString('base64')], module: queueManagerModule });
      await p.start();
      await p.join();
      expect(p.exitCode).toBe(0);
      await using manager = await QueueManager.connect(server.address, { authkey });
      using queue = await manager.getQueue();
      expect(await queue.get()).toBe('hello world');
    }
    // A new manager at the same address starts at once (Python: no EADDRINUSE from the old
    // socket; it retries once after a second on buildbots, mpts needs no retry).
    await using again = await startRemoteServer({ host: '127.0.0.1', port, authkey, register: [queueManagerModule] });
    expect(again.port).toBe(port);
  });
});
