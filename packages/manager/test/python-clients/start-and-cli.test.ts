/**
 * The other ways to serve Python clients: a manager process forked by
 * `Manager.start({ pythonClients: true })` (its `pythonAddress` and `authkey` handed to Python),
 * `Manager.serve` on a Unix socket path, and `mpts serve --python-clients`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Manager } from '@mpts/manager';
import { startManager } from '../helpers.js';
import { findPythons, pythonMissing } from './python-interpreter.js';
import { fixture, runPython } from './run-python.js';

const pythons = findPythons();
const skip = pythonMissing(pythons);
const seedOutput = "{1: '1', '2': 2, 0.25: None}\n[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]\n";
const cli = fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url));

describe.skipIf(skip !== undefined)('serving Python clients', () => {
  const python = pythons[0]!;

  it('Manager.start({ pythonClients: true }) gives Python an address and key to connect with', async () => {
    await using manager = await startManager({ pythonClients: true });
    const { host, port } = manager.pythonAddress!;
    expect(host).toBe('127.0.0.1');
    expect(await runPython(python, [fixture('seed.py'), host, String(port), manager.authkey.toString('hex')])).toBe(seedOutput);
    // The manager's own clients are served as before, on its private socket.
    using d = await manager.dict([['node', 1]]);
    expect(await d.get('node')).toBe(1);
  });

  it('Manager.serve({ path, pythonClients: true }) serves Python clients at the socket path, proxies in replies included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpts-python-unix-'));
    const path = join(dir, 'manager.sock');
    const authkey = randomBytes(32);
    const server = await Manager.serve({ path, authkey, pythonClients: true });
    try {
      expect(await runPython(python, [fixture('unix_socket.py'), path, authkey.toString('hex')])).toBe('2.0 [1, 2, 3] True\n');
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a manager started without it has no Python address', async () => {
    await using manager = await startManager();
    expect(manager.pythonAddress).toBeUndefined();
  });

  it("a Python client's shutdown request stops a served manager, as it stops CPython's", async () => {
    const authkey = Buffer.from('abracadabra');
    const server = await Manager.serve({ host: '127.0.0.1', port: 0, authkey, pythonClients: true });
    try {
      expect(await runPython(python, [fixture('shutdown.py'), '127.0.0.1', String(server.port), authkey.toString('hex')])).toBe('None\n');
      await server.closed;
    } finally {
      await server.close();
    }
  });

  it('refuses Python clients over TLS, which CPython cannot speak', async () => {
    await expect(Manager.serve({ authkey: 'k', pythonClients: true, tls: { cert: 'x', key: 'y' } })).rejects.toThrow(
      "pythonClients cannot be served over TLS: CPython's manager clients do not speak it",
    );
  });

  it('mpts serve --python-clients serves Python clients on its port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpts-python-cli-'));
    try {
      const keyFile = join(dir, 'authkey');
      writeFileSync(keyFile, 'abracadabra');
      chmodSync(keyFile, 0o600);
      const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--authkey-file', keyFile, '--python-clients'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk;
            if (out.includes('\n')) resolve(out);
          });
          child.once('exit', (code) => reject(new Error(`mpts serve exited with ${code}`)));
        });
        const match = /serving on tcp:\/\/127\.0\.0\.1:(\d+) \(and Python clients\)/.exec(line);
        expect(match, line).not.toBeNull();
        const key = Buffer.from('abracadabra').toString('hex');
        expect(await runPython(python, [fixture('seed.py'), '127.0.0.1', match![1]!, key])).toBe(seedOutput);
      } finally {
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
