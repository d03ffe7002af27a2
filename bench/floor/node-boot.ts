/**
 * What Node itself costs to start a process, the floor that W8 (a manager's start) and W11 (a
 * Process child's) are read against: both start a Node process and exchange a message with it.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { now, type Measurement } from '../lib/measure.js';

const echoChild = new URL('./echo-child.cjs', import.meta.url).pathname;

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => child.once('exit', () => resolve()).once('error', reject));
}

/** `node -e 0`: a process that starts and exits. */
export async function nodeBoot(): Promise<Measurement> {
  const start = now();
  await exited(spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }));
  return { value: now() - start };
}

/**
 * `child_process.fork` of a plain script, one IPC round trip, and its exit. The bench runs under
 * tsx; the child must not inherit its loader, which would not be part of the floor.
 */
export async function forkRoundTrip(): Promise<Measurement> {
  const start = now();
  const child = fork(echoChild, [], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const done = exited(child);
  await new Promise<void>((resolve) => {
    child.once('message', () => resolve());
    child.send('ping');
  });
  await done;
  return { value: now() - start };
}
