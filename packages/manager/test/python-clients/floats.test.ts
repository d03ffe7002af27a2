/**
 * A Python float stays a float through an mpts manager (`2.0` is not given back as `2`), and a
 * slice of a shared Array is an `array.array`: fixtures/floats.py prints the same lines on an
 * mpts manager as on CPython's own, on each CPython >= 3.12 found. Node clients on the same
 * objects keep seeing plain numbers, and what they store reaches Python as Python would have it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinObject, Manager, type DictProxy, type ManagerServer, type QueueProxy, type ValueProxy } from '@mpts/manager';
import { findPythons, pythonMissing } from './python-interpreter.js';
import { fixture, runPython } from './run-python.js';

class Shared extends Manager {}
interface Shared {
  get_dict(): Promise<DictProxy<unknown, unknown>>;
  get_queue(): Promise<QueueProxy<unknown>>;
  get_value(): Promise<ValueProxy<number>>;
}
const objects = new Map<string, object>();
for (const [typeid, type, args] of [['get_dict', 'dict', []], ['get_queue', 'Queue', []], ['get_value', 'Value', ['d', 0.5]]] as const) {
  Shared.register(typeid, () => objects.get(typeid) ?? objects.set(typeid, builtinObject(type, ...args)).get(typeid)!, { proxyType: type });
}

const pythons = findPythons();
const skip = pythonMissing(pythons);

describe.skipIf(skip !== undefined).each(pythons)('Python floats and arrays through mpts (%s)', (python) => {
  const authkey = randomBytes(32);
  let server: ManagerServer;
  let manager: Shared;
  let args: string[];
  // A Unix socket, as CPython's own manager uses by default: over TCP, CPython's client pays a
  // delayed ACK (~40 ms) for each object it creates or lets go, on either manager alike.
  const dir = mkdtempSync(join(tmpdir(), 'mpts-python-floats-'));
  beforeAll(async () => {
    server = await Shared.serve({ path: join(dir, 'manager.sock'), authkey, pythonClients: true });
    manager = await Shared.connect(server.address, { authkey });
    args = [server.address, authkey.toString('hex')];
  });
  afterAll(async () => {
    await manager.shutdown();
    await server.close();
    objects.clear();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every path a value takes prints what it prints on CPython own manager, line for line', async () => {
    const own = (await runPython(python, [fixture('floats.py')])).split('\n');
    const mpts = (await runPython(python, [fixture('floats.py'), ...args])).split('\n');
    expect(mpts).toEqual(own);
    expect(own.length).toBeGreaterThan(90);
    expect(own).toContain("float key first: dict {2.0: 'int second', True: 'float one'}");
    expect(own).toContain("array i slice: array array('i', [2, 3])");
  });

  it('Node sees plain numbers where Python stored floats, and Python reads what Node stores as Python would', async () => {
    using d = await manager.get_dict();
    using q = await manager.get_queue();
    using v = await manager.get_value();
    expect(await runPython(python, [fixture('floats_shared.py'), ...args, 'write'])).toBe('written\n');

    expect(await d.get('whole')).toBe(2);
    expect(await d.get('fraction')).toBe(2.5);
    expect(await d.get('nested')).toEqual([1, new Map([[3, [4]]])]);
    // 2.0 and 2 are one key, and Python's 3.0 key is found by Node's 3.
    expect(await d.get(3)).toBe('three');
    expect(await d.has(3)).toBe(true);
    expect(await d.str()).toBe("{'whole': 2.0, 'fraction': 2.5, 'nested': [1.0, {3.0: [4.0]}], 3.0: 'three'}");
    expect(await q.get()).toBe(5);
    expect(await v.get()).toBe(6);

    await d.set('node int', 7);
    await d.set('node fraction', 7.5);
    await d.set(3, 'node three');
    await q.put(8);
    // A float plus an int is a float, in Python: Node adds to Python's 6.0.
    expect(await v.add(1)).toBe(7);
    expect(await runPython(python, [fixture('floats_shared.py'), ...args, 'read'])).toBe(
      [
        "dict: {'whole': 2.0, 'fraction': 2.5, 'nested': [1.0, {3.0: [4.0]}], 3.0: 'node three', 'node int': 7, 'node fraction': 7.5}",
        "types: ['float', 'float', 'list', 'str', 'int', 'float']",
        'queue: int 8',
        'value: float 7.0',
        '',
      ].join('\n'),
    );
  });
});
