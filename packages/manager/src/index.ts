export { Manager } from './manager.js';
export type { ManagerOptions } from './manager.js';
export { ManagerServer } from './serve.js';
export type { ServeOptions } from './serve.js';
export type { ConnectOptions, ConnectTarget } from './remote.js';
export { builtinObject } from './register.js';
export type { RegisterOptions } from './register.js';
export { Process } from './process.js';
export type { ProcessOptions } from './process.js';
export { isMainModule } from './is-main-module.js';
export type { DebugInfo } from './server.js';
// The client side: proxies, error classes, tokens, pythonRepr. One import serves a user.
export * from '@mpts/proxy';

// Shared memory (Python's multiprocessing.sharedctypes): needs no manager. `Array` is also
// exported as `SharedArray`, so a module can import it without hiding the global `Array`.
export {
  Value,
  RawValue,
  SharedArray,
  Array,
  RawArray,
  Lock,
  RLock,
  CValue,
  CArray,
  Synchronized,
  SynchronizedArray,
  SynchronizedString,
  toWorkerData,
  fromWorkerData,
  shmToken,
  fromShmToken,
  SharedMemory,
  ShareableList,
  SharedMemoryManager,
  crossProcess,
  c_char, c_byte, c_ubyte, c_short, c_ushort, c_int, c_uint, c_long, c_ulong, c_longlong,
  c_ulonglong, c_float, c_double, c_int8, c_uint8, c_int16, c_uint16, c_int32, c_uint32,
  c_int64, c_uint64, c_size_t, c_ssize_t,
} from '@mpts/shm';
export type {
  AcquireOptions as SharedLockAcquireOptions,
  AcquireAsyncOptions as SharedLockAcquireAsyncOptions,
  LockOption,
  SynchronizedOptions,
  Typecode,
  TypecodeOrType,
  Indexed,
  SharedMemoryOptions,
  ShareableItem,
  ShareableValue,
} from '@mpts/shm';
