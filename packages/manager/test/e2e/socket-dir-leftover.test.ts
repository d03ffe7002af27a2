// No socket directory left behind: a forked manager server's private directory goes when the
// server is SIGKILLed under a live parent, and, when server and parent were both SIGKILLed, when
// the next manager server starts; directories that are not provably a dead server's stay.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Manager } from '@mpts/manager';
import { fixture, waitFor } from '../helpers.js';

/** Whether a process has this pid and is not a zombie (which an ended orphan may stay as). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

const pids = new Set<number>();
const dirs = new Set<string>();
const managers = new Set<Manager>();

afterEach(async () => {
  for (const manager of managers) await manager.shutdown();
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await waitFor(() => [...pids].every((pid) => !alive(pid)), 10_000);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  managers.clear();
  pids.clear();
  dirs.clear();
});

async function startManager(): Promise<Manager> {
  const manager = await Manager.start();
  managers.add(manager);
  pids.add(manager.pid!);
  dirs.add(dirname(manager.address));
  return manager;
}

/** A directory named as a manager's, with `owner` as its owner file (none if undefined). */
function fakeSocketDir(owner: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'mpts-'));
  dirs.add(dir);
  if (owner !== undefined) writeFileSync(join(dir, 'server.pid'), owner);
  return dir;
}

describe('a manager socket directory', () => {
  it('goes when the server is SIGKILLed while its parent lives', async () => {
    const manager = await startManager();
    const dir = dirname(manager.address);
    expect(existsSync(join(dir, 'manager.sock'))).toBe(true);
    process.kill(manager.pid!, 'SIGKILL');
    await waitFor(() => !existsSync(dir), 10_000);
    await manager.shutdown();
    expect(existsSync(dir)).toBe(false);
  });

  it('goes at the next manager start when server and parent were both SIGKILLed; others stay', async () => {
    const parent = spawn(process.execPath, [fileURLToPath(fixture('orphan-parent.mjs'))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    pids.add(parent.pid!);
    const parentExited = new Promise((resolve) => parent.once('exit', resolve));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: parent.stdout! }).once('line', resolve);
      parent.once('exit', (code) => reject(new Error(`the fixture exited with ${code}`)));
    });
    const { pid: serverPid, address } = JSON.parse(line) as { pid: number; address: string };
    pids.add(serverPid);
    const killedDir = dirname(address);
    dirs.add(killedDir);
    // A stopped parent cannot react to its server's death: both die without cleaning up.
    process.kill(parent.pid!, 'SIGSTOP');
    process.kill(serverPid, 'SIGKILL');
    await waitFor(() => !alive(serverPid), 10_000);
    process.kill(parent.pid!, 'SIGKILL');
    await parentExited;
    expect(existsSync(killedDir)).toBe(true);

    const namespace = statSync('/proc/self/ns/pid').ino;
    const notAManagers = fakeSocketDir(undefined);
    const liveServers = fakeSocketDir(`mpts manager ${process.pid} ${namespace}\n`);
    const otherNamespaces = fakeSocketDir(`mpts manager ${serverPid} ${namespace + 1}\n`);
    const otherFormat = fakeSocketDir(`${serverPid}\n`);

    const next = await startManager();
    expect(existsSync(killedDir)).toBe(false);
    for (const dir of [notAManagers, liveServers, otherNamespaces, otherFormat]) expect(existsSync(dir)).toBe(true);
    // A live server's own directory stays too.
    const another = await startManager();
    expect(existsSync(dirname(next.address))).toBe(true);
    expect(existsSync(dirname(another.address))).toBe(true);
  });
});
