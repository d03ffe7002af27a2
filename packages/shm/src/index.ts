/**
 * @mpts/shm: Python's `multiprocessing.sharedctypes` for Node.js. `Value`, `Array`
 * (`SharedArray`), `RawValue`, `RawArray` with C typecodes in shared memory, and `Lock`/`RLock`
 * that work across processes and worker threads.
 */
export { Value, RawValue, CValue, Synchronized } from './value.js';
export type { LockOption, SynchronizedOptions } from './value.js';
export {
  SharedArray,
  SharedArray as Array,
  RawArray,
  CArray,
  SynchronizedArray,
  SynchronizedString,
} from './array.js';
export type { Indexed, SliceBound, SliceOf } from './array.js';
export { Lock, RLock } from './lock.js';
export type { AcquireOptions, AcquireAsyncOptions } from './lock.js';
export { toWorkerData, fromWorkerData, ShmExtensionType } from './transfer.js';
export type { ShmObject, WorkerData } from './transfer.js';
export {
  c_char, c_byte, c_ubyte, c_short, c_ushort, c_int, c_uint, c_long, c_ulong, c_longlong,
  c_ulonglong, c_float, c_double, c_int8, c_uint8, c_int16, c_uint16, c_int32, c_uint32,
  c_int64, c_uint64, c_size_t, c_ssize_t,
} from './typecodes.js';
export type { Typecode, CTypeName, CName, TypecodeOrType, ElementOf, InputOf } from './typecodes.js';
export { crossProcess } from './support.js';
export { SharedMemory } from './shared-memory.js';
export type { SharedMemoryOptions } from './shared-memory.js';
export { ShareableList } from './shareable-list.js';
export type { ShareableItem, ShareableValue } from './shareable-list.js';
export { SharedMemoryManager } from './shared-memory-manager.js';
export { shmToken, fromShmToken } from './token.js';
