import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Manager, QueueEmpty } from '@mpts/manager';
import '@mpts/redis';
import { normalizeAddress } from '@mpts/redis';
import { testLease } from './backends.js';
import { redisSkipReason } from './redis-server.js';
import { masterName, startRedisSentinel, type RedisSentinelSetup } from './redis-sentinel.js';
import { waitUntil } from './wait-until.js';

describe.skipIf(redisSkipReason !== undefined)('a primary, a replica and three Sentinels on loopback ports', () => {
  let setup: RedisSentinelSetup;
  beforeAll(async () => {
    setup = await startRedisSentinel(3);
  }, 30_000);
  afterAll(() => setup?.stop());

  it('reads the Sentinel URL and the options form as one address', () => {
    const hosts = setup.sentinelPorts.map((port) => `127.0.0.1:${port}`);
    expect(normalizeAddress(`${setup.url}?lease=${testLease}`)).toBe(`redis+sentinel://${hosts.join(',')}/${masterName}/0?lease=${testLease}&prefix=mpts`);
    expect(normalizeAddress(`redis://${masterName}/0`, { sentinels: hosts, lease: testLease })).toBe(normalizeAddress(`${setup.url}?lease=${testLease}`));
  });

  it('skips a Sentinel that does not answer, and rejects a master name the Sentinels do not know', async () => {
    const [port] = setup.sentinelPorts;
    await using manager = await Manager.connect(`redis+sentinel://127.0.0.1:1,127.0.0.1:${port}/${masterName}/0?lease=${testLease}`);
    const d = await manager.dict({ through: 'the second Sentinel' });
    expect(await d.getItem('through')).toBe('the second Sentinel');
    d.releaseProxy();
    await expect(Manager.connect(`redis+sentinel://127.0.0.1:${port}/nosuchmaster/0`)).rejects.toThrow(
      `no Sentinel at 127.0.0.1:${port} gave the primary of 'nosuchmaster' (last error: ERR No such master with that name)`,
    );
  });

  it('serves a dict, a queue and a lock through the Sentinel, and keeps serving them after a failover', async ({ onTestFailed }) => {
    // What the test waits for at each step, said if it fails: a timeout alone would not tell
    // which of the Sentinels, the servers or the clients never came.
    let step = 'connecting through the Sentinels';
    onTestFailed(() => console.error(`the failover test failed while ${step}`));
    await using manager = await Manager.connect(`${setup.url}?lease=${testLease}`);
    await using second = await Manager.connect(`redis://${masterName}/0`, {
      sentinels: setup.sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
      lease: testLease,
    });
    expect(second.address).toBe(manager.address);

    step = 'using the objects before the failover';
    const totals = await manager.dict<string, number>({ before: 1 });
    const tasks = await manager.queue<string>();
    const lock = await manager.lock();
    await tasks.put('first');
    expect(await tasks.get()).toBe('first');
    await lock.acquire();
    expect(lock.token).toBe(1);

    step = 'waiting for the replica to have every write';
    const oldPrimary = await setup.primaryPort();
    const before = new Redis({ host: '127.0.0.1', port: oldPrimary });
    // What was written reaches the replica before the failover (replication is asynchronous:
    // a failover can lose writes the replica had not received, see docs/scaling-out.md).
    expect(await before.call('WAIT', 1, 5000)).toBe(1);
    step = 'waiting for a get to block in the old primary';
    // A get blocked in the old primary when the failover comes.
    const waiting = tasks.get({ timeout: 30 });
    await waitUntil(async () => /blocked_clients:1\b/.test(await before.info('clients')));
    before.disconnect();

    step = "waiting for the Sentinels' +switch-master";
    const newPrimary = await setup.failover();
    expect(newPrimary).not.toBe(oldPrimary);
    expect(await setup.primaryPort()).toBe(newPrimary);

    // The same manager, its proxies and its blocking waits now reach the new primary.
    step = 'using the objects after the failover';
    expect(await totals.getItem('before')).toBe(1);
    await totals.setItem('after', 2);
    await tasks.put('after the failover');
    step = 'waiting for the get blocked across the failover';
    expect(await waiting).toBe('after the failover');
    step = 'using the objects after the failover';
    await expect(tasks.get({ timeout: 0.05 })).rejects.toBeInstanceOf(QueueEmpty);
    await lock.release();
    const viaSecond = (await second.create('Lock', [])) as typeof lock;
    await viaSecond.acquire();
    await viaSecond.release();
    expect(await lock.acquire({ timeout: 5 })).toBe(true);
    expect(lock.token).toBe(2);
    await lock.release();

    const after = new Redis({ host: '127.0.0.1', port: newPrimary });
    try {
      expect((await after.info('replication')).includes('role:master')).toBe(true);
      expect(await after.hlen(`mpts:{mpts:${totals.id}}:k`)).toBe(2);
    } finally {
      after.disconnect();
    }
    for (const proxy of [totals, tasks, lock, viaSecond]) proxy.releaseProxy();
    step = 'closing the managers';
  }, 30_000);
});
