/**
 * Every error class mpts raises, and every message it uses, in one place.
 *
 * Where Python's multiprocessing raises something, mpts raises the class of the same name with
 * Python's message, so `err instanceof KeyError` and `err.message` read as they do in Python.
 * An error thrown inside the manager keeps its class across the wire and carries the server's
 * stack as `remoteStack`.
 */

/** The base of every mpts error class. */
export class MptsError extends Error {
  /** The stack of the manager process where the error was raised, when it came from there. */
  remoteStack?: string;

  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Python's `KeyError`: a missing dict key. The message is the key's Python repr, as in Python. */
export class KeyError extends MptsError {}
/** Python's `IndexError`. */
export class IndexError extends MptsError {}
/** Python's `ValueError`. */
export class ValueError extends MptsError {}
/** Python's `RuntimeError`. */
export class RuntimeError extends MptsError {}
/**
 * Python's `OSError`, with Python's message (`[Errno 2] No such file or directory: '/name'`) and
 * its `errno`, `strerror` and `filename`.
 */
export class OSError extends MptsError {
  constructor(readonly errno: number, readonly strerror: string, readonly filename: string,
    options?: ErrorOptions) {
    super(`[Errno ${errno}] ${strerror}: ${nameRepr(filename)}`, options);
  }
}
/** Python's repr of a file name (a str): quoted as Python quotes it. */
function nameRepr(name: string): string {
  const quote = name.includes("'") && !name.includes('"') ? '"' : "'";
  const escaped = name.replace(/\\/g, '\\\\').replace(quote === "'" ? /'/g : /(?!)/g, "\\'");
  return `${quote}${escaped}${quote}`;
}
/** Python's `FileExistsError`: creating a name that exists. */
export class FileExistsError extends OSError {}
/** Python's `FileNotFoundError`: opening a name that does not exist. */
export class FileNotFoundError extends OSError {}
/** Python's `PermissionError`. */
export class PermissionError extends OSError {}
/** Python's `AttributeError`. */
export class AttributeError extends MptsError {}
/** Python's `struct.error`: a value that does not fit its packing format (a ShareableList's int). */
export class StructError extends MptsError {}
/** Python's `OverflowError`: a value that does not fit a manager `array`'s typecode. */
export class OverflowError extends MptsError {}
/**
 * Python's `RecursionError` (a `RuntimeError`, as in Python): a value nested too deeply to
 * print or compare.
 */
export class RecursionError extends RuntimeError {}
/** Python's `MemoryError`: a container the manager refuses to build, it would be too large. */
export class MemoryError extends MptsError {}
/** Python's `NotImplementedError`. */
export class NotImplementedError extends MptsError {}
/** Python's `StopIteration`: a remote iterator is exhausted. */
export class StopIteration extends MptsError {}
/** Python's `queue.Empty`. */
export class QueueEmpty extends MptsError {}
/** Python's `queue.Full`. */
export class QueueFull extends MptsError {}
/** Python's `threading.BrokenBarrierError`. */
export class BrokenBarrierError extends MptsError {}
/** Python's `multiprocessing.ProcessError`: a manager or process used in the wrong state. */
export class ProcessError extends MptsError {}
/** Python's `multiprocessing.AuthenticationError`: the authkey handshake failed. */
export class AuthenticationError extends ProcessError {}

/**
 * Python's `multiprocessing.managers.RemoteError`: the manager's machinery failed (an unknown
 * method, an object that does not exist, a constructor that threw), as opposed to a method of
 * the shared object raising, which keeps its own class.
 */
export class RemoteError extends MptsError {
  override toString(): string {
    const rule = '-'.repeat(75);
    return `${this.name}: \n${rule}\n${this.message}\n${rule}`;
  }
}

/** The manager is gone (shut down, killed, or the connection to it broke). */
export class ManagerClosedError extends MptsError {}
/**
 * The manager refused a connection before authenticating it, and said why: too many connections
 * still authenticating, too many failed attempts from this host, the handshake deadline, or a
 * plain connection to a TLS port. Not a wrong authkey (that is `AuthenticationError`).
 */
export class ConnectionRefusedError extends MptsError {}
/** A proxy was used after `release()` or disposal. */
export class ProxyReleasedError extends MptsError {}
/** A peer sent bytes that are not a valid mpts frame or message. */
export class ProtocolError extends MptsError {}
/**
 * The shared object a call was waiting on (a lock, a queue, an event...) was deleted, every
 * reference to it released, before the wait ended. Python has no such case: there a waiting
 * thread's proxy keeps its object alive.
 */
export class ObjectDeletedError extends MptsError {}
/**
 * The manager's reply to a wait its caller abandoned through an `AbortSignal`. The caller never
 * sees it: its call rejects with the signal's reason instead.
 */
export class CancelledError extends MptsError {}

type ErrorClass = new (message?: string) => Error;

/**
 * Error classes a peer may name. The table has a null prototype, so a peer-sent name such as
 * `constructor` or `__proto__` can never resolve to anything but `RemoteError`.
 */
const errorClasses: Record<string, ErrorClass> = Object.assign(Object.create(null) as object, {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  MptsError,
  KeyError,
  IndexError,
  ValueError,
  RuntimeError,
  AttributeError,
  OverflowError,
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
});

/** Adds a user error class so that it keeps its class when a registered type throws it. */
export function registerErrorClass(errorClass: ErrorClass, name: string = errorClass.name): void {
  errorClasses[name] = errorClass;
}

/** Rebuilds an error that crossed the wire, as the class it was raised as. */
export function rebuildError(name: string, message: string, remoteStack: string | undefined): Error {
  const ErrorClass = errorClasses[name] ?? RemoteError;
  const error = new ErrorClass(message);
  if (ErrorClass === RemoteError && name !== 'RemoteError') {
    error.message = `${name}: ${message}`;
  }
  if (remoteStack !== undefined) (error as MptsError).remoteStack = remoteStack;
  return error;
}

/** Python's messages, word for word, and mpts's own, so each is written once. */
export const messages = {
  alreadyStarted: 'Already started server',
  managerShutDown: 'Manager has shut down',
  managerNotStarted: 'Manager has not been started',
  managerClosed: (address: string) => `the manager at ${address} is closed`,
  notOnBackend: (what: string, address: string) => `${what} is not available on the backend at ${address}`,
  noBackendForScheme: (scheme: string) =>
    `no mpts backend serves ${scheme}:// URLs in this process` +
    (/^rediss?$/i.test(scheme) ? ` (import '@mpts/redis' once, before Manager.connect)` : ''),
  managerShutDownHere: (address: string) =>
    `the manager at ${address} is closed: its manager was shut down in this process`,
  noAuthkeyKnown: (address: string) =>
    `no authkey is known for the manager at ${address}; pass it to Manager.connect(), or ` +
    `receive the proxy through Process arguments, which carry it`,
  connectionRefused: (address: string, reason: string) => `the manager at ${address} refused the connection: ${reason}`,
  speaksTls: (address: string) =>
    `the manager at ${address} serves TLS and this connection is plain: connect with the tls option`,
  speaksPlain: (address: string) =>
    `the manager at ${address} does not serve TLS and this connection uses it: connect without the tls option`,
  proxyReleased: (typeId: string, id: number) =>
    `this ${typeId} proxy (object ${id}) was released and cannot be used any more`,
  digestReceivedWrong: 'digest received was wrong',
  digestSentRejected: 'digest sent was rejected',
  handshakeTimeout: 'the authentication handshake did not finish in time',
  frameTooLarge: (size: number, limit: number) =>
    `frame of ${size} bytes is over the limit of ${limit} bytes`,
  frameNotEndingWithLastItem: 'mpts codec: a message did not end with its last item (msgpackr changed how it writes arrays?)',
  pythonClientsWithoutTls: "pythonClients cannot be served over TLS: CPython's manager clients do not speak it",
  notExposed: (method: string, typeId: string) =>
    `method '${method}' of ${typeId} object is not in exposed`,
  wrongArgumentCount: (method: string, min: number, max: number, given: number) =>
    min === max
      ? `${method}() takes ${min} argument${min === 1 ? '' : 's'} but ${given} ${given === 1 ? 'was' : 'were'} given`
      : given < min
        ? `${method}() takes at least ${min} argument${min === 1 ? '' : 's'} (${given} given)`
        : `${method}() takes at most ${max} argument${max === 1 ? '' : 's'} (${given} given)`,
  unknownObject: (id: unknown) => `no shared object with id ${String(id)}`,
  unknownType: (typeId: string) => `unknown shared type '${typeId}'`,
  cannotTransfer: (path: string, what: string) =>
    `${what} at ${path} cannot be sent to the manager: only plain data and proxies can`,
  nestedTooDeeply: (path: string, limit: number) =>
    `the value at ${path} is nested more than ${limit} levels deep; mpts refuses deeper values`,
  receivedNestedTooDeeply: (limit: number) =>
    `a value in this call is nested more than ${limit} levels deep; mpts refuses deeper values`,
  staleToken: (id: number, instance: string) =>
    `the proxy of object ${id} belongs to an earlier manager at this address (instance ${instance}); ` +
    `this manager was restarted since and does not have that object`,
  sharedMemoryToManager:
    'a shared-memory object cannot be sent to a manager: pass it to a Process as an argument, or store plain data',
  listIndexOutOfRange: 'list index out of range',
  listAssignmentIndexOutOfRange: 'list assignment index out of range',
  popFromEmptyList: 'pop from empty list',
  popIndexOutOfRange: 'pop index out of range',
  listRemoveMissing: 'list.remove(x): x not in list',
  notInList: (repr: string) => `${repr} is not in list`,
  popitemEmpty: 'popitem(): dictionary is empty',
  dictChangedSize: 'dictionary changed size during iteration',
  dictKeysChanged: 'dictionary keys changed during iteration',
  waitCancelled: 'the wait was cancelled by its caller',
  deletedWhileWaited: 'the shared object was deleted while this call waited on it: every reference to it was released',
  unhashable: (typeName: string) => `unhashable type: '${typeName}'`,
  popFromEmptySet: 'pop from an empty set',
  notIterable: (typeName: string) => `'${typeName}' object is not iterable`,
  notSupportedBetween: (op: string, a: string, b: string) =>
    `'${op}' not supported between instances of '${a}' and '${b}'`,
  extendedSliceSize: (got: number, size: number) =>
    `attempt to assign sequence of size ${got} to extended slice of size ${size}`,
  sliceStepZero: 'slice step cannot be zero',
  noAttribute: (typeName: string, name: string) =>
    `'${typeName}' object has no attribute '${name}'`,
  arrayIndexOutOfRange: 'array index out of range',
  arrayAssignmentIndexOutOfRange: 'array assignment index out of range',
  badTypecode: 'bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)',
  signedTooSmall: 'signed char is less than minimum',
  intMaxStrDigits: (limit: number) =>
    `Exceeds the limit (${limit} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit`,
  recursionInRepr: 'maximum recursion depth exceeded while getting the repr of an object',
  recursionInComparison: 'maximum recursion depth exceeded in comparison',
  exceptionStrFailed: '<exception str() failed>',
  indexSizedInteger: "cannot fit 'int' into an index-sized integer",
  intTooLargeForSsize: 'Python int too large to convert to C ssize_t',
  tooManyItems: (what: string, count: bigint | number, limit: number) =>
    `cannot make ${what} of ${count} items: the manager's limit is ${limit} items`,
  arrayLengthNegative: (length: number) => `Array length must be >= 0, not ${length}`,
  integerExpected: (typeName: string) => `'${typeName}' object cannot be interpreted as an integer`,
  floatExpected: (typeName: string) => `must be real number, not ${typeName}`,
  releaseUnlocked: 'release unlocked lock',
  releaseUnacquired: 'cannot release un-acquired lock',
  timeoutNonBlocking: "can't specify a timeout for a non-blocking call",
  timeoutNonBlockingSemaphore: "can't specify timeout for non-blocking acquire",
  timeoutNotNumber: (typeName: string) => `timeout must be a number of seconds, not ${typeName}`,
  timeoutNegative: 'timeout value must be positive',
  timeoutNegativeQueue: "'timeout' must be a non-negative number",
  semaphoreInitialNegative: 'semaphore initial value must be >= 0',
  semaphoreReleasedTooMany: 'Semaphore released too many times',
  waitUnacquired: 'cannot wait on un-acquired lock',
  notifyUnacquired: 'cannot notify on un-acquired lock',
  taskDoneTooMany: 'task_done() called too many times',
  partiesPositive: 'parties must be > 0',
  processNotStarted: 'can only join a started process',
  processStartedTwice: 'processes can only be started once',
  targetNotExported: (name: string, module: string) =>
    `the target function '${name}' is not exported by ${module}; a child process re-imports ` +
    `that module and needs to find the target among its exports (export it, or pass ` +
    `{ module: import.meta.url } from the module that exports it)`,
  anonymousTarget:
    'a Process target must be a named function exported by its module, so the child can import it',
  // The manager's servants and registrations, Python's words where Python has the case.
  withoutCallable: 'Without callable, must have one non-keyword argument',
  badTaskId: (given: string) => `a task id must be a positive integer, not ${given}`,
  attributeNameNotString: (typeName: string) => `attribute name must be string, not '${typeName}'`,
  unsupportedOperands: (op: string, a: string, b: string) =>
    `unsupported operand type(s) for ${op}: '${a}' and '${b}'`,
  dictUpdateNotSequence: (index: number) =>
    `cannot convert dictionary update sequence element #${index} to a sequence`,
  dictUpdateLength: (index: number, length: number) =>
    `dictionary update sequence element #${index} has length ${length}; 2 is required`,
  conditionLockKind: 'the lock of a Condition must be a Lock or an RLock of the same manager',
  arrayItemNotCharacter: 'array item must be unicode character',
  arrayIndicesNotIntegers: 'array indices must be integers',
  releaseCountPositive: 'n must be one or more',
  indicesNotIntegersOrSlices: (container: string, typeName: string) =>
    `${container} indices must be integers or slices, not ${typeName}`,
  sliceIndicesNotIntegers: 'slice indices must be integers or None or have an __index__ method',
  indexBoundsNotIntegers: 'slice indices must be integers or have an __index__ method',
  concatenateList: (typeName: string) => `can only concatenate list (not "${typeName}") to list`,
  multiplyByNonInt: (typeName: string) => `can't multiply sequence by non-int of type '${typeName}'`,
  barrierActionNotRunner: 'only the caller that ran the action may report it done',
  callerModuleUnknown: (call: string, option: string) =>
    `cannot tell which module calls ${call}; pass { ${option}: import.meta.url }`,
  connectNeedsAuthkey: (address: string) => `Manager.connect() needs the authkey of the manager at ${address}`,
  typeIdNotString: 'a registered typeId must be a non-empty string',
  factoryNotFunction: (typeId: string) =>
    `the factory of '${typeId}' must be a function, or null for a type that only wraps results`,
  methodToTypeIdNotStrings: 'methodToTypeId maps method names to typeIds, both strings',
  severalManagerClasses: (names: string) =>
    `several manager classes registered types (${names}): serve from one of them ` +
    `(MyManager.serve(), MyManager.start(), or mpts serve --manager MyManager)`,
  severalManagerClassesNamed: (manager: string) =>
    `several manager classes named '${manager}' registered types in the manager process: give them different names`,
  noManagerClassNamed: (manager: string) =>
    `no manager class named '${manager}' registered types in the manager process: pass the ` +
    `module that calls ${manager}.register() in register`,
  // Shared memory: Python's words (ctypes, sharedctypes, synchronize), then mpts's.
  assertSpawning: 'Synchronized objects should only be shared between processes through inheritance',
  invalidIndex: 'invalid index',
  indicesMustBeIntegers: 'indices must be integers',
  sameSize: 'Can only assign sequence of same size',
  byteStringTooLong: 'byte string too long',
  bytesExpected: (typeName: string) => `bytes expected instead of ${typeName} instance`,
  charExpected: 'one character bytes, bytearray or integer expected',
  noSize: 'this type has no size',
  bytesLikeRequired: (typeName: string) => `a bytes-like object is required, not '${typeName}'`,
  noLen: (typeName: string) => `object of type '${typeName}' has no len()`,
  noAcquire: (repr: string) => `'${repr}' has no method 'acquire'`,
  lockReleasedTooMany: 'semaphore or lock released too many times',
  atomicNeedsInteger: (code: string) =>
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
  badShmToken: 'not a token made by shmToken()',
  notSharedMemoryToken: (object: unknown) => `shmToken() takes a shared-memory object, not ${String(object)}`,
  // Named shared memory (Python's multiprocessing.shared_memory).
  sizeNotPositive: "'size' must be a positive number different from zero",
  sizeNegative: "'size' must be a positive integer",
  nameNeedsCreate: "'name' can only be None if create=True",
  itemExceedsStorage: 'bytes/str item exceeds available storage',
  strConcatenation: (typeName: string) => `can only concatenate str (not "${typeName}") to str`,
  notAShareableList: (name: string) => `the shared memory block '${name}' does not hold a ShareableList`,
  indexOutOfRange: 'index out of range',
  assignmentIndexOutOfRange: 'assignment index out of range',
  notInContainer: (repr: string) => `${repr} not in this container`,
  blockClosed: 'operation forbidden on released memoryview object',
  emptyBlock: 'cannot mmap an empty file',
  trackerExitedWhileStarting: "the SharedMemoryManager's server process exited while starting",
  trackerSaid: (line: string) => `the SharedMemoryManager's server process said ${JSON.stringify(line)} instead of ready`,
  cannotShare: (typeName: string) =>
    `a ShareableList holds int, float, bool, None, str and bytes (Uint8Array), not ${typeName}`,
  qOutOfRange: "'q' format requires -9223372036854775808 <= number <= 9223372036854775807",
  // The protocol, the codec and the manager's own machinery.
  exitedBeforeStart: (name: string) => `${name} exited before it started`,
  notARequest: 'a message is not an [op, requestId, ...] array',
  unknownOperation: (op: unknown) => `unknown operation ${String(op)}`,
  malformedRequest: (op: string, operands: string) => `malformed ${op} request: expected [op, requestId, ${operands}]`,
  serveNeedsAuthkey: 'Manager.serve() needs an authkey: the secret every client must prove it knows',
  alreadyAMember: (typeId: string, className: string) =>
    `'${typeId}' is already a member of ${className}; register it with { createMethod: false }`,
  managerExitedWhileStarting: (code: number | null) => `the manager process exited with code ${code} while starting`,
  managerFailedToStart: (error: string) => `the manager process failed to start:\n${error}`,
  notMsgpack: (why: string) => `a frame is not valid msgpack: ${why}`,
  factoryNotObject: (typeId: string, made: unknown) =>
    `the factory of '${typeId}' returned ${made === null ? 'null' : typeof made}, not an object`,
  wrapNotObject: (typeId: string, made: unknown) =>
    `a result to wrap as '${typeId}' must be an object, not ${made === null ? 'null' : typeof made}`,
  unknownCommand: (name: string) => `unknown command '${name}'`,
  unserializable: (why: string) => `Unserializable message: ${why}`,
  notAReply: 'a reply from the manager is not a [kind, requestId, ...] array',
  unknownReplyKind: (kind: unknown) => `a reply from the manager is of an unknown kind, ${String(kind)}`,
  notAnAddress: (address: string) => `not a manager address: ${address}`,
  tokenWithoutAddress: 'a proxy token without a manager address',
  malformedToken: 'malformed proxy token',
  malformedWholeFloat: 'malformed whole float: its value is not a number',
  foreignExtension: (type: number, what: string) => `msgpack extension 0x${type.toString(16)} (${what}) is not part of the mpts protocol`,
  tokenInPlainData: 'a proxy token where plain data was expected',
  cyclicValue: (path: string) => `the value at ${path} contains itself; cyclic values cannot be sent`,
  notSharedMemory: (object: unknown) => `toWorkerData() takes a shared-memory object, not ${String(object)}`,
  barrierActionMissing:
    'this barrier has an action, but its proxy in this process was not given it (call setAction)',
  authkeyAndFile: 'give either authkey or authkeyFile, not both',
  emptyAuthkeyFile: (file: string) => `the authkey file ${file} is empty`,
  frameTooSlow: 'a frame took too long to arrive',
  initializerNotCallable: 'initializer must be a callable',
  initializerAnonymous:
    'a manager initializer must be a named function exported by its module, so the manager process can import it',
  initializerNotExported: (name: string, module: string) =>
    `the initializer '${name}' is not exported by ${module}; the manager process imports that module and ` +
    `needs to find the initializer among its exports (export it, or pass { initializerModule: import.meta.url } ` +
    `from the module that exports it)`,
} as const;
