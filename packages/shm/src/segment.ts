import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { native, nativeUnavailableReason, warnOnceIfAddonMissing } from './native.js';
import { reclaimOrphanedSegments } from './orphans.js';
import { DATA_OFFSET, HANDED_OFF_AT, HEADER_INTS, MAGIC, MAGIC_INDEX, RELEASED, STATE } from './segment-layout.js';
import { recordUser } from './segment-users.js';
import { messages, RuntimeError } from '@mpts/proxy/wire';

export { DATA_OFFSET, OWN_LOCK_OFFSET } from './segment-layout.js';

/**
 * A block of shared memory that holds one or more shm objects (a value, its lock, an array...);
 * its layout is in segment-layout.ts.
 *
 * With the addon, a segment is POSIX shared memory named `/mpts-<creator pid>-<random>`, which
 * a child process attaches by name. Without it, a segment is a plain SharedArrayBuffer: shared
 * with worker_threads, never with another process.
 *
 * Lifetime of a name (the memory itself stays mapped while any process uses it):
 * - When nothing in the creating process references the segment any more (the addon's
 *   backing-store deleter), or the creator calls `unlink()`, or the creator exits, it sets the
 *   "no longer needed" bit; the name is unlinked then if no hand-off is pending, otherwise by the
 *   last child to attach.
 * - If the creator dies without that (SIGKILL), a tracker process it started unlinks every
 *   `/mpts-<its pid>-*` name, after waiting a few seconds for children still attaching.
 * - If the tracker died too, the next process to create a segment reclaims the names whose
 *   recorded users are all dead (orphans.ts).
 */
export class Segment {
  readonly header: Int32Array;

  constructor(
    /** The POSIX name (with its leading slash), or null for process-local memory. */
    readonly name: string | null,
    readonly sab: SharedArrayBuffer,
  ) {
    this.header = new Int32Array(sab, 0, HEADER_INTS);
  }

  /** Whether this process created the segment (its pid is in the name). */
  get ownedHere(): boolean {
    return this.name !== null && this.name.startsWith(`/mpts-${process.pid}-`);
  }

  /**
   * Counts one hand-off to a child process, which will attach the name, and returns the name.
   * Throws if the memory cannot reach another process.
   */
  handOff(what: string): string {
    if (this.name === null) throw new RuntimeError(messages.noAddon(what, nativeUnavailableReason));
    for (;;) {
      const state = Atomics.load(this.header, STATE);
      if (state === RELEASED) throw new RuntimeError(messages.segmentUnlinked(what));
      // When, before the count, so that whoever sees the count sees when it was made.
      Atomics.store(this.header, HANDED_OFF_AT, Math.floor(Date.now() / 1000));
      if (Atomics.compareExchange(this.header, STATE, state, state + 2) === state) return this.name;
    }
  }

  /** Undoes one hand-off: the child attached. The last one unlinks a released name. */
  attached(): void {
    if (this.name === null) return;
    if (Atomics.sub(this.header, STATE, 2) - 2 === RELEASED) native?.unlink(this.name);
  }

  /**
   * The creating process will not hand the segment off any more: the name goes now, or when the
   * last pending child attaches. Objects already mapped keep working everywhere.
   */
  unlink(): void {
    if (!this.ownedHere || native === undefined) return;
    const old = Atomics.or(this.header, STATE, RELEASED);
    if (old === 0) native.unlink(this.name!);
  }
}

/** Segments mapped in this thread, by name, so one name is mapped once. */
const mapped = new Map<string, WeakRef<Segment>>();
const forget = new FinalizationRegistry<string>((name) => {
  const ref = mapped.get(name);
  if (ref !== undefined && ref.deref() === undefined) mapped.delete(name);
});

function remember(segment: Segment): Segment {
  mapped.set(segment.name!, new WeakRef(segment));
  forget.register(segment, segment.name!);
  return segment;
}

/** A new zero-filled segment with `dataBytes` of data after the header. */
export function createSegment(dataBytes: number): Segment {
  const size = DATA_OFFSET + Math.max(dataBytes, 8);
  if (native === undefined) {
    warnOnceIfAddonMissing();
    const segment = new Segment(null, new SharedArrayBuffer(size));
    segment.header[MAGIC_INDEX] = MAGIC;
    return segment;
  }
  startTracker();
  reclaimOrphansNowAndThen();
  const name = `/mpts-${process.pid}-${randomBytes(8).toString('hex')}`;
  const segment = new Segment(name, native.create(name, size));
  // The creator is a user before the magic says the segment is set up (orphans.ts relies on it).
  recordUser(segment.sab, segment.header);
  Atomics.store(segment.header, MAGIC_INDEX, MAGIC);
  return remember(segment);
}

/**
 * The segment a child process was handed, mapped here; counts the hand-off as done. With
 * `handedOff: false` (a segment opened from a token), there is no hand-off to count.
 */
export function attachSegment(name: string, { handedOff = true } = {}): Segment {
  let segment = mapped.get(name)?.deref();
  if (segment === undefined) {
    if (native === undefined) throw new RuntimeError(messages.noAddon('object', nativeUnavailableReason));
    let sab: SharedArrayBuffer;
    try {
      sab = native.attach(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new RuntimeError(messages.segmentGone(name), { cause: error });
      }
      throw error;
    }
    segment = remember(new Segment(name, sab));
    // Before the hand-off counts as done (orphans.ts relies on it).
    recordUser(segment.sab, segment.header);
  }
  if (handedOff) segment.attached();
  return segment;
}

/** The segment behind a SharedArrayBuffer that came from another thread of this process. */
export function adoptSegment(name: string | null, sab: SharedArrayBuffer): Segment {
  if (name === null) return new Segment(null, sab);
  const known = mapped.get(name)?.deref();
  if (known !== undefined && known.sab.byteLength === sab.byteLength) return known;
  return remember(new Segment(name, sab));
}

let lastReclaim = -Infinity;
/** How often a process that keeps creating segments looks for orphans again. */
const RECLAIM_INTERVAL_MS = 60_000;

/**
 * Looks for orphaned names (orphans.ts) at this thread's first segment, then at most once a
 * minute: often enough for long-running programs, rarely enough to cost nothing.
 */
function reclaimOrphansNowAndThen(): void {
  const now = performance.now();
  if (now - lastReclaim < RECLAIM_INTERVAL_MS) return;
  lastReclaim = now;
  try {
    reclaimOrphanedSegments();
  } catch {
    // Reclaiming is a courtesy: it must never stop this process from creating its own segment.
  }
}

let trackerPid: number | undefined;

/**
 * Starts, once per thread, the tracker that unlinks this process's names if it dies without
 * doing so (tracker/tracker.cjs). It runs detached, so a Ctrl-C to the terminal's process group
 * does not stop it before it cleans up, and leaves when this process is gone.
 */
function startTracker(): void {
  if (trackerPid !== undefined) return;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const tracker = spawn(process.execPath,
    [fileURLToPath(new URL('../tracker/tracker.cjs', import.meta.url)), String(process.pid)],
    { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env });
  trackerPid = tracker.pid ?? -1;
  tracker.unref();
  tracker.stdin?.on('error', () => {});
  (tracker.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  if (isMainThread) process.on('exit', releaseAllOnExit);
}

/** The pid of this thread's tracker process, if it started one (for tests). */
export function getTrackerPid(): number | undefined {
  return trackerPid;
}

/**
 * At exit, every segment this process created and still maps gives up its name (unlinked now,
 * or by a child still attaching). The tracker handles those it cannot see here.
 */
function releaseAllOnExit(): void {
  for (const ref of mapped.values()) ref.deref()?.unlink();
}
