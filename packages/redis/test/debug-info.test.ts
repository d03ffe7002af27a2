import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Manager, toToken, type DebugInfo } from '@mpts/manager';
import '@mpts/redis';
import { testLease } from './backends.js';
import { runFixture } from './child.js';
import { waitUntil } from './wait-until.js';
import { redisSkipReason, startRedisServer, type RedisServer } from './redis-server.js';

/** One of each type, in the same states on either backend. */
async function makeObjects(manager: Manager) {
  const d = await manager.dict<string, number>({ a: 1, b: 2 });
  const l = await manager.list([1, 2, 3]);
  const s = await manager.set(['x']);
  const q = await manager.queue<string>(5);
  await q.put('waiting item');
  const jq = await manager.joinableQueue<string>();
  const semaphore = await manager.semaphore(2);
  await semaphore.acquire();
  const event = await manager.event();
  const rlock = await manager.rlock();
  await rlock.acquire();
  await rlock.acquire();
  const condition = await manager.condition();
  const barrier = await manager.barrier(2);
  return [d, l, s, q, jq, semaphore, event, rlock, condition, barrier] as const;
}

/** A `str()` with what names an object or a holder (`at 0x…`, `owner=N`) left out. */
function pythonIdentity(str: string): string {
  return str.replace(/ at 0x[0-9a-f]+/g, ' at 0x…').replace(/ owner=[1-9]\d*/g, ' owner=…');
}

function byType(info: DebugInfo): Map<string, DebugInfo['objects'][number]> {
  return new Map(info.objects.map((object) => [object.typeId, object]));
}

describe.skipIf(redisSkipReason !== undefined)('debugInfo() on Redis', () => {
  let server: RedisServer;
  let url: string;
  beforeAll(async () => {
    server = await startRedisServer();
    url = `${server.url}?lease=${testLease}`;
  });
  afterAll(() => server?.stop());

  it('lists objects with their refcount, holders with their lease (Redis time) and waiters, including another process', async () => {
    await using manager = await Manager.connect(url);
    const objects = await makeObjects(manager);
    const lock = await manager.lock();
    await using holder = runFixture('lock-holder', [url, JSON.stringify(toToken(lock))]);
    expect(await holder.nextLine()).toBe('held 1');
    const event = objects[6];
    const eventWait = event.wait({ timeout: 30 });
    const lockWait = lock.acquire({ timeout: 30 });
    // Both waits are in Redis once this process's waiter ids are written there.
    await expect.poll(async () => (byType(await manager.debugInfo()).get('Lock')?.state['waiting'] as string[]).length).toBe(1);
    await expect.poll(async () => (byType(await manager.debugInfo()).get('Event')?.state['waiting'] as string[]).length).toBe(1);

    const info = await manager.debugInfo();
    const me = `${hostname()} pid ${process.pid} (session `;
    const child = `${hostname()} pid ${holder.process.pid} (session `;
    expect(info.objects.map((object) => object.id)).toEqual([...objects, lock].map((proxy) => proxy.id));
    const types = byType(info);
    expect(types.get('dict')).toEqual({ id: objects[0].id, typeId: 'dict', refcount: 1, heldBy: {}, str: "{'a': 1, 'b': 2}", state: { size: 2 } });
    expect(types.get('list')!.state).toEqual({ length: 3 });
    expect(types.get('list')!.str).toBe('[1, 2, 3]');
    expect(types.get('set')!.state).toEqual({ size: 1 });
    expect(types.get('Queue')!.state).toEqual({ size: 1, maxsize: 5, unfinished: 1, unacknowledged: 0, inHand: {}, joining: [] });
    expect(types.get('JoinableQueue')!.state).toEqual({ size: 0, maxsize: 0, unfinished: 0, unacknowledged: 0, inHand: {}, joining: [] });

    // The lock: held by the child's session (its lease in Redis time), waited for by this process.
    const lockState = types.get('Lock')!.state;
    expect(types.get('Lock')!.refcount).toBe(2);
    expect(lockState['owner']).toContain(child);
    expect(lockState['token']).toBe(1);
    expect(lockState['waiting']).toEqual([expect.stringContaining(me)]);
    expect(lockState['leaseLeftMs']).toBeGreaterThan(0);
    expect(lockState['leaseLeftMs']).toBeLessThanOrEqual(testLease * 1000);
    expect(Date.parse(lockState['leaseExpires'] as string) - Date.parse(info.backend!.time)).toBe(lockState['leaseLeftMs']);

    const rlockState = types.get('RLock')!.state;
    expect(rlockState).toMatchObject({ owner: expect.stringContaining(me), level: 2, waiting: [] });
    expect(types.get('Semaphore')!.state).toMatchObject({ value: 1, holders: { [rlockState['owner'] as string]: 1 }, waiting: [] });
    expect(types.get('Event')!.state).toEqual({ set: false, waiting: [expect.stringContaining(me)] });
    expect(types.get('Barrier')!.state).toEqual({ parties: 2, broken: false, waiting: [], runningAction: null });
    expect(types.get('Condition')!.state).toMatchObject({ lock: { owner: null, level: 0, waiting: [] }, waiting: [] });

    // Both sessions are listed as clients, with what they hold and wait for.
    const mine = info.clients.find((client) => client.label.startsWith(me))!;
    const theirs = info.clients.find((client) => client.label.startsWith(child))!;
    expect(mine).toMatchObject({ holding: 2, waiting: 2 });
    expect(theirs).toMatchObject({ holding: 1, waiting: 0 });
    expect(Date.parse(theirs.leaseExpires!)).toBeGreaterThan(Date.parse(info.backend!.time));
    expect(info.types).toContain('JoinableQueue');

    holder.send('release');
    expect(await holder.nextLine()).toBe('released');
    expect(await lockWait).toBe(true);
    await event.set();
    expect(await eventWait).toBe(true);
    await lock.release();
    for (const proxy of [...objects, lock]) proxy.releaseProxy();
  });

  it('shows the items in a consumer\'s hands that it has not acknowledged, and its lease', async () => {
    await using manager = await Manager.connect(url);
    const queue = await manager.queue<string>();
    await using consumer = runFixture('queue-consumer', [url, JSON.stringify(toToken(queue))]);
    expect(await consumer.nextLine()).toBe('waiting');
    const admin = new Redis(server.url);
    try {
      // Blocked in Redis (BLMOVE), then stopped: Redis moves the next item into its hands.
      await waitUntil(async () => /blocked_clients:1\b/.test(await admin.info('clients')));
      consumer.process.kill('SIGSTOP');
      await queue.put('in hand');
      await waitUntil(async () => /blocked_clients:0\b/.test(await admin.info('clients')));
    } finally {
      admin.disconnect();
    }
    const info = await manager.debugInfo();
    const child = `${hostname()} pid ${consumer.process.pid} (session `;
    const state = info.objects.find((object) => object.id === queue.id)!.state;
    expect(state).toMatchObject({ size: 0, unacknowledged: 1 });
    const [[holder, hand]] = Object.entries(state['inHand'] as Record<string, { items: number; leaseExpires: string }>) as [[string, { items: number; leaseExpires: string }]];
    expect(holder).toContain(child);
    expect(hand.items).toBe(1);
    expect(Date.parse(hand.leaseExpires) - Date.parse(info.backend!.time)).toBeLessThanOrEqual(testLease * 1000);
    expect(info.clients.find((client) => client.label.startsWith(child))).toMatchObject({ holding: 1 });
    consumer.process.kill('SIGKILL');
    await consumer.exited;
    // The dead consumer's item comes back once its lease lapses.
    expect(await queue.get({ timeout: testLease + 5 })).toBe('in hand');
    queue.releaseProxy();
  });

  it("has the manager's shape: every state field the manager reports for a type, but a queue's blocked callers", async () => {
    const reports: DebugInfo[] = [];
    // A namespace of its own: a killed process's references leave its objects behind in the others.
    for (const open of [() => Manager.start(), () => Manager.connect(`${url}&prefix=shape`)]) {
      await using manager = await open();
      const objects = await makeObjects(manager);
      reports.push(await manager.debugInfo());
      // The RLock and the permit held go back as the manager shuts down.
      for (const proxy of objects) proxy.releaseProxy();
    }
    const [onManager, onRedis] = reports.map(byType) as [ReturnType<typeof byType>, ReturnType<typeof byType>];
    expect([...onRedis.keys()]).toEqual([...onManager.keys()]);
    for (const [typeId, object] of onManager) {
      expect(Object.keys(onRedis.get(typeId)!).sort()).toEqual(Object.keys(object).sort());
      const missing = Object.keys(object.state).filter((key) => !(key in onRedis.get(typeId)!.state));
      expect(missing, typeId).toEqual(typeId.endsWith('Queue') ? ['getting', 'putting'] : []);
      expect(onRedis.get(typeId)!.refcount, typeId).toBe(object.refcount);
      // The same str(), Python's, but for the address (`at 0x…`: the manager numbers the
      // objects it shows, Redis uses their ids) and an RLock's owner (a client number, a pid).
      expect(pythonIdentity(onRedis.get(typeId)!.str), typeId).toBe(pythonIdentity(object.str));
    }
  });

  it('on a namespace of its own: no objects, and its own session among the clients', async () => {
    await using manager = await Manager.connect(`${server.url}?lease=${testLease}&prefix=empty`);
    const info = await manager.debugInfo();
    expect(info.objects).toEqual([]);
    expect(info.clients.map((client) => client.label)).toEqual([expect.stringContaining(`pid ${process.pid} `)]);
  });
});
