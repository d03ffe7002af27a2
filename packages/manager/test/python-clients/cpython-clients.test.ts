/**
 * Unmodified CPython programs on an mpts manager (`pythonClients: true`) print what they print
 * on CPython's own SyncManager: the seed program (a child process fills a dict and reverses a
 * list) and a behaviour script over every SyncManager type, on each CPython >= 3.12 found.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manager, type ManagerServer } from '@mpts/manager';
import { findPythons, pythonMissing } from './python-interpreter.js';
import { fixture, runPython } from './run-python.js';

const pythons = findPythons();
const skip = pythonMissing(pythons);

describe.skipIf(skip !== undefined).each(pythons)('CPython clients (%s)', (python) => {
  const authkey = randomBytes(32);
  let server: ManagerServer;
  let address: string[];
  // The behaviour script also runs on a Unix socket, as CPython's own manager does by default:
  // over TCP, CPython's client pays a delayed ACK (~40 ms) for each object it creates or lets
  // go (a new connection whose last two writes wait on each other), on either manager alike.
  let local: ManagerServer;
  let localAddress: string[];
  const dir = mkdtempSync(join(tmpdir(), 'mpts-cpython-clients-'));
  beforeAll(async () => {
    server = await Manager.serve({ host: '127.0.0.1', port: 0, authkey, pythonClients: true });
    address = ['127.0.0.1', String(server.port), authkey.toString('hex')];
    local = await Manager.serve({ path: join(dir, 'manager.sock'), authkey, pythonClients: true });
    localAddress = [join(dir, 'manager.sock'), authkey.toString('hex')];
  });
  afterAll(async () => {
    await server.close();
    await local.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the seed program prints what it prints on CPython own manager', async () => {
    const own = await runPython(python, [fixture('seed.py')]);
    expect(own).toBe("{1: '1', '2': 2, 0.25: None}\n[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]\n");
    expect(await runPython(python, [fixture('seed.py'), ...address])).toBe(own);
  });

  it('every SyncManager type behaves as on CPython own manager, line for line', async () => {
    const own = (await runPython(python, [fixture('behaviour.py')])).split('\n');
    const mpts = (await runPython(python, [fixture('behaviour.py'), ...localAddress])).split('\n');
    expect(mpts).toEqual(own);
    expect(own.length).toBeGreaterThan(70);
  });

  it('Python proxies give their references back: the manager holds no object afterwards', async () => {
    await runPython(python, [fixture('behaviour.py'), ...localAddress]);
    // The proxies' finalizers decref as the program ends; the last arrive just after it exits.
    await expect.poll(() => local.server.objects.size, { timeout: 5000 }).toBe(0);
  });

  it('a value mpts cannot hold is a TypeError on the Python side, the connection goes on, and the manager reports its objects', async () => {
    const out = await runPython(python, [fixture('unsupported.py'), ...address]);
    expect(out).toBe(
      [
        "TypeError: global 'builtins.len' is not allowed: an mpts manager rebuilds only plain values, tokens and proxies",
        "TypeError: global 'datetime.date' is not allowed: an mpts manager rebuilds only plain values, tokens and proxies",
        "after: {'ok': 1}",
        'objects: 1',
        'debug info names the dict: True',
        '',
      ].join('\n'),
    );
  });
});
