import { ArrayServant } from './servants/array-servant.js';
import { BarrierServant } from './servants/barrier-servant.js';
import { ConditionServant } from './servants/condition-servant.js';
import { EventServant } from './servants/event-servant.js';
import { IteratorServant } from './servants/iterator-servant.js';
import { BoundedSemaphoreServant, SemaphoreServant } from './servants/semaphore-servant.js';
import { DictServant } from './servants/dict-servant.js';
import { ListServant } from './servants/list-servant.js';
import { LockServant } from './servants/lock-servant.js';
import { NamespaceServant } from './servants/namespace-servant.js';
import { QueueServant } from './servants/queue-servant.js';
import { RLockServant } from './servants/rlock-servant.js';
import { SetServant } from './servants/set-servant.js';
import { ValueServant } from './servants/value-servant.js';
import { TypeRegistry, type TypeSpecInit } from './type-registry.js';

/** Python's `SyncManager` registry: every shared type a manager serves out of the box. */
export function builtinTypes(): TypeRegistry {
  const types = new TypeRegistry();
  // Each has its own proxy class, registered under its typeId (packages/proxy/src/proxies), and
  // its servant's methods check their argument counts with Python's messages.
  const builtin = (typeId: string, init: Omit<TypeSpecInit, 'proxyTypeId' | 'checksArity'>) =>
    types.register(typeId, { ...init, proxyTypeId: typeId, checksArity: true });
  // As Python's DictProxy: `iter(d)` is a shared iterator of its own (DictServant.iter).
  builtin('dict', { create: (init?: unknown) => new DictServant(init), exposed: DictServant.exposed, methodToTypeId: { iter: 'Iterator' } });
  builtin('list', { create: (init?: unknown) => new ListServant(init), exposed: ListServant.exposed });
  builtin('set', { create: (init?: unknown) => new SetServant(init), exposed: SetServant.exposed });
  builtin('Namespace', { create: (init?: unknown) => new NamespaceServant(init), exposed: NamespaceServant.exposed });
  builtin('Value', { create: (code: unknown, value?: unknown) => new ValueServant(code, value), exposed: ValueServant.exposed });
  builtin('Array', { create: (code: unknown, init?: unknown) => new ArrayServant(code, init), exposed: ArrayServant.exposed });
  builtin('Lock', { create: () => new LockServant(), exposed: LockServant.exposed });
  builtin('RLock', { create: () => new RLockServant(), exposed: RLockServant.exposed });
  builtin('Semaphore', { create: (value?: unknown) => new SemaphoreServant(value), exposed: SemaphoreServant.exposed });
  builtin('BoundedSemaphore', { create: (value?: unknown) => new BoundedSemaphoreServant(value), exposed: BoundedSemaphoreServant.exposed });
  builtin('Condition', { create: (lock?: unknown) => new ConditionServant(lock), exposed: ConditionServant.exposed });
  builtin('Event', { create: () => new EventServant(), exposed: EventServant.exposed });
  builtin('Barrier', {
    create: (parties: unknown, hasAction?: unknown, timeout?: unknown) => new BarrierServant(parties, hasAction, timeout),
    exposed: BarrierServant.exposed,
  });
  builtin('Queue', { create: (maxsize?: unknown) => new QueueServant(maxsize), exposed: QueueServant.exposed });
  builtin('JoinableQueue', { create: (maxsize?: unknown) => new QueueServant(maxsize), exposed: QueueServant.exposed });
  // Python's `register('Iterator', proxytype=IteratorProxy, create_method=False)`: no callable,
  // it serves what `iter` of a dict returns.
  builtin('Iterator', { create: null, exposed: IteratorServant.exposed });
  return types;
}
