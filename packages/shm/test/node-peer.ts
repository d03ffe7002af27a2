import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { built } from './helpers.js';

const nodePeer = fileURLToPath(built(new URL('./fixtures/named-peer.ts', import.meta.url)));
const loader = nodePeer.endsWith('.ts') ? ['--import', 'tsx'] : [];

/** How `child` ended, once it has. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * A Node peer (test/fixtures/named-peer.ts) in a process of its own, added to `children` for
 * the test's cleanup to reap: its first IPC message, and its stderr for a failure's message.
 */
export function runNodePeer(children: Set<ChildProcess>, ...args: string[]) {
  const child = fork(nodePeer, args, { execArgv: loader, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  children.add(child);
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => { errors += chunk; });
  const message = new Promise<Record<string, any>>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', () => reject(new Error(`the Node peer ended without a message: ${errors}`)));
  });
  // Only some peers send one; a test that expects one awaits it.
  message.catch(() => {});
  return { child, message, exited: () => exited(child), stderr: () => errors };
}
