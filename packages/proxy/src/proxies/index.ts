import { registerProxyType } from '../proxy-types.js';
import { AcquirerProxy } from './acquirer-proxy.js';
import { ArrayProxy } from './array-proxy.js';
import { BarrierProxy } from './barrier-proxy.js';
import { ConditionProxy } from './condition-proxy.js';
import { EventProxy } from './event-proxy.js';
import { DictProxy } from './dict-proxy.js';
import { ListProxy } from './list-proxy.js';
import { SetProxy } from './set-proxy.js';
import { NamespaceProxy } from './namespace-proxy.js';
import { JoinableQueueProxy, QueueProxy } from './queue-proxy.js';
import { ValueProxy } from './value-proxy.js';

/** The proxy class of each of mpts's built-in shared types, by Python's typeid. */
registerProxyType('dict', DictProxy);
registerProxyType('list', ListProxy);
registerProxyType('set', SetProxy);
registerProxyType('Namespace', NamespaceProxy);
registerProxyType('Value', ValueProxy);
registerProxyType('Array', ArrayProxy);
registerProxyType('Lock', AcquirerProxy);
registerProxyType('RLock', AcquirerProxy);
registerProxyType('Semaphore', AcquirerProxy);
registerProxyType('BoundedSemaphore', AcquirerProxy);
registerProxyType('Condition', ConditionProxy);
registerProxyType('Event', EventProxy);
registerProxyType('Barrier', BarrierProxy);
registerProxyType('Queue', QueueProxy);
registerProxyType('JoinableQueue', JoinableQueueProxy);

export { AcquirerProxy, ArrayProxy, DictProxy, ListProxy, NamespaceProxy, QueueProxy, JoinableQueueProxy, ValueProxy };
export type { AcquireOptions, Held } from './acquirer-proxy.js';
export type { QueueWaitOptions } from './queue-proxy.js';
export { BarrierProxy, ConditionProxy, EventProxy };
export { SetProxy };
export type { SetOperand } from './set-proxy.js';
export type { BarrierAction, BarrierWaitOptions } from './barrier-proxy.js';
export type { ConditionWaitOptions } from './condition-proxy.js';
export type { EventWaitOptions } from './event-proxy.js';
