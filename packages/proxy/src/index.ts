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
} from './errors.js';
export { registerTransferHandler, isSpawning, whileSpawning } from './transfer.js';
export type { TransferHandler } from './transfer.js';
