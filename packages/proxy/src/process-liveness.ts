import { readFileSync, statSync } from 'node:fs';

/**
 * Whether a process that another one recorded (a manager's socket directory, a lock holder in
 * shared memory) is certainly gone. A pid only names a process within a PID namespace (a
 * container sharing /tmp or /dev/shm with the host sees other numbers for the same processes),
 * so a process is recorded as its pid and its PID namespace, and only one of this process's own
 * namespace can be judged.
 */

let ownPidNamespace: number | undefined;

/**
 * The inode of this process's PID namespace; 0 when it cannot be known (no /proc): then nothing
 * is judged gone. Read on first use, in the process that uses it: a manager server starts from
 * a heap the build made (server-snapshot.ts), where a value read at load would be the build's.
 */
export function pidNamespace(): number {
  if (ownPidNamespace === undefined) {
    try {
      ownPidNamespace = statSync('/proc/self/ns/pid').ino;
    } catch {
      ownPidNamespace = 0;
    }
  }
  return ownPidNamespace;
}

/** Whether a process of this PID namespace has this pid and is not a zombie; one that cannot be checked counts as alive. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may hold any character.
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true;
  }
}

/**
 * Whether the process recorded as `pid` of `namespace` is certainly gone: it was of this
 * process's namespace, and `alive` finds no process with its pid any more.
 */
export function provablyGone(pid: number, namespace: number, alive: (pid: number) => boolean = isProcessAlive): boolean {
  const own = pidNamespace();
  if (own === 0 || namespace !== own) return false;
  return !alive(pid);
}
