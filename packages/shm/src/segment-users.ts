import { USER_SLOTS, USERS_OFFSET, USERS_OVERFLOWED } from './segment-layout.js';
import { OWN_RECORD, provablyDead } from './liveness.js';

/**
 * The users' table of a segment: each process that maps a segment by name (its creator, and
 * every child it is handed to) records itself, once, before it counts its hand-off as done. A
 * name whose every recorded user is provably dead can no longer be passed on by anyone.
 *
 * Slots are never emptied (a process that stops using a segment stays recorded until it dies);
 * when all are taken, a newcomer takes the slot of a provably dead user, and if there is none it
 * sets the overflow flag: then nobody can tell the name is orphaned, and it is never reclaimed.
 */
export function recordUser(sab: SharedArrayBuffer, header: Int32Array): void {
  const users = new BigInt64Array(sab, USERS_OFFSET, USER_SLOTS);
  // Slots fill in order: the first free one ends the table.
  for (let i = 0; i < USER_SLOTS; i++) {
    const user = Atomics.load(users, i);
    if (user === OWN_RECORD) return;
    if (user === 0n && Atomics.compareExchange(users, i, 0n, OWN_RECORD) === 0n) return;
  }
  for (let i = 0; i < USER_SLOTS; i++) {
    const user = Atomics.load(users, i);
    if (provablyDead(user) && Atomics.compareExchange(users, i, user, OWN_RECORD) === user) return;
  }
  Atomics.store(header, USERS_OVERFLOWED, 1);
}

/** Whether every process that used the segment is provably dead (see liveness.ts). */
export function everyUserGone(sab: SharedArrayBuffer, header: Int32Array, alive: (pid: number) => boolean): boolean {
  if (Atomics.load(header, USERS_OVERFLOWED) !== 0) return false;
  const users = new BigInt64Array(sab, USERS_OFFSET, USER_SLOTS);
  for (let i = 0; i < USER_SLOTS; i++) {
    const user = Atomics.load(users, i);
    if (user === 0n) break;
    if (!provablyDead(user, alive)) return false;
  }
  return true;
}
