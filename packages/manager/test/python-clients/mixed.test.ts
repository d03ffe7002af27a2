/**
 * A Node process and a CPython process on the same objects at once, through one mpts manager:
 * a dict both write, a counter both increment under one lock, a queue Python fills and Node
 * drains, an event Node sets for Python, a condition Python waits on and Node notifies; and a
 * killed Python client's lock is released.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinObject, Manager, type DictProxy, type EventProxy, type AcquirerProxy, type ConditionProxy, type ManagerServer, type QueueProxy } from '@mpts/manager';
import { findPythons, pythonMissing } from './python-interpreter.js';
import { fixture } from './run-python.js';

class Shared extends Manager {}
interface Shared {
  get_dict(): Promise<DictProxy<string, number>>;
  get_queue(): Promise<QueueProxy<number | null>>;
  get_lock(): Promise<AcquirerProxy>;
  get_event(): Promise<EventProxy>;
  get_condition(): Promise<ConditionProxy>;
}
// Every client, Node or Python, gets the same four objects by these typeids.
const objects = new Map<string, object>();
for (const [typeid, type] of [['get_dict', 'dict'], ['get_queue', 'Queue'], ['get_lock', 'Lock'], ['get_event', 'Event'], ['get_condition', 'Condition']] as const) {
  Shared.register(typeid, () => objects.get(typeid) ?? objects.set(typeid, builtinObject(type)).get(typeid)!, { proxyType: type });
}

const pythons = findPythons();
const skip = pythonMissing(pythons);

/** Starts a Python process; `lines` yields what it prints, line by line. */
function startPython(python: string, args: string[]): { child: ChildProcess; line: () => Promise<string>; exit: Promise<number | null> } {
  const child = spawn(python, [fixture('mixed.py'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, line: async () => String((await lines.next()).value) };
}

describe.skipIf(skip !== undefined)('Node and CPython on one manager', () => {
  const python = pythons[0]!;
  const authkey = randomBytes(32);
  let server: ManagerServer;
  let manager: Shared;
  let args: string[];
  beforeAll(async () => {
    server = await Shared.serve({ host: '127.0.0.1', port: 0, authkey, pythonClients: true });
    manager = await Shared.connect(server.address, { authkey });
    args = ['127.0.0.1', String(server.port), authkey.toString('hex')];
  });
  afterAll(async () => {
    await manager.shutdown();
    await server.close();
  });

  it('share a dict, a lock, a queue, an event and a condition with nothing lost', async () => {
    using d = await manager.get_dict();
    using q = await manager.get_queue();
    using lock = await manager.get_lock();
    using event = await manager.get_event();
    await d.set('count', 0);
    const py = startPython(python, [...args, 'share']);
    expect(await py.line()).toBe('ready');
    await event.set();
    // Node does the same as Python, at the same time, then drains what Python queued.
    for (let i = 0; i < 200; i++) {
      await d.set(`node${i}`, i);
      await lock.acquire();
      try {
        await d.set('count', (await d.get('count'))! + 1);
      } finally {
        await lock.release();
      }
    }
    const received: number[] = [];
    // A timeout, so that a Python process that failed fails the test instead of hanging it.
    for (let item = await q.get({ timeout: 20 }); item !== null; item = await q.get({ timeout: 20 })) received.push(item);
    expect(await py.line()).toBe('done');
    using condition = await manager.get_condition();
    expect(await py.line()).toBe('waiting');
    await condition.acquire();
    try {
      await d.set('go', 1);
      await condition.notifyAll();
    } finally {
      await condition.release();
    }
    expect(await py.line()).toBe('condition True');
    expect(await py.exit).toBe(0);
    expect(received).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(await d.get('count')).toBe(400);
    expect(await d.len()).toBe(402);
    expect(await d.get('py199')).toBe(199);
  });

  it('a killed Python client releases the lock it held, as a killed Node client does', async () => {
    using lock = await manager.get_lock();
    const py = startPython(python, [...args, 'hold']);
    expect(await py.line()).toBe('held');
    expect(await lock.acquire({ blocking: false })).toBe(false);
    py.child.kill('SIGKILL');
    await py.exit;
    expect(await lock.acquire({ timeout: 10 })).toBe(true);
    await lock.release();
  });
});
