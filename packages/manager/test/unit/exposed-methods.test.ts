import { describe, expect, it } from 'vitest';
import {
  arrayMethods, barrierMethods, conditionMethods, dictMethods, eventMethods, iteratorMethods, listMethods, lockMethods,
  namespaceMethods, queueMethods, semaphoreMethods, setMethods, valueMethods,
} from '@mpts/proxy/wire';
import { builtinTypes } from '../../src/builtin-types.js';
import { dispatchTableOf } from '../../src/dispatch-table.js';
import type { Servant } from '../../src/servant.js';
import { IteratorServant } from '../../src/servants/iterator-servant.js';

/** Each built-in typeid's method list, as its proxy class is typed by it (exposed-methods.ts). */
const declared: Record<string, readonly string[]> = {
  dict: dictMethods,
  Iterator: iteratorMethods,
  list: listMethods,
  set: setMethods,
  Namespace: namespaceMethods,
  Value: valueMethods,
  Array: arrayMethods,
  Lock: lockMethods,
  RLock: lockMethods,
  Semaphore: semaphoreMethods,
  BoundedSemaphore: semaphoreMethods,
  Condition: conditionMethods,
  Event: eventMethods,
  Barrier: barrierMethods,
  Queue: queueMethods,
  JoinableQueue: queueMethods,
};

/** Arguments that make a servant of each type that needs some. */
const creationArgs: Record<string, unknown[]> = { Value: ['i', 0], Array: ['i', [1, 2]], Barrier: [2] };

const types = builtinTypes();

/** A servant of `typeId`; an Iterator has no factory: a dict's `iter` makes one. */
function servantOf(typeId: string): Servant {
  if (typeId === 'Iterator') return new IteratorServant(new Map());
  return types.get(typeId).create(...(creationArgs[typeId] ?? []));
}

describe('the method list of each built-in shared type', () => {
  it('is declared for every built-in type, and for no other', () => {
    expect(Object.keys(declared).sort()).toEqual(types.typeIds().sort());
  });

  it.each(Object.entries(declared))('is what a %s servant exposes, and each name is one of its methods', (typeId, methods) => {
    const spec = types.get(typeId);
    const servant = servantOf(typeId);
    expect([...spec.exposed!]).toEqual(methods);
    expect((servant.constructor as { exposed?: unknown }).exposed).toEqual(methods);
    for (const name of methods) expect(typeof (servant as unknown as Record<string, unknown>)[name], name).toBe('function');
    // The manager serves exactly these: nothing listed is missing from what a call can reach.
    expect([...dispatchTableOf(spec, servant).keys()]).toEqual(methods);
  });
});
