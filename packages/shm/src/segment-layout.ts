/**
 * Where things are in a shared-memory segment (one Value, Array or Lock, with its own lock).
 *
 * | bytes     | what                                                                      |
 * |-----------|---------------------------------------------------------------------------|
 * | 0..3      | magic `MAGIC`: an mpts segment with this layout, written once set up      |
 * | 4..7      | hand-off word: 2 × (hand-offs to child processes not yet attached) + 1    |
 * |           | once the creating process no longer needs the name                        |
 * | 8..11     | when the last hand-off was counted, in seconds since the epoch (uint32)   |
 * | 12..15    | 1 if a process that mapped the segment found no free slot in the users    |
 * | 64..87    | the segment's own lock, when it has one (a Value's default RLock)         |
 * | 128..1023 | users: the processes that mapped the segment by name (creator, children), |
 * |           | as 64-bit pid + PID namespace records (liveness.ts); 0 = free slot        |
 * | 1024..    | data                                                                      |
 *
 * The users let a later process tell that a name nobody unlinked is an orphan (orphans.ts).
 * Memory is allocated by whole pages, so the larger header costs a Value nothing.
 */
export const MAGIC = 0x6d707432; // 'mpt2'
/** Int32 indexes in the header. */
export const MAGIC_INDEX = 0;
export const STATE = 1;
export const HANDED_OFF_AT = 2;
export const USERS_OVERFLOWED = 3;
export const HEADER_INTS = 4;
/** Bit of the hand-off word: the creating process no longer needs the name. */
export const RELEASED = 1;
/** Byte offset of a segment's own lock. */
export const OWN_LOCK_OFFSET = 64;
/** Byte offset and number of the users' slots. */
export const USERS_OFFSET = 128;
export const USER_SLOTS = 112;
/** Byte offset of a segment's data. */
export const DATA_OFFSET = 1024;
