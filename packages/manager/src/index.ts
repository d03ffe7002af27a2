export { Manager } from './manager.js';
export type { ManagerOptions } from './manager.js';
export { Process } from './process.js';
export type { ProcessOptions } from './process.js';
export { isMainModule } from './is-main-module.js';
export type { DebugInfo } from './server.js';
export {
  MptsError,
  KeyError,
  IndexError,
  ValueError,
  RuntimeError,
  AttributeError,
  OverflowError,
  NotImplementedError,
  StopIteration,
  QueueEmpty,
  QueueFull,
  BrokenBarrierError,
  ProcessError,
  AuthenticationError,
  RemoteError,
  ManagerClosedError,
  ProxyReleasedError,
  ProtocolError,
  registerErrorClass,
  BaseProxy,
  AcquirerProxy,
  ArrayProxy,
  DictProxy,
  ListProxy,
  NamespaceProxy,
  QueueProxy,
  JoinableQueueProxy,
  ValueProxy,
  registerProxyType,
  toToken,
  fromToken,
  pythonRepr,
  pythonStr,
  registerTransferHandler,
  isSpawning,
} from '@mpts/proxy';
export type {
  AcquireOptions,
  Held,
  QueueWaitOptions,
  SignalOption,
  ProxyToken,
  ProxyClass,
  TransferHandler,
} from '@mpts/proxy';
