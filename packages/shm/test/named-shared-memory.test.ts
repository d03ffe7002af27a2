// Named shared memory across real processes: Python's own multiprocessing.shared_memory on the
// other side (CPython 3.11 and 3.13), cluster workers and unrelated Node processes attaching by
// name, and nothing left in /dev/shm, also after SIGKILLs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  FileExistsError, FileNotFoundError, IndexError, OSError, StructError, ValueError,
} from '@mpts/proxy/wire';
import { SharedMemory, SharedMemoryManager, ShareableList } from '../src/index.js';
import { describeCrossProcess } from './cross-process.js';
import { exited, runNodePeer } from './node-peer.js';
import { alive, eventually, runChild } from './helpers.js';

/** Every name a test here makes starts with this, so leftovers are easy to find. */
const prefix = `mpts_named_${process.pid}_`;
const pythonPeer = fileURLToPath(new URL('./fixtures/named_peer.py', import.meta.url));

/** A CPython of pyenv's, if this machine has it. */
function pyenvPython(version: string): string | undefined {
  try {
    const path = `${execFileSync('pyenv', ['prefix', version], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()}/bin/python3`;
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}
/** python3 on the PATH (3.11 here), and the newer CPythons where pyenv has them. */
const pythons: [string, string][] = [['python3', 'python3']];
for (const version of ['3.12.1', '3.13.0']) {
  const path = pyenvPython(version);
  if (path !== undefined) pythons.push([`CPython ${version}`, path]);
}

const children = new Set<ChildProcess>();
/** Processes a test started that are not its children (trackers, manager servers). */
const strays = new Set<number>();
/** Names a test made that are not its own to check: psm_ names of the blocks it asked for. */
const madeNames = new Set<string>();

function ours(): string[] {
  return readdirSync('/dev/shm').filter((name) => name.startsWith(prefix) || madeNames.has(name));
}

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([...children].map((child) => exited(child)));
  children.clear();
  for (const pid of strays) if (alive(pid)) process.kill(pid, 'SIGKILL');
  strays.clear();
  const left = ours();
  for (const name of left) unlinkSync(`/dev/shm/${name}`);
  madeNames.clear();
  expect(left).toEqual([]);
});

afterAll(() => {
  expect(ours()).toEqual([]);
});


/** A Python peer: its JSON lines in order, and a go-ahead to write to its stdin. */
function runPython(python: string, ...args: string[]) {
  const child = spawn(python, [pythonPeer, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => { errors += chunk; });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    async next(): Promise<Record<string, any>> {
      const line = await lines.next();
      if (line.done) throw new Error(`the Python peer ended without a reply: ${errors}`);
      return JSON.parse(line.value) as Record<string, any>;
    },
    goAhead: () => child.stdin!.write('{}\n'),
    exited: () => exited(child),
    stderr: () => errors,
  };
}

const runNode = (...args: string[]) => runNodePeer(children, ...args);

describeCrossProcess('named shared memory with Python', () => {
  for (const [label, python] of pythons) {
    describe(label, () => {
      it('Python creates a block and a ShareableList; Node attaches, reads and writes; Python reads the writes', async () => {
        const peer = runPython(python, 'create');
        const made = await peer.next();
        madeNames.add(made.shm).add(made.sl);
        const shm = new SharedMemory(made.shm);
        expect([shm.name, shm.size]).toEqual([made.shm, made.size]);
        expect(Buffer.from(shm.buf.subarray(0, 5)).toString()).toBe('hello');
        const doubles = new Float64Array(shm.buf.buffer, 8, 1);
        expect(doubles[0]).toBe(0.1);

        const sl = new ShareableList(null, { name: made.sl });
        expect(sl.shm.size).toBe(made.slsize);
        expect(sl.length).toBe(8);
        expect(sl.format).toBe(made.format);
        expect(String(sl)).toBe(`ShareableList(${made.list}, name='${made.sl}')`);
        expect(sl.toArray()).toEqual([42, 2.5, true, null, 'héllo', Buffer.from('by\0tes'), -(2n ** 63n), 2n ** 53n + 1n]);

        shm.buf.set(Buffer.from(' JS'), 5);
        doubles[0] = -1.5;
        sl[0] = 'node';
        sl[1] = 3n;
        sl[3] = 1.25;
        sl[4] = 'ü';
        sl[-1] = true;
        peer.goAhead();
        const back = await peer.next();
        expect(Buffer.from(back.bytes).toString()).toBe('hello JS');
        expect(back.double).toBe(-1.5);
        expect(back.list).toBe("['node', 3, True, 1.25, 'ü', b'by\\x00tes', -9223372036854775808, True]");
        expect(back.format).toBe('8sqxxxxxxx?d8s8sqxxxxxxx?');
        expect(sl.format).toBe(back.format);
        expect(await peer.exited()).toEqual({ code: 0, signal: null });
        // Python unlinked both; the memory stays mapped here.
        expect(existsSync(`/dev/shm/${made.shm}`)).toBe(false);
        expect(sl[0]).toBe('node');
      });

      it('Node creates a block and a ShareableList; Python attaches, reads and writes; Node reads the writes', async () => {
        const shm = new SharedMemory({ name: `${prefix}block`, create: true, size: 40 });
        shm.buf.set(Buffer.from('hello'));
        new Float64Array(shm.buf.buffer, 8, 1)[0] = 0.1;
        const sl = new ShareableList(['a string', 123456789012n, 0.5, false, null, Buffer.from('by\0tes')],
          { name: `${prefix}list` });
        const peer = runPython(python, 'attach', shm.name, sl.shm.name);
        const seen = await peer.next();
        expect(seen.size).toBe(40);
        expect(Buffer.from(seen.bytes).toString()).toBe('hello');
        expect(seen.double).toBe(0.1);
        expect(seen.list).toBe("['a string', 123456789012, 0.5, False, None, b'by\\x00tes']");
        expect(seen.format).toBe('16sqdxxxxxxx?xxxxxx?x8s');
        expect(seen.slsize).toBe(sl.shm.size);
        expect(await peer.next()).toEqual({ done: true });
        expect(await peer.exited()).toEqual({ code: 0, signal: null });
        expect(peer.stderr()).toBe('');
        expect(Buffer.from(shm.buf.subarray(0, 8)).toString()).toBe('hellopy!');
        expect(sl.toArray()).toEqual(['from py', -7, null, 0.25, Buffer.from([1, 2]), false]);
        expect(sl.format).toBe('16sqxxxxxx?xd8sxxxxxxx?');
        shm.unlink();
        sl.shm.unlink();
      });

      it("raises Python's errors, with Python's messages", async () => {
        const peer = runPython(python, 'errors', prefix);
        const { results: expected } = await peer.next();
        expect(await peer.exited()).toEqual({ code: 0, signal: null });
        expect(ours()).toEqual([]);
        expect(nodeErrors()).toEqual(expected);
      });
    });
  }
});

/** What named_peer.py's 'errors' task does, in mpts: the same calls, in the same order. */
function nodeErrors(): unknown[] {
  const outcome = (action: () => unknown) => {
    try {
      action();
      return ['ok', ''];
    } catch (error) {
      return [(error as Error).name, (error as Error).message];
    }
  };
  const results: unknown[] = [];
  results.push(outcome(() => new SharedMemory({ create: true, size: 0 })));
  results.push(outcome(() => new SharedMemory({ create: true, size: -1 })));
  results.push(outcome(() => new SharedMemory({ size: 10 })));
  results.push(outcome(() => new SharedMemory(`${prefix}missing`)));
  const first = new SharedMemory({ name: `${prefix}taken`, create: true, size: 10 });
  results.push(outcome(() => new SharedMemory({ name: `${prefix}taken`, create: true, size: 10 })));
  results.push(outcome(() => new SharedMemory({ name: `${prefix}a/b`, create: true, size: 10 })));
  results.push(outcome(() => new SharedMemory({ name: '', create: true, size: 10 })));
  first.close();
  first.unlink();
  results.push(outcome(() => first.unlink()));
  const sl = new ShareableList(['abc', 1, Buffer.from('xy')], { name: `${prefix}list` });
  results.push(outcome(() => sl[3]));
  results.push(outcome(() => { sl[3] = 1; }));
  results.push(outcome(() => { sl[0] = 'abcdefghi'; }));
  results.push(outcome(() => { sl[2] = Buffer.from('12345678'); }));
  results.push(outcome(() => { sl[1] = 'too long for an int'; }));
  results.push(outcome(() => sl.index(99)));
  results.push(outcome(() => sl.index('xyz')));
  results.push([String(sl), sl.format]);
  sl.shm.close();
  sl.shm.unlink();
  return results;
}

describeCrossProcess('named shared memory between Node processes', () => {
  it('cluster workers open a block and a ShareableList by name', async () => {
    const peer = runNode('cluster', prefix, '3', '1000');
    const done = await peer.message;
    expect(await peer.exited()).toEqual({ code: 0, signal: null });
    expect(done.codes).toEqual([0, 0, 0]);
    expect(done.total).toBe(3000);
    expect(done.list).toHaveLength(3);
    for (const entry of done.list) expect(entry).toMatch(/^worker \d+$/);
    expect(new Set(done.list).size).toBe(3);
  });

  it('a SharedMemory and a ShareableList in a child process’s arguments reach it as their names', async () => {
    const shm = new SharedMemory({ name: `${prefix}arg`, create: true, size: 32 });
    const sl = new ShareableList(['........', 0], { name: `${prefix}arglist` });
    const child = runChild('writeNamedBlocks', [shm, sl]);
    children.add(child.child);
    await child.message('done');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(Buffer.from(shm.buf.subarray(0, 14)).toString()).toBe('from the child');
    expect(sl.toArray()).toEqual([shm.name.slice(0, 8), 32]);
    shm.unlink();
    sl.shm.unlink();
  });

  it('unrelated processes attach a block by name and add to it atomically', async () => {
    const shm = new SharedMemory({ name: `${prefix}counter`, create: true, size: 4 });
    const peers = [runNode('add', shm.name, '20000'), runNode('add', shm.name, '20000')];
    for (let i = 0; i < 20000; i++) Atomics.add(new Int32Array(shm.buf.buffer, 0, 1), 0, 1);
    for (const peer of peers) expect(await peer.exited()).toEqual({ code: 0, signal: null });
    expect(new Int32Array(shm.buf.buffer, 0, 1)[0]).toBe(60000);
    shm.unlink();
  });

  it('the blocks a process made are unlinked when it is SIGKILLed, and a manager’s too; an untracked one stays', async () => {
    const peer = runNode('hold', prefix);
    const held = await peer.message;
    for (const name of [...held.tracked, ...held.managed]) madeNames.add(name);
    strays.add(held.trackerPid).add(held.managerPid);
    const everything = [...held.tracked, ...held.managed, held.untracked];
    expect(everything.every((name: string) => existsSync(`/dev/shm/${name}`))).toBe(true);
    peer.child.kill('SIGKILL');
    await peer.exited();
    expect(await eventually(() => !alive(held.trackerPid) && !alive(held.managerPid), 10)).toBe(true);
    expect(everything.filter((name: string) => existsSync(`/dev/shm/${name}`))).toEqual([held.untracked]);
    unlinkSync(`/dev/shm/${held.untracked}`);
  });

  it('a name unlinked and made again by another process is not unlinked when the first maker dies', async () => {
    const peer = runNode('hold', prefix);
    const held = await peer.message;
    for (const name of [...held.tracked, ...held.managed]) madeNames.add(name);
    strays.add(held.trackerPid).add(held.managerPid);
    const [named] = held.tracked as [string];
    new SharedMemory(named).unlink();
    const mine = new SharedMemory({ name: named, create: true, size: 16 });
    peer.child.kill('SIGKILL');
    await peer.exited();
    expect(await eventually(() => !alive(held.trackerPid), 10)).toBe(true);
    expect(existsSync(`/dev/shm/${named}`)).toBe(true);
    // Its SharedMemoryManager's server unlinks the blocks it made once it sees its parent gone.
    expect(await eventually(() => !alive(held.managerPid), 10)).toBe(true);
    mine.unlink();
    unlinkSync(`/dev/shm/${held.untracked}`);
  });

  it('the blocks a process made are unlinked when it exits, unless untracked', async () => {
    const peer = runNode('hold', prefix, 'exit');
    const held = await peer.message;
    for (const name of [...held.tracked, ...held.managed]) madeNames.add(name);
    strays.add(held.trackerPid).add(held.managerPid);
    expect(await peer.exited()).toEqual({ code: 0, signal: null });
    // The process itself unlinks its tracked blocks as it exits; the manager's server on seeing it go.
    expect(held.tracked.filter((name: string) => existsSync(`/dev/shm/${name}`))).toEqual([]);
    expect(await eventually(() => !alive(held.managerPid), 10)).toBe(true);
    expect(held.managed.filter((name: string) => existsSync(`/dev/shm/${name}`))).toEqual([]);
    expect(existsSync(`/dev/shm/${held.untracked}`)).toBe(true);
    unlinkSync(`/dev/shm/${held.untracked}`);
  });
});

describeCrossProcess('SharedMemoryManager', () => {
  it('unlinks every block it made when it shuts down, and its server exits', async () => {
    let pid: number | undefined;
    const names: string[] = [];
    {
      await using smm = await SharedMemoryManager.start();
      pid = smm.pid!;
      strays.add(pid);
      const shm = smm.SharedMemory(128);
      const sl = smm.ShareableList(['howdy', 2.5, 7]);
      const unlinkedEarly = smm.SharedMemory(8);
      names.push(shm.name, sl.shm.name, unlinkedEarly.name);
      for (const name of names) madeNames.add(name);
      expect(shm.size).toBe(128);
      expect(sl.toArray()).toEqual(['howdy', 2.5, 7]);
      unlinkedEarly.unlink();
      expect(names.map((name) => existsSync(`/dev/shm/${name}`))).toEqual([true, true, false]);
    }
    expect(names.filter((name) => existsSync(`/dev/shm/${name}`))).toEqual([]);
    expect(alive(pid)).toBe(false);
  });

  it("is used as Python's is: not before start, not after shutdown", async () => {
    const smm = new SharedMemoryManager();
    expect(() => smm.SharedMemory(8)).toThrow('Manager has not been started');
    await smm.start();
    strays.add(smm.pid!);
    await expect(smm.start()).rejects.toThrow('Already started server');
    await smm.shutdown();
    await smm.shutdown();
    expect(() => smm.ShareableList([1])).toThrow('Manager has shut down');
  });
});

describe('without the addon', () => {
  it('says why a named block cannot be made, and that a token cannot be opened', () => {
    const program = `
      import { SharedMemory, ShareableList, fromShmToken } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      const seen = [];
      for (const make of [() => new SharedMemory({ create: true, size: 8 }), () => new ShareableList([1]),
        () => fromShmToken('mpts-shm:' + Buffer.from('{}').toString('base64url'))]) {
        try { make(); seen.push('made'); } catch (error) { seen.push(error.name + ': ' + error.message); }
      }
      console.log(JSON.stringify(seen));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', program],
      { env: { ...process.env, MPTS_SHM_NO_ADDON: '1' }, encoding: 'utf8' });
    const seen = JSON.parse(out) as string[];
    expect(seen).toHaveLength(3);
    for (const line of seen) {
      expect(line).toMatch(/^RuntimeError: this (shared memory block|object) lives in memory that cannot reach another process: .*MPTS_SHM_NO_ADDON/);
    }
  });
});

describeCrossProcess('SharedMemory and ShareableList in one process', () => {
  it("gives Python's names, sizes and repr", () => {
    const shm = new SharedMemory({ create: true, size: 10 });
    madeNames.add(shm.name);
    expect(shm.name).toMatch(/^psm_[0-9a-f]{8}$/);
    expect(shm.size).toBe(10);
    expect(String(shm)).toBe(`SharedMemory('${shm.name}', size=10)`);
    expect(shm.buf.buffer).toBeInstanceOf(SharedArrayBuffer);
    const again = new SharedMemory(shm.name);
    again.buf[3] = 7;
    expect(shm.buf[3]).toBe(7);
    shm.close();
    expect(() => shm.buf).toThrow(new ValueError('operation forbidden on released memoryview object'));
    expect(again.buf[3]).toBe(7);
    shm.unlink();
    expect(() => again.unlink()).toThrow(FileNotFoundError);
    expect(() => new SharedMemory(shm.name)).toThrow(FileNotFoundError);
  });

  it('raises OSError subclasses with errno, strerror and filename', () => {
    const shm = new SharedMemory({ name: `${prefix}errno`, create: true, size: 1 });
    try {
      new SharedMemory({ name: `${prefix}errno`, create: true, size: 1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FileExistsError);
      expect(error).toBeInstanceOf(OSError);
      expect(error).toMatchObject({ errno: 17, strerror: 'File exists', filename: `/${prefix}errno` });
    }
    shm.unlink();
  });

  it('refuses what Python cannot store, and ints past 64 bits as struct.error; leaves no block behind', () => {
    expect(() => new ShareableList([1, 2n ** 63n], { name: `${prefix}toolarge` })).toThrow(new StructError(
      "'q' format requires -9223372036854775808 <= number <= 9223372036854775807"));
    expect(existsSync(`/dev/shm/${prefix}toolarge`)).toBe(false);
    expect(() => new ShareableList([[1] as never], { name: `${prefix}notstorable` })).toThrow(TypeError);
    expect(existsSync(`/dev/shm/${prefix}notstorable`)).toBe(false);
  });

  it('raises IndexError for a negative index past the start (where Python reads a wrong item)', () => {
    const sl = new ShareableList([1, 2, 3], { name: `${prefix}negative` });
    expect(sl[-3]).toBe(1);
    expect(() => sl[-4]).toThrow(new IndexError('index out of range'));
    expect(sl.count(1)).toBe(1);
    expect(sl.count(true)).toBe(1);
    expect(sl.index(3)).toBe(2);
    expect([...sl]).toEqual([1, 2, 3]);
    expect(2 in sl).toBe(true);
    expect(3 in sl).toBe(false);
    sl.shm.unlink();
  });

  it('refuses a block that holds no ShareableList, reading no more than the block', () => {
    const shm = new SharedMemory({ name: `${prefix}notalist`, create: true, size: 64 });
    new DataView(shm.buf.buffer).setBigInt64(0, 2n ** 62n, true);
    expect(() => new ShareableList(null, { name: shm.name }))
      .toThrow(new ValueError(`the shared memory block '${shm.name}' does not hold a ShareableList`));
    new DataView(shm.buf.buffer).setBigInt64(0, -1n, true);
    expect(() => new ShareableList(null, { name: shm.name })).toThrow(ValueError);
    shm.unlink();
    expect(() => new SharedMemory({ name: 123 as never })).toThrow(
      new TypeError('can only concatenate str (not "int") to str'));
  });

  it('refuses to attach an empty block, as Python does', async () => {
    const { openSync, closeSync } = await import('node:fs');
    closeSync(openSync(`/dev/shm/${prefix}empty`, 'wx', 0o600));
    expect(() => new SharedMemory(`${prefix}empty`)).toThrow(new ValueError('cannot mmap an empty file'));
    unlinkSync(`/dev/shm/${prefix}empty`);
  });

  it('gives str items room for their UTF-8 bytes', () => {
    const sl = new ShareableList(['€€€€€€€'], { name: `${prefix}utf8` });
    // 21 bytes: 24 of room, where Python (counting 7 characters) gives 8 and cuts the text.
    expect(sl.format).toBe('24s');
    expect(sl[0]).toBe('€€€€€€€');
    sl.shm.unlink();
  });
});
