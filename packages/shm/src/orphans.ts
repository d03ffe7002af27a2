import { lstatSync, readdirSync } from 'node:fs';
import { futex } from './futex.js';
import { native } from './native.js';
import { DATA_OFFSET, HANDED_OFF_AT, HEADER_INTS, MAGIC, MAGIC_INDEX, STATE } from './segment-layout.js';
import { everyUserGone } from './segment-users.js';

/**
 * Reclaims the names of orphaned segments: those whose creator and tracker were both killed
 * (SIGKILL of a whole process group, a container stopped...), so nobody unlinked them.
 *
 * A name in /dev/shm is unlinked only when all of these hold, so a name some live process may
 * still pass on, and a file mpts did not make, are never touched:
 * - it is named as mpts names segments (`mpts-<pid>-<16 hex digits>`) and belongs to this user;
 * - it carries mpts's magic (set once its creator recorded itself as a user);
 * - every process recorded as its user is provably dead (same PID namespace, pid gone);
 * - no hand-off to a child is pending, or the last one is older than `HAND_OFF_GRACE_S` (a
 *   child of a dead parent that has not attached by then is not coming).
 * Unlinking only removes the name: a process that still maps the memory keeps using it.
 */
export function reclaimOrphanedSegments(): string[] {
  if (native === undefined) return [];
  let names: string[];
  try {
    names = readdirSync(SHM_DIR);
  } catch {
    return [];
  }
  const alive = memoized(futex.pidAlive);
  const reclaimed: string[] = [];
  for (const name of names) {
    const creator = SEGMENT_NAME.exec(name)?.[1];
    // A live creator is a live user: skip it without mapping anything.
    if (creator === undefined || alive(Number(creator))) continue;
    try {
      if (isOrphan(`/${name}`, alive) && native.unlink(`/${name}`)) reclaimed.push(name);
    } catch {
      // gone meanwhile, or not ours to open: leave it
    }
  }
  return reclaimed;
}

/** How long a pending hand-off keeps a name whose users are all dead. */
const HAND_OFF_GRACE_S = 10;

const SHM_DIR = '/dev/shm';
const SEGMENT_NAME = /^mpts-(\d+)-[0-9a-f]{16}$/;

function isOrphan(name: string, alive: (pid: number) => boolean): boolean {
  const stat = lstatSync(SHM_DIR + name); // a symbolic link is not a segment
  if (!stat.isFile() || stat.uid !== process.getuid?.() || stat.size < DATA_OFFSET) return false;
  const sab = native!.attach(name);
  const header = new Int32Array(sab, 0, HEADER_INTS);
  if (Atomics.load(header, MAGIC_INDEX) !== MAGIC) return false;
  // Pending hand-offs are read before the users: a child records itself before it counts its
  // hand-off as done, so one attaching meanwhile is seen in one or the other.
  if (Atomics.load(header, STATE) >> 1 !== 0) {
    const handedOffAt = Atomics.load(header, HANDED_OFF_AT) >>> 0;
    if (Date.now() / 1000 - handedOffAt < HAND_OFF_GRACE_S) return false;
  }
  return everyUserGone(sab, header, alive);
}

function memoized(check: (pid: number) => boolean): (pid: number) => boolean {
  const known = new Map<number, boolean>();
  return (pid) => {
    let result = known.get(pid);
    if (result === undefined) known.set(pid, (result = check(pid)));
    return result;
  };
}
