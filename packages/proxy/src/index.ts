export {
  MptsError,
  KeyError,
  IndexError,
  ValueError,
  RuntimeError,
  AttributeError,
  OverflowError,
  OSError,
  FileExistsError,
  FileNotFoundError,
  PermissionError,
  StructError,
  RecursionError,
  MemoryError,
  NotImplementedError,
  StopIteration,
  QueueEmpty,
  QueueFull,
  BrokenBarrierError,
  ProcessError,
  AuthenticationError,
  RemoteError,
  ManagerClosedError,
  ConnectionRefusedError,
  ProxyReleasedError,
  ProtocolError,
  ObjectDeletedError,
  CancelledError,
  registerErrorClass,
} from './errors.js';
export { BaseProxy } from './base-proxy.js';
export { AutoProxy } from './auto-proxy.js';
export type { RemoteMethods } from './auto-proxy.js';
export type { SignalOption } from './base-proxy.js';
export {
  AcquirerProxy,
  ArrayProxy,
  DictProxy,
  ListProxy,
  NamespaceProxy,
  QueueProxy,
  JoinableQueueProxy,
  ValueProxy,
  BarrierProxy,
  ConditionProxy,
  EventProxy,
  SetProxy,
  IteratorProxy,
} from './proxies/index.js';
export type { SetOperand } from './proxies/index.js';
export type { AcquireOptions, Held, QueueWaitOptions } from './proxies/index.js';
export type {
  BarrierAction,
  BarrierWaitOptions,
  ConditionWaitOptions,
  EventWaitOptions,
} from './proxies/index.js';
export { registerProxyType } from './proxy-types.js';
export type { ProxyClass } from './proxy-types.js';
export { toToken, fromToken } from './token.js';
export type { ProxyToken } from './token.js';
export { pythonRepr, pythonStr } from './python-repr.js';
export { registerTransferHandler, isSpawning, whileSpawning } from './transfer.js';
export type { TransferHandler } from './transfer.js';
export { runAsTask } from './task-chain.js';
export { setCallerStacks } from './connection.js';
