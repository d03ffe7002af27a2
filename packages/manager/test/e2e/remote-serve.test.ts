import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, Manager, ManagerClosedError, ManagerServer, Process, type DictProxy, type ListProxy } from '@mpts/manager';
import { queueGetInto, queuePut, useRemoteProxies } from '../fixtures/remote-clients.js';
import { RemoteTypesManager } from '../fixtures/remote-types.js';
import { fixture } from '../helpers.js';
import { startRemoteServer } from '../remote-helpers.js';
import { selfSignedCertificate } from '../tls-certificate.js';

const clients = fixture('remote-clients.ts');
const types = fixture('remote-types.ts');

describe.each([
  ['IPv4', '127.0.0.1', /^tcp:\/\/127\.0\.0\.1:\d+$/],
  ['IPv6', '::1', /^tcp:\/\/\[::1\]:\d+$/],
])('a manager served on %s', (_family, host, addressPattern) => {
  it('is used by address from this process and from child processes', async () => {
    await using server = await startRemoteServer({ host });
    expect(server.address).toMatch(addressPattern);
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    using d = await manager.dict<string, number>({ here: 1 });
    using l = await manager.list<number>();
    // The remote manager's proxies, passed to a local child: it connects by their address with
    // the authkey Process forwards.
    const p = new Process({ target: useRemoteProxies, args: [d, l], module: clients });
    await p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await d.get('child')).toBe(p.pid);
    expect(await l.copy()).toEqual([p.pid]);
    const info = await manager.debugInfo();
    expect(info.server?.addresses[0]).toMatch(addressPattern);
  });

  it('connects from { host, port, authkey } as well as from an address string', async () => {
    await using server = await startRemoteServer({ host });
    await using manager = await Manager.connect({ host, port: server.port, authkey: server.authkey });
    expect(manager.address).toBe(server.address);
    expect(await manager.numberOfObjects()).toBe(0);
  });
});

describe("Python's remote queue example", () => {
  it('one process puts through getQueue, another gets', async () => {
    await using server = await startRemoteServer({ register: [types] });
    await using manager = await RemoteTypesManager.connect(server.address, { authkey: server.authkey });
    using results = await manager.dict<string, unknown>();
    const key = server.authkey.toString('base64');
    const getter = new Process({ target: queueGetInto, args: [server.address, key, results], module: clients });
    await getter.start();
    const putter = new Process({ target: queuePut, args: [server.address, key, 'hello'], module: clients });
    await putter.start();
    await Promise.all([putter.join(), getter.join()]);
    expect([putter.exitCode, getter.exitCode]).toEqual([0, 0]);
    expect(await results.get('got')).toBe('hello');
    // Every client gets a proxy to the same queue.
    using q1 = await manager.getQueue();
    using q2 = await manager.getQueue();
    expect(q1.id).toBe(q2.id);
    await q1.put(1);
    expect(await q2.get()).toBe(1);
  });
});

describe('connecting', () => {
  it('rejects a wrong authkey with AuthenticationError, and the server carries on', async () => {
    await using server = await startRemoteServer();
    await expect(Manager.connect(server.address, { authkey: 'not the key' })).rejects.toThrow(AuthenticationError);
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    expect(await manager.numberOfObjects()).toBe(0);
  });

  it('shutdown() on a connected manager closes this side only', async () => {
    await using server = await startRemoteServer();
    const first = await Manager.connect(server.address, { authkey: server.authkey });
    const d = await first.dict();
    await first.shutdown();
    await first.shutdown();
    // Its connection, and the references it held, are gone; its proxies do not reconnect.
    await expect(d.len()).rejects.toThrow(ManagerClosedError);
    d.releaseProxy();
    await using second = await Manager.connect(server.address, { authkey: server.authkey });
    expect(await second.numberOfObjects()).toBe(0); // the first client's references went with it
  });

  it('stops gracefully on SIGINT', async () => {
    const server = await startRemoteServer({ leakCheck: false });
    const exited = new Promise<number | null>((resolve) => server.process.once('exit', (code) => resolve(code)));
    server.process.kill('SIGINT');
    expect(await exited).toBe(0);
    await server.stop();
  });

  it('refuses to serve without an authkey', async () => {
    await expect(Manager.serve({ authkey: '' })).rejects.toThrow(/authkey/);
  });

  it('warns when it binds a non-loopback address without TLS, naming the port bound', async () => {
    const warnings: string[] = [];
    const server = await Manager.serve({ host: '0.0.0.0', port: 0, authkey: 'k', warn: (m) => warnings.push(m) });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(warnings.join('\n')).toMatch(new RegExp(`WARNING: serving on tcp://0\\.0\\.0\\.0:${server.port},.*without TLS`));
      expect(warnings.join('\n')).toMatch(/clear text/);
    } finally {
      await server.close();
    }
    // 192.0.2.1 (TEST-NET-1) is never assigned: the bind fails, and nothing was exposed to warn about.
    warnings.length = 0;
    await expect(Manager.serve({ host: '192.0.2.1', port: 0, authkey: 'k', warn: (m) => warnings.push(m) })).rejects.toThrow();
    expect(warnings).toEqual([]);
  });

  it('serves from a key file, its bytes exactly', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mpts-key-')), 'key');
    writeFileSync(file, 'k\n', { mode: 0o600 });
    try {
      const server = await Manager.serve({ authkeyFile: file });
      try {
        await expect(Manager.connect(server.address, { authkey: 'k' })).rejects.toThrow(AuthenticationError);
        await using manager = await Manager.connect(server.address, { authkeyFile: file });
        expect(await manager.numberOfObjects()).toBe(0);
      } finally {
        await server.close();
      }
      await expect(Manager.serve({ authkey: 'k', authkeyFile: file })).rejects.toThrow(/not both/);
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  });

  it('serves in this process too, next to a client of it', async () => {
    await using server = await ManagerServer.start({ host: '127.0.0.1', port: 0, authkey: 'in-process' });
    await using manager = await Manager.connect(server.address, { authkey: 'in-process' });
    using l = await manager.list([1, 2]);
    using outer = await manager.list([l]);
    using inner = (await outer.getItem(0)) as ListProxy<number>;
    expect(await inner.copy()).toEqual([1, 2]);
    expect(server.numberOfObjects()).toBe(2);
  });
});

describe('TLS', () => {
  it('serves over TLS with a self-signed certificate; a plain client gets nowhere', async () => {
    const { cert, key, remove } = selfSignedCertificate();
    try {
      await using server = await startRemoteServer({ tlsCert: cert, tlsKey: key, handshakeTimeout: 0.5 });
      await using manager = await Manager.connect(server.address, { authkey: server.authkey, tls: { ca: readFileSync(cert) } });
      using d = await manager.dict<string, string>();
      await d.setItem('secret', 'over tls');
      expect(await d.getItem('secret')).toBe('over tls');
      // Without TLS the client never gets a challenge: the TLS deadline ends its connection.
      const { Connection } = await import('@mpts/proxy/wire');
      const raw = new Connection(server.address, { authkey: server.authkey });
      await expect(raw.command('ping')).rejects.toThrow();
      raw.destroy();
      // Nor does a client that does not trust the certificate.
      await expect(Manager.connect(`tcp://localhost:${server.port}`, { authkey: server.authkey, tls: true })).rejects.toThrow(/self.signed|certificate/i);
    } finally {
      remove();
    }
  });
});

void ({} as DictProxy<string, unknown>);
