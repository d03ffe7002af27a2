/**
 * One contract for what a servant keeps alive (DESIGN D5): for every built-in type, a proxy
 * stored anywhere the servant keeps values is found by the registry's reachability walk.
 */
import { describe, expect, it } from 'vitest';
import { builtinTypes } from '../../src/builtin-types.js';
import { createBuiltin } from './builtin-object.js';
import { Handoff } from '../../src/handoff.js';
import { ObjectRegistry, type ObjectEntry } from '../../src/object-registry.js';
import { ServerRef } from '../../src/server-ref.js';
import type { Servant } from '../../src/servant.js';
import { as, client, settle, track } from './sessions.js';

const types = builtinTypes();

/** The ids of the objects `entry` keeps alive. */
function heldIds(registry: ObjectRegistry, entry: ObjectEntry): number[] {
  return registry.heldBy(entry).map((ref) => ref.id).sort((a, b) => a - b);
}

type Call = (servant: any, ref: ServerRef) => unknown;

/** Where each built-in type keeps values, and a call that puts a proxy there. */
const places: [typeId: string, where: string, store: Call][] = [
  ['dict', 'a value', (d, ref) => d.setItem('k', ref)],
  ['dict', 'a tuple key', (d, ref) => d.setItem([1, ref], 'v')],
  ['list', 'an item', (l, ref) => l.append(ref)],
  ['list', 'a nested item', (l, ref) => l.append({ deep: [new Map([['k', ref]])] })],
  ['set', 'a tuple element', (s, ref) => s.add([ref])],
  ['Namespace', 'an attribute', (n, ref) => n.setattr('a', ref)],
  ['Value', 'its value', (v, ref) => v.set(ref)],
  ['Queue', 'a queued item', (q, ref) => q.put(ref)],
  ['JoinableQueue', 'a queued item', (q, ref) => q.put([ref])],
];

describe('Servant.heldValues', () => {
  for (const [typeId, where, store] of places) {
    it(`${typeId}: a proxy in ${where}`, () => {
      const registry = new ObjectRegistry('test-instance');
      const container = createBuiltin(registry, typeId, ...(typeId === 'Value' ? ['O', null] : []));
      const held = createBuiltin(registry, 'Event');
      const other = createBuiltin(registry, 'Event');
      expect(heldIds(registry, container)).toEqual([]);
      as(client(), () => store(container.servant, held.ref));
      expect(heldIds(registry, container)).toEqual([held.id]);
      expect(heldIds(registry, container)).not.toContain(other.id);
    });
  }

  it('queue: the item of a put() blocked on a full queue', async () => {
    const registry = new ObjectRegistry('test-instance');
    const queue = createBuiltin(registry, 'Queue', 1);
    const [first, blocked] = [createBuiltin(registry, 'Event'), createBuiltin(registry, 'Event')];
    const producer = client();
    as(producer, () => (queue.servant as any).put(first.ref));
    const put = track(producer, () => (queue.servant as any).put([blocked.ref]));
    await settle();
    expect(put.settled.done).toBe(false);
    expect(heldIds(registry, queue)).toEqual([first.id, blocked.id]);
  });

  it('queue: an item handed to get() and not yet acknowledged', () => {
    const registry = new ObjectRegistry('test-instance');
    const queue = createBuiltin(registry, 'Queue');
    const item = createBuiltin(registry, 'Event');
    const consumer = client();
    as(consumer, () => (queue.servant as any).put(item.ref));
    const handoff = as(consumer, () => (queue.servant as any).get()) as Handoff;
    expect(handoff).toBeInstanceOf(Handoff);
    expect(heldIds(registry, queue)).toEqual([item.id]);
    handoff.acknowledged();
    expect(heldIds(registry, queue)).toEqual([]);
  });

  it('queue: a returned hand-off goes back to the head, and is held again', () => {
    const registry = new ObjectRegistry('test-instance');
    const queue = createBuiltin(registry, 'Queue');
    const servant = queue.servant as any;
    const consumer = client();
    for (const item of ['a', 'b', 'c']) as(consumer, () => servant.put(item));
    const first = as(consumer, () => servant.get()) as Handoff;
    const second = as(consumer, () => servant.get()) as Handoff;
    second.returned();
    first.returned();
    expect(servant.getValue()).toEqual(['a', 'b', 'c']);
  });

  it("condition: the lock it was built over", () => {
    const registry = new ObjectRegistry('test-instance');
    const lock = createBuiltin(registry, 'Lock');
    const condition = createBuiltin(registry, 'Condition', lock.ref);
    expect(heldIds(registry, condition)).toEqual([lock.id]);
  });

  it('a registered type without heldValues: its own fields, into plain data only', () => {
    const registry = new ObjectRegistry('test-instance');
    const held = createBuiltin(registry, 'Event');
    const hidden = createBuiltin(registry, 'Event');
    class Custom {
      stored = [{ ref: held.ref }];
      internals = new (class Internal { ref = hidden.ref })();
    }
    const entry = registry.add({ ...types.get('dict'), typeId: 'custom' }, new Custom() as Servant);
    expect(heldIds(registry, entry)).toEqual([held.id]);
  });
});
