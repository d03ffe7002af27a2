import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manager, toToken } from '@mpts/manager';
import '@mpts/redis';
import { testLease } from './backends.js';
import { runFixture } from './child.js';
import { redisSkipReason, startRedisServer, type RedisServer } from './redis-server.js';
import { makeTlsFiles, type TlsFiles } from './tls-files.js';

describe.skipIf(redisSkipReason !== undefined)('rediss:// to a redis-server that serves TLS only', () => {
  let files: TlsFiles;
  let server: RedisServer;
  beforeAll(async () => {
    files = makeTlsFiles();
    server = await startRedisServer({ tls: { cert: files.cert, key: files.key, ca: files.ca } });
  });
  afterAll(async () => {
    await server?.stop();
    files?.[Symbol.dispose]();
  });

  it('connects trusting the CA given in the URL, and a child process rebuilds its proxies from the address', async () => {
    await using manager = await Manager.connect(`${server.url}?tlsCa=${encodeURIComponent(files.ca)}&lease=${testLease}`);
    expect(manager.address).toBe(`rediss://127.0.0.1:${server.port}/0?lease=${testLease}&prefix=mpts&tlsCa=${encodeURIComponent(files.ca)}`);
    const totals = await manager.dict<string, number>({ over: 1 });
    const tasks = await manager.queue<string>();
    const waiting = tasks.get({ timeout: 10 });
    await tasks.put('over TLS');
    expect(await waiting).toBe('over TLS');
    await using viaOptions = await Manager.connect(server.url, { tlsCa: files.ca, lease: testLease });
    expect(viaOptions.address).toBe(manager.address);
    await totals.setItem('again', 2);
    await using child = runFixture('dict-writer', [JSON.stringify(toToken(totals)), 'child', 'over TLS too']);
    expect(await child.nextLine()).toBe('set');
    expect(await child.exited).toEqual([0, null]);
    expect(await totals.copy()).toEqual(new Map<string, unknown>([['over', 1], ['again', 2], ['child', 'over TLS too']]));
    totals.releaseProxy();
    tasks.releaseProxy();
  });

  it("rejects a server whose certificate the given CA did not sign, with Node's TLS error", async () => {
    await expect(Manager.connect(`${server.url}?tlsCa=${encodeURIComponent(files.otherCa)}`)).rejects.toThrow(/self[- ]signed certificate in certificate chain/);
  });

  it('refuses tlsCa on a plain redis:// URL, and a CA file that is not there', async () => {
    await expect(Manager.connect(`redis://127.0.0.1:${server.port}/0?tlsCa=${encodeURIComponent(files.ca)}`)).rejects.toThrow(
      `tlsCa is for TLS connections: use rediss:// (not 'redis://127.0.0.1:${server.port}/0?tlsCa=${encodeURIComponent(files.ca)}')`,
    );
    await expect(Manager.connect(`${server.url}?tlsCa=/nonexistent/ca.pem`)).rejects.toThrow("ENOENT: no such file or directory, open '/nonexistent/ca.pem'");
  });
});
