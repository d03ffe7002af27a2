// Nothing left behind: shared memory whose creator and tracker were both SIGKILLed is reclaimed
// by the next process that creates shared memory, but never while a process still uses it, and
// never a file mpts did not make; and a lock held from another PID namespace is never taken
// over as if its holder were dead.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Lock } from '../src/index.js';
import { DATA_OFFSET, MAGIC } from '../src/segment-layout.js';
import { describeCrossProcess } from './cross-process.js';
import { alive, eventually, killChildren, runChild, segmentsOf } from './helpers.js';

/** Processes a test started that are not its direct children (trackers, grandchildren). */
const strays = new Set<number>();
/** Pids whose /dev/shm names must not outlive the test. */
const creators = new Set<number>();
/** Files a test wrote in /dev/shm itself. */
const files = new Set<string>();

afterEach(async () => {
  await killChildren();
  for (const pid of strays) if (alive(pid)) process.kill(pid, 'SIGKILL');
  expect(await eventually(() => [...strays].every((pid) => !alive(pid)), 10)).toBe(true);
  for (const name of [...segmentsOf(...creators), ...files]) unlinkSync(`/dev/shm/${name}`);
  strays.clear();
  creators.clear();
  files.clear();
});

/** SIGKILLs a process by pid and waits until it is gone (or a zombie). */
async function kill(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  expect(await eventually(() => !alive(pid), 10)).toBe(true);
}

/** Runs a new process that creates shared memory (and so looks for orphans), to its end. */
async function nextUse(): Promise<void> {
  const child = runChild('createAndExit', []);
  creators.add(child.pid);
  await child.message('created');
  expect((await child.exited).code).toBe(0);
}

/** A pid that no process has now: one of a process that has ended. */
function deadPid(): number {
  const pid = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }));
  expect(alive(pid)).toBe(false);
  return pid;
}

describeCrossProcess('shared memory whose creator and tracker were killed', () => {
  it('is unlinked by the next process that creates shared memory', async () => {
    const creator = runChild('createAndHold', []);
    creators.add(creator.pid);
    const { tracker } = await creator.message<{ tracker: number }>('created');
    strays.add(tracker);
    await kill(tracker);
    await kill(creator.pid);
    // Nobody is left to unlink them: they stay.
    const left = segmentsOf(creator.pid);
    expect(left.length).toBe(3);
    await nextUse();
    expect(segmentsOf(creator.pid)).toEqual([]);
  });

  it('is kept while a process it was handed to lives, and unlinked once that one is killed', async () => {
    const creator = runChild('createAndShare', []);
    creators.add(creator.pid);
    const { tracker, grandchild, names } =
      await creator.message<{ tracker: number; grandchild: number; names: string[] }>('shared');
    strays.add(tracker).add(grandchild);
    expect(names.length).toBe(1);
    await kill(tracker);
    await kill(creator.pid);
    expect(alive(grandchild)).toBe(true);
    await nextUse();
    expect(segmentsOf(creator.pid)).toEqual(names);
    await kill(grandchild);
    await nextUse();
    expect(segmentsOf(creator.pid)).toEqual([]);
  });

  it('never unlinks a file mpts did not make, even named like its own', async () => {
    const pid = deadPid();
    // The right name and size, but no mpts magic: not made by mpts.
    const foreign = `mpts-${pid}-${randomBytes(8).toString('hex')}`;
    files.add(foreign);
    writeFileSync(`/dev/shm/${foreign}`, Buffer.alloc(DATA_OFFSET + 8), { mode: 0o600 });
    await nextUse();
    expect(existsSync(`/dev/shm/${foreign}`)).toBe(true);
  });

  it.runIf(process.getuid?.() === 0)("never unlinks another user's, though root could", async () => {
    // mpts's magic and no user alive (none recorded), but owned by nobody.
    const othersFile = `mpts-${deadPid()}-${randomBytes(8).toString('hex')}`;
    files.add(othersFile);
    const header = Buffer.alloc(DATA_OFFSET + 8);
    header.writeInt32LE(MAGIC, 0);
    writeFileSync(`/dev/shm/${othersFile}`, header, { mode: 0o600 });
    chownSync(`/dev/shm/${othersFile}`, 65534, 65534);
    await nextUse();
    expect(existsSync(`/dev/shm/${othersFile}`)).toBe(true);
    // The control: the same file, this user's, is reclaimed.
    chownSync(`/dev/shm/${othersFile}`, 0, 0);
    await nextUse();
    expect(existsSync(`/dev/shm/${othersFile}`)).toBe(false);
    files.delete(othersFile);
  });
});

const canUnshare = (() => {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
})();

describeCrossProcess('a lock across PID namespaces', () => {
  it('is not taken over by a waiter in another PID namespace, to whom the live holder looks dead', async () => {
    const lock = new Lock();
    try {
      expect(lock.acquire()).toBe(true);
      // In its namespace, this process's pid is nobody's: only the recorded namespace tells.
      const waiter = runChild('tryLock', [lock, 0.6], {}, { inNewPidNamespace: true });
      const { got, owner } = await waiter.message<{ got: boolean; owner: number }>('tried');
      expect(got).toBe(false);
      expect(owner).toBe(process.pid);
      expect(lock.ownerPid).toBe(process.pid);
      expect((await waiter.exited).code).toBe(0);
      lock.release();
    } finally {
      lock.unlink();
    }
  });

  it('is taken over by a waiter of the namespace in which its holder was SIGKILLed', async () => {
    const lock = new Lock();
    try {
      const inside = runChild('takeOverFromKilledHolder', [lock], {}, { inNewPidNamespace: true });
      const result = await inside.message<{ heldBy: number; got: boolean; owner: number }>('tried');
      expect(result.got).toBe(true);
      // Pids of that namespace: the waiter is its pid 1, the holder one of its children.
      expect(result.owner).toBe(1);
      expect(result.heldBy).toBeGreaterThan(1);
      expect((await inside.exited).code).toBe(0);
      expect(lock.acquire({ blocking: false })).toBe(true);
      lock.release();
    } finally {
      lock.unlink();
    }
  });
}, canUnshare);
