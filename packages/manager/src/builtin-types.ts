import { ArrayServant } from './servants/array-servant.js';
import { BarrierServant } from './servants/barrier-servant.js';
import { ConditionServant } from './servants/condition-servant.js';
import { EventServant } from './servants/event-servant.js';
import { BoundedSemaphoreServant, SemaphoreServant } from './servants/semaphore-servant.js';
import { DictServant } from './servants/dict-servant.js';
import { ListServant } from './servants/list-servant.js';
import { LockServant } from './servants/lock-servant.js';
import { NamespaceServant } from './servants/namespace-servant.js';
import { QueueServant } from './servants/queue-servant.js';
import { RLockServant } from './servants/rlock-servant.js';
import { SetServant } from './servants/set-servant.js';
import { ValueServant } from './servants/value-servant.js';
import { TypeRegistry } from './type-registry.js';

/** Python's `SyncManager` registry: every shared type a manager serves out of the box. */
export function builtinTypes(): TypeRegistry {
  const types = new TypeRegistry();
  types.register('dict', (init?: unknown) => new DictServant(init), DictServant.exposed);
  types.register('list', (init?: unknown) => new ListServant(init), ListServant.exposed);
  types.register('set', (init?: unknown) => new SetServant(init), SetServant.exposed);
  types.register('Namespace', (init?: unknown) => new NamespaceServant(init), NamespaceServant.exposed);
  types.register('Value', (code: unknown, value?: unknown) => new ValueServant(code, value), ValueServant.exposed);
  types.register('Array', (code: unknown, init?: unknown) => new ArrayServant(code, init), ArrayServant.exposed);
  types.register('Lock', () => new LockServant(), LockServant.exposed);
  types.register('RLock', () => new RLockServant(), RLockServant.exposed);
  types.register('Semaphore', (value?: unknown) => new SemaphoreServant(value), SemaphoreServant.exposed);
  types.register('BoundedSemaphore', (value?: unknown) => new BoundedSemaphoreServant(value), BoundedSemaphoreServant.exposed);
  types.register('Condition', (lock?: unknown) => new ConditionServant(lock), ConditionServant.exposed);
  types.register('Event', () => new EventServant(), EventServant.exposed);
  types.register(
    'Barrier',
    (parties: unknown, hasAction?: unknown, timeout?: unknown) => new BarrierServant(parties, hasAction, timeout),
    BarrierServant.exposed,
  );
  types.register('Queue', (maxsize?: unknown) => new QueueServant(maxsize), QueueServant.exposed);
  types.register('JoinableQueue', (maxsize?: unknown) => new QueueServant(maxsize), QueueServant.exposed);
  return types;
}
