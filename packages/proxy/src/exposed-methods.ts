/**
 * The methods each built-in shared type exposes (Python's `_exposed_`), by typeid: the one list
 * its servant serves (`static readonly exposed`, and the manager refuses any other name) and
 * its proxy class may call (`BaseProxy.callExposed` takes only these names, so a misspelt one does not
 * compile). These are wire names: renaming one breaks every client and manager already
 * deployed. A unit test checks that each servant implements its list.
 */

/** `dict` (`DictProxy`, `DictServant`). `iter` returns a shared `Iterator`. */
export const dictMethods = [
  'getItem', 'setItem', 'delItem', 'contains', 'len', 'get', 'pop', 'popitem', 'setdefault',
  'update', 'clear', 'copy', 'keys', 'values', 'items', 'delete', 'iter',
] as const;
export type DictMethod = (typeof dictMethods)[number];

/** `Iterator`, what a dict's `iter` returns (`IteratorProxy`, `IteratorServant`). */
export const iteratorMethods = ['next'] as const;
export type IteratorMethod = (typeof iteratorMethods)[number];

/** `list` (`ListProxy`, `ListServant`). */
export const listMethods = [
  'getItem', 'setItem', 'delItem', 'getSlice', 'setSlice', 'delSlice', 'len', 'contains',
  'append', 'extend', 'insert', 'pop', 'remove', 'index', 'count', 'reverse', 'sort', 'concat',
  'repeat', 'imul', 'copy', 'clear',
] as const;
export type ListMethod = (typeof listMethods)[number];

/** `set` (`SetProxy`, `SetServant`). */
export const setMethods = [
  'add', 'discard', 'remove', 'pop', 'clear', 'copy', 'len', 'contains', 'delete',
  'update', 'differenceUpdate', 'intersectionUpdate', 'symmetricDifferenceUpdate',
  'union', 'intersection', 'difference', 'symmetricDifference',
  'isdisjoint', 'issubset', 'issuperset',
] as const;
export type SetMethod = (typeof setMethods)[number];

/** `Namespace` (`NamespaceProxy`, `NamespaceServant`). */
export const namespaceMethods = ['getattr', 'setattr', 'delattr', 'hasattr', 'snapshot'] as const;
export type NamespaceMethod = (typeof namespaceMethods)[number];

/** `Value` (`ValueProxy`, `ValueServant`). */
export const valueMethods = ['get', 'set', 'add'] as const;
export type ValueMethod = (typeof valueMethods)[number];

/** `Array` (`ArrayProxy`, `ArrayServant`). */
export const arrayMethods = ['len', 'getItem', 'setItem', 'getSlice'] as const;
export type ArrayMethod = (typeof arrayMethods)[number];

/** `Lock` and `RLock` (`AcquirerProxy`; `LockServant`, `RLockServant`). */
export const lockMethods = ['acquire', 'release', 'locked'] as const;
export type LockMethod = (typeof lockMethods)[number];

/**
 * `Semaphore` and `BoundedSemaphore` (`AcquirerProxy`; `SemaphoreServant`,
 * `BoundedSemaphoreServant`). A semaphore has no `locked`: the manager refuses it.
 */
export const semaphoreMethods = ['acquire', 'release'] as const;
export type SemaphoreMethod = (typeof semaphoreMethods)[number];

/** `Condition` (`ConditionProxy`, `ConditionServant`): its lock's methods and its own. */
export const conditionMethods = ['acquire', 'release', 'locked', 'wait', 'notify', 'notifyAll'] as const;
export type ConditionMethod = (typeof conditionMethods)[number];

/** `Event` (`EventProxy`, `EventServant`). */
export const eventMethods = ['isSet', 'set', 'clear', 'wait'] as const;
export type EventMethod = (typeof eventMethods)[number];

/**
 * `Barrier` (`BarrierProxy`, `BarrierServant`). `actionDone` is not Python's: the proxy whose
 * `wait` filled the barrier calls it after running the action, which cannot run in the manager.
 */
export const barrierMethods = ['wait', 'abort', 'reset', 'parties', 'nWaiting', 'broken', 'actionDone'] as const;
export type BarrierMethod = (typeof barrierMethods)[number];

/**
 * `Queue` and `JoinableQueue` (`QueueProxy`, `JoinableQueueProxy`; `QueueServant`). One list for
 * both, as in Python, whose manager serves `task_done` and `join` on a plain `Queue` too.
 */
export const queueMethods = ['put', 'get', 'qsize', 'empty', 'full', 'taskDone', 'join'] as const;
export type QueueMethod = (typeof queueMethods)[number];
