import { spawn, execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, Manager, type DebugInfo } from '@mpts/manager';
import { RemoteTypesManager } from '../fixtures/remote-types.js';
import { fixture, isRunning, nodeFlags } from '../helpers.js';

const cli = fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url));
const run = promisify(execFile);

let dir: string;
let keyFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mpts-cli-'));
  keyFile = join(dir, 'authkey');
  writeFileSync(keyFile, 'abracadabra');
  chmodSync(keyFile, 0o600);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `mpts serve` in its own process; resolves its address once it serves. */
async function mptsServe(args: string[], key = keyFile) {
  const child = spawn(process.execPath, [...nodeFlags(...args), cli, 'serve', '--authkey-file', key, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  // 'close': the process has exited and its output has all been read.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /serving on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`mpts serve exited with ${code}: ${err}`)));
  });
  return {
    address,
    pid: child.pid!,
    output: () => out,
    errors: () => err,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('mpts serve and mpts inspect', () => {
  it('serves registered types; inspect shows objects, refcounts, clients, holders and waiters', async () => {
    const server = await mptsServe(['--host', '127.0.0.1', '--port', '0', '--register', fileURLToPath(fixture('remote-types.ts'))]);
    try {
      expect(server.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      const manager = await RemoteTypesManager.connect(server.address, { authkey: 'abracadabra' });
      const lock = await manager.lock();
      const queue = await manager.getQueue();
      const counter = await manager.Counter(41);
      await lock.acquire();
      const abort = new AbortController();
      const waiting = lock.acquire({ signal: abort.signal }).catch(() => 'aborted');
      const getting = queue.get({ signal: abort.signal }).catch(() => 'aborted');
      await expect.poll(async () => (await manager.debugInfo()).clients[0]?.waiting).toBe(2);

      const { stdout: json } = await run(process.execPath, [cli, 'inspect', server.address, '--authkey-file', keyFile, '--json']);
      const info = JSON.parse(json) as DebugInfo;
      expect(info.server?.pid).toBe(server.pid);
      expect(info.types).toEqual(expect.arrayContaining(['dict', 'Lock', 'Counter', 'getQueue']));
      expect(info.clients).toHaveLength(1); // the inspecting connection leaves itself out
      const me = info.clients[0]!;
      expect(me.label).toContain(`pid ${process.pid}`);
      const byType = new Map(info.objects.map((o) => [o.typeId, o]));
      expect(byType.get('Lock')?.refcount).toBe(1);
      expect(byType.get('Lock')?.state).toMatchObject({ owner: me.label, waiting: [me.label] });
      expect(byType.get('Queue')?.state).toMatchObject({ getting: [me.label] });
      expect(byType.get('Counter')?.refcount).toBe(1);

      const { stdout: text } = await run(process.execPath, [cli, 'inspect', server.address, '--authkey-file', keyFile]);
      expect(text).toContain(`manager at ${server.address} (pid ${server.pid}`);
      expect(text).toMatch(/#\d+ Lock {2}refcount=1/);
      expect(text).toMatch(/owner: client \d+ \(pid \d+\)/);
      expect(text).toMatch(/#\d+ Counter {2}refcount=1/);

      abort.abort();
      expect(await Promise.all([waiting, getting])).toEqual(['aborted', 'aborted']);
      await lock.release();
      for (const proxy of [lock, queue, counter]) proxy.releaseProxy();
      await manager.shutdown();
    } finally {
      expect(await server.stop()).toBe(0);
      expect(isRunning(server.pid)).toBe(false);
    }
    expect(server.output()).toContain('mpts: stopped');
  });

  it('serves on IPv6; inspect with a wrong key fails; a clear usage error without a key file', async () => {
    const server = await mptsServe(['--host', '::1', '--port', '0']);
    try {
      expect(server.address).toMatch(/^tcp:\/\/\[::1\]:\d+$/);
      const wrongKey = join(dir, 'wrong');
      writeFileSync(wrongKey, 'wrong', { mode: 0o600 });
      await expect(run(process.execPath, [cli, 'inspect', server.address, '--authkey-file', wrongKey])).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('digest'),
      });
      await expect(run(process.execPath, [cli, 'inspect', server.address])).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('--authkey-file is required'),
      });
      await expect(Manager.connect(server.address, { authkey: 'wrong' })).rejects.toThrow(AuthenticationError);
      await using manager = await Manager.connect(server.address, { authkey: 'abracadabra' });
      expect(await manager.numberOfObjects()).toBe(0);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('refuses every malformed number with a usage error, before serving', async () => {
    const bad: [string, string][] = [
      ['--port', 'abc'], ['--port', ''], ['--port', '-1'], ['--port', '65536'], ['--port', '1.5'], ['--port', '0x10'],
      ['--max-frame-size', 'abc'], ['--max-frame-size', '0'], ['--max-frame-size', '1e6'], ['--max-frame-size', ' 8'],
      ['--handshake-timeout', 'abc'], ['--handshake-timeout', '0'], ['--handshake-timeout', 'Infinity'], ['--handshake-timeout', ''],
      ['--heartbeat-interval', 'NaN'], ['--heartbeat-interval', '-2'], ['--heartbeat-interval', '1e3'],
      ['--heartbeat-timeout', 'abc'], ['--heartbeat-timeout', '0x1'],
    ];
    await Promise.all(bad.map(async ([flag, value]) => {
      const failed = await run(process.execPath, [cli, 'serve', '--authkey-file', keyFile, `${flag}=${value}`]).then(
        () => ({ code: 0, stdout: 'served', stderr: '' }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect({ flag, value, code: failed.code, stdout: failed.stdout }).toEqual({ flag, value, code: 2, stdout: '' });
      expect(failed.stderr).toContain(`mpts: ${flag} must be`);
      expect(failed.stderr).toContain(`'${value}'`);
      expect(failed.stderr).toContain('usage:');
    }));
    // An unknown option is a usage error too.
    await expect(run(process.execPath, [cli, 'serve', '--authkey-file', keyFile, '--prot', '1'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage:'),
    });
  });

  it('accepts well-formed numbers; the warning for a non-loopback address names the port bound', async () => {
    const server = await mptsServe(['--host', '0.0.0.0', '--port', '0', '--max-frame-size', '1048576',
      '--handshake-timeout', '2.5', '--heartbeat-interval', '.5', '--heartbeat-timeout', '30']);
    const port = Number(/:(\d+)$/.exec(server.address)![1]);
    expect(port).toBeGreaterThan(0);
    try {
      await using manager = await Manager.connect(`127.0.0.1:${port}`, { authkey: 'abracadabra' });
      expect(await manager.numberOfObjects()).toBe(0);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.errors()).toContain(`WARNING: serving on tcp://0.0.0.0:${port}, reachable from other hosts`);
    expect(server.errors()).not.toContain('tcp://0.0.0.0:0');
  });

  it('a key file is its bytes, exactly, for the CLI and for authkeyFile alike', async () => {
    const withNewline = join(dir, 'key-with-newline');
    writeFileSync(withNewline, 'abracadabra\n', { mode: 0o600 });
    const server = await mptsServe(['--port', '0'], withNewline);
    try {
      await expect(Manager.connect(server.address, { authkey: 'abracadabra' })).rejects.toThrow(AuthenticationError);
      await expect(Manager.connect(server.address, { authkeyFile: keyFile })).rejects.toThrow(AuthenticationError);
      await expect(Manager.connect(server.address, { authkey: 'abracadabra', authkeyFile: withNewline })).rejects.toThrow(/not both/);
      {
        await using manager = await Manager.connect(server.address, { authkeyFile: withNewline });
        expect(await manager.numberOfObjects()).toBe(0);
      }
      {
        await using manager = await Manager.connect(server.address, { authkey: 'abracadabra\n' });
        expect(await manager.numberOfObjects()).toBe(0);
      }
      const { stdout } = await run(process.execPath, [cli, 'inspect', server.address, '--authkey-file', withNewline, '--json']);
      expect((JSON.parse(stdout) as DebugInfo).server?.pid).toBe(server.pid);
      await expect(run(process.execPath, [cli, 'inspect', server.address, '--authkey-file', keyFile])).rejects.toMatchObject({ code: 1 });
    } finally {
      expect(await server.stop()).toBe(0);
    }

    // The library serves from a key file the same way, and the CLI connects with it.
    const empty = join(dir, 'empty');
    writeFileSync(empty, '', { mode: 0o600 });
    await expect(Manager.serve({ authkeyFile: empty })).rejects.toThrow(/empty/);
    await expect(run(process.execPath, [cli, 'serve', '--authkey-file', empty])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('empty'),
    });
    const served = await Manager.serve({ authkeyFile: withNewline });
    try {
      const { stdout } = await run(process.execPath, [cli, 'inspect', served.address, '--authkey-file', withNewline, '--json']);
      expect((JSON.parse(stdout) as DebugInfo).server?.pid).toBe(process.pid);
      await expect(Manager.connect(served.address, { authkey: 'abracadabra' })).rejects.toThrow(AuthenticationError);
    } finally {
      await served.close();
    }
  });
});
