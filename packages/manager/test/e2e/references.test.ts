/**
 * References that cannot be lost (DESIGN D5): what a servant holds keeps its objects alive,
 * every encode and decode has its own context, and a token names its server instance.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromToken, Manager, Process, RemoteError, toToken, type DictProxy } from '@mpts/manager';
import { messages } from '@mpts/proxy/wire';
import { readUnreachableProxy } from '../fixtures/reference-children.js';
import { keepProxies } from '../fixtures/sync-children.js';
import { fixture, startManager } from '../helpers.js';

const serveHere = (authkey: Buffer, port = 0) => Manager.serve({ host: '127.0.0.1', port, authkey });

/** Two managers served in this process, each with its own key, and a client of each. */
async function twoManagersServedHere(): Promise<{ a: Manager; b: Manager } & AsyncDisposable> {
  const [keyA, keyB] = [randomBytes(32), randomBytes(32)];
  const servers = [await serveHere(keyA), await serveHere(keyB)];
  const a = await Manager.connect(servers[0]!.address, { authkey: keyA });
  const b = await Manager.connect(servers[1]!.address, { authkey: keyB });
  return {
    a,
    b,
    async [Symbol.asyncDispose]() {
      await a.shutdown();
      await b.shutdown();
      for (const server of servers) await server[Symbol.asyncDispose]();
    },
  };
}

describe('references', () => {
  it('an item waiting in a blocked put() keeps the objects it holds alive', async () => {
    await using manager = await startManager();
    using q = await manager.queue<unknown>(1);
    await q.put('first');
    const d = await manager.dict<string, string>();
    await d.setItem('k', 'v');
    const put = q.put([d]);
    await expect.poll(async () => {
      const state = (await manager.debugInfo()).objects.find((object) => object.id === q.id)!.state;
      return (state.putting as string[]).length;
    }).toBe(1);
    const objects = await manager.numberOfObjects();
    d.releaseProxy();
    // Two round trips: the release is applied, and the collection it schedules has run.
    await manager.numberOfObjects();
    expect(await manager.numberOfObjects()).toBe(objects);
    expect(await q.get()).toBe('first');
    await put;
    const [back] = (await q.get()) as [DictProxy<string, string>];
    expect(await back.getItem('k')).toBe('v');
    back.releaseProxy();
  });

  it('two managers served in one process keep their references apart', async () => {
    await using both = await twoManagersServedHere();
    const { a, b } = both;
    {
      using dA = await a.dict<string, number>();
      using dB = await b.dict<string, unknown>();
      await dB.setItem('a', dA);
      await dB.setItem('self', dB);
      using back = (await dB.getItem('a')) as DictProxy<string, number>;
      await back.setItem('k', 1);
      expect(await dA.getItem('k')).toBe(1);
      using self = (await dB.getItem('self')) as DictProxy<string, unknown>;
      expect(self.id).toBe(dB.id);
      expect(await a.numberOfObjects()).toBe(1);
      expect(await b.numberOfObjects()).toBe(1);
      await dB.clear();
    }
    await expect.poll(() => a.numberOfObjects()).toBe(0);
    await expect.poll(() => b.numberOfObjects()).toBe(0);
  });

  it('a restarted manager refuses a token of its earlier instance, though an object has its id now', async () => {
    const authkey = randomBytes(32);
    const first = await serveHere(authkey);
    const { port, address } = first;
    let token;
    {
      await using m = await Manager.connect(address, { authkey });
      using d = await m.dict<string, string>({ owner: 'first' });
      token = toToken(d);
    }
    await first[Symbol.asyncDispose]();
    await using second = await serveHere(authkey, port!);
    await using m = await Manager.connect(second.address, { authkey });
    using other = await m.dict<string, unknown>({ owner: 'second' });
    expect(other.id).toBe(token.id);
    const stale = fromToken<DictProxy<string, string>>(token);
    const refused = await stale.ready.then(() => undefined, (error: Error) => error);
    expect(refused).toBeInstanceOf(RemoteError);
    expect(refused!.message).toBe(messages.staleToken(token.id, token.instance!));
    // Sent inside a value, it is refused too, and nothing is stored.
    await expect(other.setItem('stale', stale)).rejects.toThrow(messages.staleToken(token.id, token.instance!));
    expect(await other.getItem('owner')).toBe('second');
    expect(await other.len()).toBe(1);
  });

  it('a reply holding a proxy this process cannot reach fails that call only', async () => {
    await using both = await twoManagersServedHere();
    const { a, b } = both;
    using dA = await a.dict();
    using dB = await b.dict<string, unknown>();
    await dB.setItem('elsewhere', dA);
    // The child knows only B's key: it was given only B's proxy.
    const child = new Process({ target: readUnreachableProxy, args: [dB], module: fixture('reference-children.ts') });
    await child.start();
    await child.join();
    expect(child.exitCode).toBe(0);
    expect(await dB.getItem('read')).toMatch(/^AuthenticationError: no authkey is known for the manager at tcp:\/\/127\.0\.0\.1:/);
    expect(await dB.getItem('after')).toBe(2);
    await dB.clear();
  });

  it('a proxy gives its reference back on the connection that counted it, not on a later one', async () => {
    const authkey = randomBytes(32);
    await using server = await serveHere(authkey);
    const first = await Manager.connect(server.address, { authkey });
    const d = await first.dict<string, number>();
    const token = toToken(d);
    // A child holds the dict too, so it outlives this process's first connection.
    const ready = await first.event();
    const keeper = new Process({ target: keepProxies, args: [[d], ready], module: fixture('sync-children.ts') });
    await keeper.start();
    expect(await ready.wait({ timeout: 10 })).toBe(true);
    ready.releaseProxy();
    await first.shutdown();
    await using second = await Manager.connect(server.address, { authkey });
    const again = fromToken<DictProxy<string, number>>(token);
    await again.ready;
    // `d` was counted on the first connection, which is gone: releasing it touches nothing.
    d.releaseProxy();
    await again.setItem('still', 1);
    expect(await again.getItem('still')).toBe(1);
    const refcount = async () => (await second.debugInfo()).objects.find((object) => object.id === again.id)?.refcount;
    expect(await refcount()).toBe(2);
    again.releaseProxy();
    keeper.kill();
    await keeper.join();
    await expect.poll(() => second.numberOfObjects()).toBe(0);
  });

  it('a reply that cannot be encoded counts none of the references it held', async () => {
    // A registered type whose method returns a proxy next to what cannot cross (a symbol), on a
    // class of its own: test files share their worker process, and Manager's registrations.
    class SymbolPairsManager extends Manager {}
    SymbolPairsManager.register('SymbolPairs', () => new SymbolPairs(), { createMethod: false });
    const authkey = randomBytes(32);
    await using server = await SymbolPairsManager.serve({ host: '127.0.0.1', port: 0, authkey });
    await using m = await Manager.connect(server.address, { authkey });
    {
      using pairs = await m.create('SymbolPairs', []);
      using d = await m.dict();
      const error = await pairs.callMethod('pair', [d]).then(() => undefined, (e: Error) => e);
      expect(error).toBeInstanceOf(RemoteError);
      expect(error!.message).toMatch(/^Unserializable message: /);
      const info = await m.debugInfo();
      expect(info.objects.find((object) => object.id === d.id)!.refcount).toBe(1);
    }
    await expect.poll(() => m.numberOfObjects()).toBe(0);
  });
});

class SymbolPairs {
  pair(value: unknown): unknown[] {
    return [value, Symbol('cannot cross')];
  }
}
