import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manager, toToken, type DebugInfo } from '@mpts/manager';
import '@mpts/redis';
import { runFixture } from '../../redis/test/child.js';
import { redisSkipReason, startRedisServer, type RedisServer } from '../../redis/test/redis-server.js';

const cli = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const run = promisify(execFile);

describe.skipIf(redisSkipReason !== undefined)('mpts inspect redis://', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.stop());

  it('shows the objects, their holders in other processes and the waiters, as text and as JSON', async () => {
    const url = `${server.url}?lease=2`;
    await using manager = await Manager.connect(url);
    const totals = await manager.dict<string, number>({ a: 1 });
    const lock = await manager.lock();
    await using holder = runFixture('lock-holder', [url, JSON.stringify(toToken(lock))]);
    expect(await holder.nextLine()).toBe('held 1');
    const waiting = lock.acquire({ timeout: 30 });
    await expect.poll(async () => ((await manager.debugInfo()).objects[1]!.state['waiting'] as string[]).length).toBe(1);
    const me = `${hostname()} pid ${process.pid} (session `;
    const child = `${hostname()} pid ${holder.process.pid} (session `;

    const { stdout: json } = await run(process.execPath, [cli, 'inspect', server.url, '--json']);
    const info = JSON.parse(json) as DebugInfo;
    expect(info.objects.map(({ id, typeId, refcount }) => ({ id, typeId, refcount }))).toEqual([
      { id: totals.id, typeId: 'dict', refcount: 1 },
      { id: lock.id, typeId: 'Lock', refcount: 2 },
    ]);
    const lockState = info.objects[1]!.state;
    expect(lockState['owner']).toContain(child);
    expect(lockState['waiting']).toEqual([expect.stringContaining(me)]);
    // The inspecting process leaves its own session out.
    expect(info.clients).toHaveLength(2);
    expect(info.clients.map((client) => client.label)).toEqual(expect.arrayContaining([expect.stringContaining(child), expect.stringContaining(me)]));

    const { stdout: text } = await run(process.execPath, [cli, 'inspect', server.url]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Redis-backed mpts at redis://127\\.0\\.0\\.1:${server.port}/0\\?lease=15&prefix=mpts \\(server time \\d{4}-\\d\\d-\\d\\dT`));
    expect(lines).toContain(`  #${totals.id} dict  refcount=1`);
    expect(lines).toContain("    {'a': 1}");
    expect(lines).toContain(`  #${lock.id} Lock  refcount=2`);
    expect(lines.find((line) => line.startsWith('    owner: '))).toContain(child);
    expect(lines.find((line) => line.startsWith('    waiting: '))).toContain(me);
    expect(lines.find((line) => line.startsWith(`  ${child}`))).toMatch(/: holds in 1 object, 0 waiting calls, lease until \d{4}-/);
    expect(lines.find((line) => line.startsWith(`  ${me}`))).toMatch(/: holds in 0 objects, 1 waiting call, lease until /);

    holder.send('release');
    expect(await holder.nextLine()).toBe('released');
    expect(await waiting).toBe(true);
    await lock.release();
    totals.releaseProxy();
    lock.releaseProxy();
  });

  it('refuses an authkey file for a Redis URL, and reports a server it cannot reach', async () => {
    const refused = await run(process.execPath, [cli, 'inspect', server.url, '--authkey-file', '/dev/null']).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 2 });
    expect((refused as { stderr: string }).stderr).toMatch(/^mpts: --authkey-file is for a manager: Redis checks its own users/);
    const unreachable = await run(process.execPath, [cli, 'inspect', 'redis://127.0.0.1:1/0']).catch((error: { code: number; stderr: string }) => error);
    expect(unreachable).toMatchObject({ code: 1, stderr: 'mpts: connect ECONNREFUSED 127.0.0.1:1\n' });
  });
});
