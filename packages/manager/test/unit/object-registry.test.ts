import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError } from '@mpts/proxy/wire';
import { builtinTypes } from '../../src/builtin-types.js';
import { createBuiltin } from './builtin-object.js';
import { ClientSession } from '../../src/client-session.js';
import { ObjectRegistry, servantOf, type ObjectEntry } from '../../src/object-registry.js';
import type { DictServant } from '../../src/servants/dict-servant.js';
import type { ListServant } from '../../src/servants/list-servant.js';

const types = builtinTypes();
const sockets: Socket[] = [];

/** A client connection as the registry sees it; its socket is never connected (nothing is sent). */
function client(): ClientSession {
  const socket = new Socket();
  sockets.push(socket);
  return new ClientSession(socket);
}

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

/** Lets the collection scheduled for the end of the tick run. */
const endOfTick = () => new Promise<void>((resolve) => setImmediate(resolve));

const ids = (registry: ObjectRegistry) => [...registry.values()].map((entry) => entry.id).sort((a, b) => a - b);

/** Stores a proxy to `held` in a dict, as the server does when a call's arguments held one. */
function storeIn(registry: ObjectRegistry, dict: ObjectEntry, key: string, held: ObjectEntry): void {
  (dict.servant as DictServant).setItem(key, held.ref);
  registry.markHoldsRefs(dict);
  registry.containerChanged(dict);
}

describe('ObjectRegistry reference counts', () => {
  it('counts per connection and survives until the last reference goes', async () => {
    const registry = new ObjectRegistry('test-instance');
    const a = client();
    const b = client();
    const dict = createBuiltin(registry, 'dict');
    registry.incref(a, dict.id);
    registry.incref(a, dict.id);
    registry.incref(b, dict.id);
    expect(dict.refcount).toBe(3);
    expect(a.refs.get(dict.id)).toBe(2);
    expect(b.refs.get(dict.id)).toBe(1);
    registry.decref(a, dict.id, 2);
    expect(a.refs.has(dict.id)).toBe(false);
    await endOfTick();
    expect(registry.find(dict.id)).toBe(dict);
    registry.decref(b, dict.id, 1);
    expect(registry.find(dict.id)).toBe(dict); // not before the end of the tick
    await endOfTick();
    expect(registry.find(dict.id)).toBeUndefined();
    expect(() => registry.get(dict.id)).toThrow(RemoteError);
  });

  it('an object nobody took a reference to yet survives the tick it was made in only', async () => {
    const registry = new ObjectRegistry('test-instance');
    const dict = createBuiltin(registry, 'dict');
    expect(registry.size).toBe(1);
    await endOfTick();
    expect(registry.find(dict.id)).toBeUndefined();
  });

  it("a decref beyond what the client holds is ignored, and cannot drop another client's references", async () => {
    const registry = new ObjectRegistry('test-instance');
    const a = client();
    const b = client();
    const dict = createBuiltin(registry, 'dict');
    registry.incref(a, dict.id);
    registry.incref(b, dict.id);
    registry.decref(a, dict.id, 5);
    expect(dict.refcount).toBe(1);
    registry.decref(a, dict.id, 1);
    registry.decref(a, dict.id, 0.5);
    registry.decref(a, dict.id, -3);
    registry.decref(a, 12345, 1);
    expect(dict.refcount).toBe(1);
    expect(b.refs.get(dict.id)).toBe(1);
    await endOfTick();
    expect(registry.find(dict.id)).toBe(dict);
  });

  it("dropClient gives back exactly that client's counts", async () => {
    const registry = new ObjectRegistry('test-instance');
    const a = client();
    const b = client();
    const shared = createBuiltin(registry, 'dict');
    const onlyA = createBuiltin(registry, 'list');
    const onlyB = createBuiltin(registry, 'list');
    for (let i = 0; i < 3; i++) registry.incref(a, shared.id);
    registry.incref(b, shared.id);
    registry.incref(a, onlyA.id);
    registry.incref(b, onlyB.id);
    registry.dropClient(a);
    expect(a.refs.size).toBe(0);
    expect(shared.refcount).toBe(1);
    await endOfTick();
    expect(ids(registry)).toEqual([shared.id, onlyB.id]);
    registry.dropClient(a); // twice is harmless
    expect(shared.refcount).toBe(1);
    registry.dropClient(b);
    await endOfTick();
    expect(registry.size).toBe(0);
  });

  it('servantOf finds a living object by its ref, and nothing once it is collected', async () => {
    const registry = new ObjectRegistry('test-instance');
    const dict = createBuiltin(registry, 'dict');
    expect(servantOf(dict.ref)).toBe(dict.servant);
    await endOfTick();
    expect(servantOf(dict.ref)).toBeUndefined();
  });
});

describe('ObjectRegistry collection by reachability', () => {
  it('an object held only inside a container a client references survives', async () => {
    const registry = new ObjectRegistry('test-instance');
    const a = client();
    const outer = createBuiltin(registry, 'dict');
    const inner = createBuiltin(registry, 'list', [1, 2]);
    const deeper = createBuiltin(registry, 'dict');
    registry.incref(a, outer.id);
    registry.incref(a, inner.id);
    storeIn(registry, outer, 'inner', inner);
    (inner.servant as ListServant).append([{ nested: deeper.ref }]);
    registry.markHoldsRefs(inner);
    registry.decref(a, inner.id, 1);
    await endOfTick();
    expect(ids(registry)).toEqual([outer.id, inner.id, deeper.id]);
    registry.dropClient(a);
    await endOfTick();
    expect(registry.size).toBe(0);
  });

  it('a cycle of containers nobody references is collected', async () => {
    const registry = new ObjectRegistry('test-instance');
    const a = client();
    const x = createBuiltin(registry, 'dict');
    const y = createBuiltin(registry, 'dict');
    const z = createBuiltin(registry, 'list');
    registry.incref(a, x.id);
    registry.incref(a, y.id);
    registry.incref(a, z.id);
    storeIn(registry, x, 'y', y);
    storeIn(registry, y, 'x', x);
    storeIn(registry, y, 'self', y);
    (z.servant as ListServant).append(x.ref);
    registry.markHoldsRefs(z);
    registry.decref(a, x.id, 1);
    registry.decref(a, y.id, 1);
    await endOfTick();
    expect(ids(registry)).toEqual([x.id, y.id, z.id]); // z still holds the cycle
    registry.decref(a, z.id, 1);
    await endOfTick();
    expect(registry.size).toBe(0);
  });

  it('an object removed from a container is collected after the next collection', async () => {
    const registry = new ObjectRegistry('test-instance');
    const a = client();
    const dict = createBuiltin(registry, 'dict');
    const held = createBuiltin(registry, 'list');
    const kept = createBuiltin(registry, 'list');
    registry.incref(a, dict.id);
    storeIn(registry, dict, 'held', held);
    storeIn(registry, dict, 'kept', kept);
    await endOfTick();
    expect(ids(registry)).toEqual([dict.id, held.id, kept.id]);
    (dict.servant as DictServant).delItem('held');
    registry.containerChanged(dict);
    expect(registry.find(held.id)).toBe(held);
    await endOfTick();
    expect(ids(registry)).toEqual([dict.id, kept.id]);
  });

  it('a container that never received a proxy keeps nothing alive', async () => {
    const registry = new ObjectRegistry('test-instance');
    const a = client();
    const dict = createBuiltin(registry, 'dict');
    const list = createBuiltin(registry, 'list');
    registry.incref(a, dict.id);
    // The ref is in its value, but the server never saw a proxy arrive in it.
    (dict.servant as DictServant).setItem('list', list.ref);
    await endOfTick();
    expect(ids(registry)).toEqual([dict.id]);
  });

  it('dispose is called on each collected servant, once, and not on survivors', async () => {
    const registry = new ObjectRegistry('test-instance');
    const a = client();
    const kept = createBuiltin(registry, 'Event');
    const dropped = createBuiltin(registry, 'Event');
    const held = createBuiltin(registry, 'Lock');
    const dict = createBuiltin(registry, 'dict');
    const disposed: number[] = [];
    for (const entry of [kept, dropped, held, dict]) {
      const servant = entry.servant as { dispose?: () => void };
      const original = servant.dispose?.bind(servant);
      servant.dispose = () => {
        disposed.push(entry.id);
        original?.();
      };
    }
    registry.incref(a, kept.id);
    registry.incref(a, dict.id);
    storeIn(registry, dict, 'lock', held);
    await endOfTick();
    expect(disposed).toEqual([dropped.id]);
    registry.decref(a, dict.id, 1);
    await endOfTick();
    expect(disposed.sort((p, q) => p - q)).toEqual([dropped.id, held.id, dict.id].sort((p, q) => p - q));
    registry.collect();
    expect(disposed).toHaveLength(3);
    expect(ids(registry)).toEqual([kept.id]);
  });
});
