/**
 * The messages @mpts/shm raises. Python's own are word for word (sharedctypes, ctypes and
 * multiprocessing.synchronize, checked on CPython 3.11); the rest are mpts's.
 */
export const shmMessages = {
  // Python's
  assertSpawning: 'Synchronized objects should only be shared between processes through inheritance',
  invalidIndex: 'invalid index',
  indicesMustBeIntegers: 'indices must be integers',
  sameSize: 'Can only assign sequence of same size',
  sliceStepZero: 'slice step cannot be zero',
  byteStringTooLong: 'byte string too long',
  bytesExpected: (typeName: string) => `bytes expected instead of ${typeName} instance`,
  charExpected: 'one character bytes, bytearray or integer expected',
  integerExpected: (typeName: string) => `'${typeName}' object cannot be interpreted as an integer`,
  floatExpected: (typeName: string) => `must be real number, not ${typeName}`,
  noSize: 'this type has no size',
  sliceIndicesIntegers: 'slice indices must be integers or None or have an __index__ method',
  bytesLikeRequired: (typeName: string) => `a bytes-like object is required, not '${typeName}'`,
  noLen: (typeName: string) => `object of type '${typeName}' has no len()`,
  arrayLengthNegative: (n: number) => `Array length must be >= 0, not ${n}`,
  noAcquire: (repr: string) => `'${repr}' has no method 'acquire'`,
  noAttribute: (typeName: string, name: string) => `'${typeName}' object has no attribute '${name}'`,
  lockReleasedTooMany: 'semaphore or lock released too many times',
  rlockNotOwned: 'cannot release un-acquired lock',
  // mpts's
  notInteger: (code: string) =>
    `atomic operations need an integer typecode, not '${code}'`,
  notOurLock: (typeName: string) =>
    `a shared-memory Value or Array needs a Lock or RLock from @mpts/shm (which lives in shared ` +
    `memory), not ${typeName}`,
  noAddon: (what: string, reason: string) =>
    `this ${what} lives in memory that cannot reach another process: mpts's shared-memory addon ` +
    `is not available (${reason}). Within one process it works, also across worker_threads ` +
    `(toWorkerData/fromWorkerData); to share state with other processes use a manager's ` +
    `value()/array() instead (manager.value('i', 0))`,
  segmentGone: (name: string) =>
    `the shared memory ${name} is gone: its creating process unlinked it (it exited, or called ` +
    `unlink()) before this process attached it`,
  segmentUnlinked: (what: string) =>
    `this ${what} was unlinked (unlink() was called, or its creator no longer holds it), so it ` +
    `can no longer be passed to another process`,
  badWorkerData: 'not an object made by toWorkerData()',
} as const;
