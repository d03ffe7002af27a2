import { pidNamespace, provablyGone } from '@mpts/proxy/wire';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';

/**
 * The private directory (0700, `<tmpdir>/mpts-XXXXXX`) that holds a forked manager server's
 * Unix socket, and its removal in every way the server can end:
 * - the server removes it when it exits normally, on SIGTERM, or when its parent goes;
 * - the parent removes it when it sees the server exit, whichever way (SIGKILL included);
 * - when both were killed, the next manager server to start on this machine removes it: each
 *   directory names its server (pid and PID namespace) in an owner file, and a directory whose
 *   server is provably dead is stale.
 */

const PREFIX = 'mpts-';
const OWNER_FILE = 'server.pid';
/** `mpts manager <pid> <pid namespace>`, so that a file someone else made never matches. */
const OWNER_LINE = /^mpts manager (\d+) (\d+)\n$/;

/** Makes a new socket directory owned by this process; returns the socket's path in it. */
export function makeSocketDir(): string {
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  writeFileSync(join(dir, OWNER_FILE), `mpts manager ${process.pid} ${pidNamespace()}\n`, { mode: 0o600 });
  return join(dir, 'manager.sock');
}

/** Removes the socket directory of a socket path `makeSocketDir` made; anything else is left. */
export function removeSocketDir(socketPath: string | undefined): void {
  if (socketPath === undefined || !isAbsolute(socketPath)) return;
  const dir = dirname(socketPath);
  if (dirname(dir) === tmpdir() && basename(dir).startsWith(PREFIX)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Removes the socket directories left by servers that were killed with their parent. Only
 * directories that are provably a manager's (named `mpts-*`, a real directory of this user,
 * with an owner file in mpts's format) and whose server is provably dead (same PID namespace,
 * pid gone) are removed. One whose owner file is not written yet is left: it is being made.
 */
export function removeStaleSocketDirs(): void {
  const parent = tmpdir();
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(parent, name);
    try {
      const stat = lstatSync(dir);
      if (!stat.isDirectory() || stat.uid !== process.getuid?.()) continue;
      const owner = OWNER_LINE.exec(readFileSync(join(dir, OWNER_FILE), 'utf8'));
      if (owner === null) continue;
      const [, pid, namespace] = owner;
      if (!provablyGone(Number(pid), Number(namespace))) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // no owner file (not a manager's, or still being made), or removed meanwhile: leave it
    }
  }
}
