import { arrayAt, CArray, SynchronizedArray } from './array.js';
import { Lock, lockAt, RLock } from './lock.js';
import { adoptSegment, attachSegment, type Segment } from './segment.js';
import { ctypeOf } from './typecodes.js';
import { CValue, Synchronized } from './value.js';
import { SharedMemory } from './shared-memory.js';
import { ShareableList } from './shareable-list.js';
import { isSpawning, messages, registerTransferHandler, RuntimeError } from '@mpts/proxy/wire';

/**
 * How shared-memory objects reach other processes and threads.
 *
 * Child processes: each class is a msgpack extension of @mpts/proxy's codec (types 16..23).
 * As in Python (`assert_spawning`), an object may only be encoded while a child process's
 * arguments are (`whileSpawning`), so it is never sent to a manager or through a queue. The
 * encoding carries the shared memory's name; decoding it in the child maps the same memory.
 *
 * worker_threads: `toWorkerData(obj)` gives a structured-clone-able description holding the
 * SharedArrayBuffer itself; `fromWorkerData(data)` in the worker rebuilds the object on the same
 * memory. Works with and without the addon.
 */
export const ShmExtensionType = {
  value: 16,
  array: 17,
  synchronized: 18,
  synchronizedArray: 19,
  lock: 20,
  rlock: 21,
  sharedMemory: 22,
  shareableList: 23,
} as const;

function assertSpawning(): void {
  if (!isSpawning()) throw new RuntimeError(messages.assertSpawning);
}

function handOff(segment: Segment, what: string): string {
  assertSpawning();
  return segment.handOff(what);
}

type ValueData = [name: string, offset: number, type: string];
type ArrayData = [name: string, offset: number, type: string, length: number];
type LockData = [name: string, offset: number];

registerTransferHandler<CValue>({
  Class: CValue,
  type: ShmExtensionType.value,
  write: (value) => [handOff(value.segment, 'RawValue'), value.offset, value.ctype.name],
  read: ([name, offset, type]: ValueData) => new CValue(attachSegment(name), offset, ctypeOf(type)),
});

registerTransferHandler<CArray>({
  Class: CArray,
  type: ShmExtensionType.array,
  write: (array) => [handOff(array.segment, 'RawArray'), array.offset, array.ctype.name, array.length],
  read: ([name, offset, type, length]: ArrayData) =>
    arrayAt(attachSegment(name), offset, ctypeOf(type), length),
});

registerTransferHandler<Synchronized>({
  Class: Synchronized,
  type: ShmExtensionType.synchronized,
  write: (value) => {
    assertSpawning();
    return [value.getObj(), value.getLock()];
  },
  read: ([obj, lock]: [CValue, Lock | RLock]) => new Synchronized(obj, lock),
});

registerTransferHandler<SynchronizedArray>({
  Class: SynchronizedArray,
  type: ShmExtensionType.synchronizedArray,
  write: (array) => {
    assertSpawning();
    return [array.getObj(), array.getLock()];
  },
  read: ([obj, lock]: [CArray, Lock | RLock]) => SynchronizedArray.indexed(obj, lock),
});

registerTransferHandler<Lock>({
  Class: Lock,
  type: ShmExtensionType.lock,
  write: (lock) => [handOff(lock.segment, 'Lock'), lock.offset],
  read: ([name, offset]: LockData) => new Lock({ segment: attachSegment(name), offset }),
});

registerTransferHandler<RLock>({
  Class: RLock,
  type: ShmExtensionType.rlock,
  write: (lock) => [handOff(lock.segment, 'RLock'), lock.offset],
  read: ([name, offset]: LockData) => new RLock({ segment: attachSegment(name), offset }),
});

// A named block travels as its name, as Python pickles it, and is attached on arrival. Unlike
// the objects above it may go to any process at any time: its name is all another process needs.
registerTransferHandler<SharedMemory>({
  Class: SharedMemory,
  type: ShmExtensionType.sharedMemory,
  write: (shm) => shm.name,
  read: (name: string) => new SharedMemory(name),
});

registerTransferHandler<ShareableList>({
  Class: ShareableList,
  type: ShmExtensionType.shareableList,
  write: (list) => list.shm.name,
  read: (name: string) => new ShareableList(null, { name }),
});

/** Any object of @mpts/shm. */
export type ShmObject = CValue | CArray | Synchronized | SynchronizedArray | Lock | RLock;

/** The structured-clone-able form of a shm object, for `postMessage`/`workerData`. */
export interface WorkerData {
  readonly '@mpts/shm': 'value' | 'array' | 'synchronized' | 'synchronizedArray' | 'lock' | 'rlock';
  readonly sab?: SharedArrayBuffer;
  readonly name?: string | null;
  readonly offset?: number;
  readonly type?: string;
  readonly length?: number;
  readonly obj?: WorkerData;
  readonly lock?: WorkerData;
}

const place = (segment: Segment) => ({ sab: segment.sab, name: segment.name });

/**
 * Describes a shm object for a worker thread: pass the result in `workerData` or `postMessage`,
 * and rebuild it there with `fromWorkerData`. Both sides then use the same memory and locks.
 */
export function toWorkerData(object: ShmObject): WorkerData {
  if (object instanceof CValue) {
    return { '@mpts/shm': 'value', ...place(object.segment), offset: object.offset, type: object.ctype.name };
  }
  if (object instanceof CArray) {
    return { '@mpts/shm': 'array', ...place(object.segment), offset: object.offset,
      type: object.ctype.name, length: object.length };
  }
  if (object instanceof Synchronized) {
    return { '@mpts/shm': 'synchronized', obj: toWorkerData(object.getObj()), lock: toWorkerData(object.getLock()) };
  }
  if (object instanceof SynchronizedArray) {
    return { '@mpts/shm': 'synchronizedArray', obj: toWorkerData(object.getObj()),
      lock: toWorkerData(object.getLock()) };
  }
  if (object instanceof Lock || object instanceof RLock) {
    return { '@mpts/shm': object instanceof Lock ? 'lock' : 'rlock', ...place(object.segment),
      offset: object.offset };
  }
  throw new TypeError(messages.notSharedMemory(object));
}

/** Rebuilds, in a worker (or any thread), the object `toWorkerData` described. */
export function fromWorkerData<T extends ShmObject = ShmObject>(data: WorkerData): T {
  return rebuild(data) as T;
}

function rebuild(data: WorkerData): ShmObject {
  const segment = () => {
    if (!(data.sab instanceof SharedArrayBuffer)) throw new TypeError(messages.badWorkerData);
    return adoptSegment(data.name ?? null, data.sab);
  };
  switch (data?.['@mpts/shm']) {
    case 'value':
      return new CValue(segment(), data.offset!, ctypeOf(data.type));
    case 'array':
      return arrayAt(segment(), data.offset!, ctypeOf(data.type), data.length!);
    case 'synchronized':
      return new Synchronized(rebuild(data.obj!) as CValue, rebuild(data.lock!) as Lock | RLock);
    case 'synchronizedArray':
      return SynchronizedArray.indexed(rebuild(data.obj!) as CArray, rebuild(data.lock!) as Lock | RLock);
    case 'lock':
      return lockAt({ segment: segment(), offset: data.offset! }, false);
    case 'rlock':
      return lockAt({ segment: segment(), offset: data.offset! }, true);
    default:
      throw new TypeError(messages.badWorkerData);
  }
}
