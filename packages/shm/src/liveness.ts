import { pidNamespace, provablyGone } from '@mpts/proxy/wire';
import { futex } from './futex.js';

/**
 * Which process a pid recorded in shared memory means, and whether that process is provably
 * dead. A pid only names a process within a PID namespace (a container sharing /dev/shm with
 * the host sees other numbers), so shared memory records a process as its pid *and* its PID
 * namespace, packed in one 64-bit word that is written atomically; whether it is gone is judged
 * by `provablyGone`, as for a manager's socket directory.
 */

/** A process as recorded in shared memory: PID namespace in the high 32 bits, pid in the low. */
export type ProcessRecord = bigint;

/** The record of a pid of this process's namespace. */
function recordOf(pid: number, namespace = pidNamespace()): ProcessRecord {
  return (BigInt.asUintN(32, BigInt(namespace)) << 32n) | BigInt(pid);
}

/** This process's record. */
export const OWN_RECORD: ProcessRecord = recordOf(process.pid);

export const pidOfRecord = (record: ProcessRecord): number => Number(record & 0xffffffffn);
const namespaceOfRecord = (record: ProcessRecord): number => Number(BigInt.asUintN(32, record >> 32n));

/**
 * Whether the recorded process is certainly gone: it was in this process's PID namespace and no
 * process (other than a zombie) has its pid any more. `alive` may cache liveness over one scan.
 */
export function provablyDead(record: ProcessRecord, alive: (pid: number) => boolean = futex.pidAlive): boolean {
  return provablyGone(pidOfRecord(record), namespaceOfRecord(record), alive);
}
