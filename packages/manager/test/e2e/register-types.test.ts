import { describe, expect, it } from 'vitest';
import { AutoProxy, Process, RemoteError, type ListProxy } from '@mpts/manager';
import { drainCountdown, incrementCounter } from '../fixtures/remote-clients.js';
import { RemoteTypesManager } from '../fixtures/remote-types.js';
import { fixture, startManager } from '../helpers.js';
import { startRemoteServer } from '../remote-helpers.js';

const clients = fixture('remote-clients.ts');
const types = fixture('remote-types.ts');

/** A forked manager that imports the module registering the types; a leak test when disposed. */
const startTypesManager = () => startManager({ register: [types] }, RemoteTypesManager);

describe('register(): your own types in a forked manager', () => {
  it('serves a user class: exposed methods through a typed proxy, nothing else', async () => {
    await using manager = await startTypesManager();
    using counter = await manager.Counter(5);
    expect(counter).toBeInstanceOf(AutoProxy);
    expect(await counter.increment()).toBe(6);
    expect(await counter.increment(10)).toBe(16);
    expect(await counter.value()).toBe(16);
    await expect(counter.callMethod('_secret')).rejects.toThrow(RemoteError);
    await expect(counter.callMethod('n')).rejects.toThrow(/not in exposed/);
    await expect(counter.callMethod('constructor')).rejects.toThrow(/not in exposed/);
    // Wrong argument counts and types: clear errors, and nothing changed.
    await expect(counter.callMethod('increment', [1, 2])).rejects.toThrow('increment() takes at most 1 argument (2 given)');
    await expect(counter.increment('x' as never)).rejects.toThrow(TypeError);
    expect(await counter.value()).toBe(16);
    expect(await counter.str()).toBe('<Counter>');
  });

  it('a constructor error is a RemoteError, as in Python', async () => {
    await using manager = await startTypesManager();
    await expect(manager.Counter('five' as never)).rejects.toThrow(RemoteError);
    // Python's callable=None: the one argument is the object; anything else is a ValueError.
    await expect(manager.create('CountdownIterator')).rejects.toThrow(/ValueError: Without callable, must have one non-keyword argument/);
    await expect(manager.create('NoSuchType')).rejects.toThrow(/unknown shared type/);
  });

  it('methodToTypeId returns a proxy to a new shared object, also in a child process (gh-99595)', async () => {
    await using manager = await startTypesManager();
    using counter = await manager.Counter(3);
    using iterator = (await counter.countdown()) as unknown as AutoProxy<{ next(): IteratorResult<number> }>;
    expect(iterator).toBeInstanceOf(AutoProxy);
    expect(await iterator.next()).toEqual({ value: 3, done: false });
    using out = await manager.list<number>();
    const p = new Process({ target: drainCountdown, args: [counter, out], module: clients });
    await p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await out.copy()).toEqual([3, 2, 1]);
    expect(await iterator.next()).toEqual({ value: 2, done: false });
  });

  it('a method is called with fewer arguments than it declares, as Python calls a registered type; more are refused', async () => {
    await using manager = await startTypesManager();
    using counter = await manager.Counter(7);
    // reset(to?: number, note?: string): both optional, though `reset.length` is 2.
    expect(await counter.reset()).toBe('reset to 0');
    expect(await counter.reset(3)).toBe('reset to 3');
    expect(await counter.reset(4, 'why')).toBe('reset to 4: why');
    // Python: TypeError, Counter.reset() takes from 1 to 3 positional arguments but 4 were given.
    const error = await counter.callMethod('reset', [1, 'x', 'extra']).then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error!.message).toBe('reset() takes at most 2 arguments (3 given)');
    expect(await counter.value()).toBe(4);
  });

  it('a registered generator: next() until it is done, next(value) as send, throw, return as close', async () => {
    await using manager = await startTypesManager();
    using count = await manager.countTo(2);
    expect(count).toBeInstanceOf(AutoProxy);
    // A generator's next has length 1; Python calls __next__ with no argument, and so does mpts.
    expect(await count.next()).toEqual({ value: 0, done: false });
    expect(await count.next()).toEqual({ value: 1, done: false });
    // JavaScript's StopIteration: done, with the generator's return value.
    expect(await count.next()).toEqual({ value: 'counted', done: true });
    expect(await count.next()).toEqual({ value: undefined, done: true });

    using echo = await manager.echo();
    expect(await echo.next()).toEqual({ value: 'ready', done: false });
    expect(await echo.next('sent')).toEqual({ value: 'sent', done: false });
    expect(await echo.throw('boom')).toEqual({ value: 'caught boom', done: false });
    expect(await echo.return('closed')).toEqual({ value: 'closed', done: true });
    expect(await echo.next('after')).toEqual({ value: undefined, done: true });
  });

  it('a registered generator with the Iterator proxy (Python\'s IteratorProxy) is iterated with for await', async () => {
    await using manager = await startTypesManager();
    const seen: number[] = [];
    for await (const n of await manager.iterateTo(3)) seen.push(n);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('a named shared object: every getQueue() is a proxy to the same queue', async () => {
    await using manager = await startTypesManager();
    using a = await manager.getQueue();
    using b = await manager.getQueue();
    expect(a.id).toBe(b.id);
    await a.put('x');
    expect(await b.get()).toBe('x');
    const info = await manager.debugInfo();
    expect(info.types).toContain('getQueue');
    expect(info.objects.find((o) => o.id === a.id)?.refcount).toBe(2);
  });
});

describe('register(): a custom type used from two processes of a served manager', () => {
  it('both processes increment one Counter living in the server', async () => {
    await using server = await startRemoteServer({ register: [types] });
    await using manager = await RemoteTypesManager.connect(server.address, { authkey: server.authkey });
    using counter = await manager.Counter(0);
    const children = [0, 1].map(() => new Process({ target: incrementCounter, args: [counter, 50], module: clients }));
    await Promise.all(children.map((p) => p.start()));
    await Promise.all(children.map((p) => p.join()));
    expect(children.map((p) => p.exitCode)).toEqual([0, 0]);
    expect(await counter.value()).toBe(100);
  });
});

void ({} as ListProxy<number>);
