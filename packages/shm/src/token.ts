import { native, nativeUnavailableReason } from './native.js';
import { RELEASED, STATE } from './segment-layout.js';
import { attachSegment, type Segment } from './segment.js';
import { fromWorkerData, toWorkerData, type ShmObject, type WorkerData } from './transfer.js';
import { CValue } from './value.js';
import { CArray } from './array.js';
import { Lock, RLock } from './lock.js';
import { messages, RuntimeError } from '@mpts/proxy/wire';

const PREFIX = 'mpts-shm:';
/** The names mpts gives its segments: only those are opened from a token. */
const SEGMENT_NAME = /^\/mpts-\d+-[0-9a-f]{16}$/;

/** The segments an object lives in (its own, and its lock's). */
function segmentsOf(object: ShmObject): Segment[] {
  if (object instanceof CValue || object instanceof CArray || object instanceof Lock || object instanceof RLock) {
    return [object.segment];
  }
  return [...segmentsOf(object.getObj()), ...segmentsOf(object.getLock())];
}

/** A description without the memory itself: what travels in a token. */
function describe(data: WorkerData): WorkerData {
  const { sab, obj, lock, ...rest } = data;
  return { ...rest, ...(obj ? { obj: describe(obj) } : {}), ...(lock ? { lock: describe(lock) } : {}) };
}

/**
 * A short string that stands for a shared-memory `Value`, `Array`, `Lock` or `RLock` (raw or
 * synchronized): any process of the same user on the host (a `cluster` worker, a program
 * started by a process manager, an unrelated `node`) opens the same object with
 * `fromShmToken(token)`. Pass it any way a string goes: an environment variable, argv, a file, a
 * message.
 *
 * The token names the object's shared memory, which lives while its creating process holds the
 * object (until it is garbage collected, `unlink()`ed, or the creator exits): open it while the
 * creator keeps it. A process that has opened it keeps its memory for as long as it likes.
 */
export function shmToken(object: ShmObject): string {
  let data: WorkerData;
  try {
    data = toWorkerData(object);
  } catch {
    throw new TypeError(messages.notSharedMemoryToken(object));
  }
  for (const segment of segmentsOf(object)) {
    if (segment.name === null) throw new RuntimeError(messages.noAddon(object.constructor.name, nativeUnavailableReason));
    if ((Atomics.load(segment.header, STATE) & RELEASED) !== 0) {
      throw new RuntimeError(messages.segmentUnlinked(object.constructor.name));
    }
  }
  return PREFIX + Buffer.from(JSON.stringify(describe(data))).toString('base64url');
}

/** Opens, in this process, the object a `shmToken()` token stands for. */
export function fromShmToken<T extends ShmObject = ShmObject>(token: string): T {
  let data: WorkerData;
  try {
    if (typeof token !== 'string' || !token.startsWith(PREFIX)) throw new TypeError();
    data = JSON.parse(Buffer.from(token.slice(PREFIX.length), 'base64url').toString()) as WorkerData;
  } catch {
    throw new TypeError(messages.badShmToken);
  }
  if (native === undefined) throw new RuntimeError(messages.noAddon('object', nativeUnavailableReason));
  return fromWorkerData<T>(withMemory(data));
}

/** The description with each segment mapped here, as `fromWorkerData` takes it. */
function withMemory(data: WorkerData): WorkerData {
  if (data === null || typeof data !== 'object') throw new TypeError(messages.badShmToken);
  if (data.obj !== undefined || data.lock !== undefined) {
    return { ...data, obj: withMemory(data.obj!), lock: withMemory(data.lock!) };
  }
  if (typeof data.name !== 'string' || !SEGMENT_NAME.test(data.name)) throw new TypeError(messages.badShmToken);
  // No hand-off was counted for a token, so none is counted as done.
  return { ...data, sab: attachSegment(data.name, { handedOff: false }).sab };
}
