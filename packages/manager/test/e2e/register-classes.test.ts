import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Manager, QueueProxy, RemoteError } from '@mpts/manager';
import {
  ClientFirst,
  ExtendingManager,
  InheritingManager,
  QueueManager,
  QueueManager2,
  ServerSecond,
} from '../fixtures/registry-classes.js';
import { fixture, startManager } from '../helpers.js';

const classes = fixture('registry-classes.ts');

/** A forked manager of `managerClass`, importing the fixture; a leak test when disposed. */
const startOf = <M extends Manager>(managerClass: new () => M) => startManager({ register: [classes] }, managerClass);

describe('registrations belong to a manager class, as in Python', () => {
  it.each([
    ['registered with a factory first', QueueManager, QueueManager2],
    ['registered with a factory second', ServerSecond, ClientFirst],
  ] as const)('one typeId in two classes of one process (%s): each server serves its own class\'s', async (_order, ServerClass, ClientClass) => {
    {
      await using server = await startOf(ServerClass);
      using a = await server.getQueue();
      using b = await server.getQueue();
      expect(a).toBeInstanceOf(QueueProxy);
      await a.put('hello');
      expect(await b.get()).toBe('hello');
      // The client's class, registered without a factory, connects and gets the same queue.
      await using client = await ClientClass.connect(server.address, { authkey: server.authkey });
      using c = await client.getQueue();
      expect(c.id).toBe(a.id);
    }
    // Served by the client's class, getQueue has no factory: Python's error for callable=None.
    await using server = await startOf(ClientClass);
    const error = await server.getQueue().then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error!.message).toMatch(/ValueError: Without callable, must have one non-keyword argument/);
  });

  it('a subclass inherits its parent\'s registrations; what it adds stays its own', async () => {
    {
      await using inheriting = await startOf(InheritingManager);
      using q = await inheriting.getQueue();
      await q.put(1);
      expect(await q.qsize()).toBe(1);
      expect((await inheriting.debugInfo()).types).not.toContain('getDict');
    }
    {
      await using extending = await startOf(ExtendingManager);
      using d = await extending.getDict();
      expect(await d.getItem('answer')).toBe(42);
      using q = await extending.getQueue();
      expect(await q.qsize()).toBe(0);
    }
    await using parent = await startOf(QueueManager);
    expect((await parent.debugInfo()).types).not.toContain('getDict');
    await expect(parent.create('getDict')).rejects.toThrow("unknown shared type 'getDict'");
  });

  it('SubManager.serve() serves its own registry; its parent\'s serve() does not have its types', async () => {
    const authkey = randomBytes(32);
    {
      await using server = await ExtendingManager.serve({ port: 0, authkey });
      await using manager = await ExtendingManager.connect(server.address, { authkey });
      using d = await manager.getDict();
      expect(await d.getItem('answer')).toBe(42);
      expect((await manager.debugInfo()).types).toEqual(expect.arrayContaining(['getDict', 'getQueue']));
    }
    await using server = await QueueManager2.serve({ port: 0, authkey });
    await using manager = await QueueManager2.connect(server.address, { authkey });
    const types = (await manager.debugInfo()).types;
    expect(types).toContain('getQueue');
    expect(types).not.toContain('getDict');
    await expect(manager.getQueue()).rejects.toThrow(/Without callable/);
    expect(await manager.numberOfObjects()).toBe(0);
  });

  it('a plain Manager serves only the built-in types, whatever other classes registered', async () => {
    const authkey = randomBytes(32);
    await using server = await Manager.serve({ port: 0, authkey });
    await using manager = await Manager.connect(server.address, { authkey });
    expect((await manager.debugInfo()).types).not.toContain('getQueue');
  });

  it('given register modules that register on several classes, a plain Manager must be told which', async () => {
    // In a server process of its own: test files share their worker process, where other
    // files' classes may have registered types too.
    await expect(Manager.start({ register: [classes] })).rejects.toThrow(/several manager classes registered types/);
  });
});
