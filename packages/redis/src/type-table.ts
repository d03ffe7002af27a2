import type { SharedType } from './shared-type.js';
import { arrayType } from './types/array.js';
import { barrierType } from './types/barrier.js';
import { conditionType } from './types/condition.js';
import { dictType } from './types/dict.js';
import { eventType } from './types/event.js';
import { iteratorType } from './types/iterator.js';
import { listType } from './types/list.js';
import { lockType } from './types/lock.js';
import { namespaceType } from './types/namespace.js';
import { queueType } from './types/queue.js';
import { semaphoreType } from './types/semaphore.js';
import { setType } from './types/set.js';
import { valueType } from './types/value.js';

/** typeId → its implementation on Redis: the one table of the types this backend serves. */
export const sharedTypes = new Map<string, SharedType>();

for (const type of [dictType, listType, setType, namespaceType, valueType, arrayType, queueType, lockType, semaphoreType, eventType, conditionType, barrierType, iteratorType]) {
  for (const typeId of type.typeIds) sharedTypes.set(typeId, type);
}
