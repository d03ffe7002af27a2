import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encode, whileSpawning } from '@mpts/proxy/wire';
import { RuntimeError } from '@mpts/proxy';
import { Array as SharedArray, Lock, RawArray, RawValue, RLock, Value } from '../src/index.js';
import { describeCrossProcess } from './cross-process.js';
import { alive, built, eventually, killChildren, runChild, segmentsOf, segmentsSince } from './helpers.js';
import { unlinkedAfterEachTest } from './leak-check.js';

const keep = unlinkedAfterEachTest(killChildren);

describeCrossProcess('shared memory across processes', () => {
  it("runs Python's sharedctypes demo: a child sets a 'd' value and negates an 'i' array", async () => {
    const num = keep(Value('d', 0.0));
    const arr = keep(SharedArray('i', Array.from({ length: 10 }, (_, i) => i)));
    const child = runChild('negate', [num, arr]);
    expect((await child.exited).code).toBe(0);
    expect(num.value).toBe(3.1415927);
    expect(arr.getSlice()).toEqual([0, -1, -2, -3, -4, -5, -6, -7, -8, -9]);
  });

  it("shares 'f' and 'd' arrays that a child negates", async () => {
    const f = keep(SharedArray('f', [0.1, -2.5, 3]));
    const d = keep(RawArray('d', [0.1, -2.5, 1e300]));
    const n = keep(RawValue('f', 0));
    await runChild('negate', [n, f]).exited;
    await runChild('negate', [n, d]).exited;
    expect(f.toArray()).toEqual([-Math.fround(0.1), 2.5, -3]);
    expect(d.toArray()).toEqual([-0.1, 2.5, -1e300]);
    expect(n.value).toBe(Math.fround(3.1415927));
  });

  it('sums 4 processes × 100,000 locked increments exactly', async () => {
    const v = keep(Value('i', 0));
    const children = [1, 2, 3, 4].map(() => runChild('incrementLocked', [v, 100_000]));
    const exits = await Promise.all(children.map((c) => c.exited));
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0, 0]);
    expect(v.value).toBe(400_000);
  });

  it('sums atomic add() from 4 processes exactly, without a lock', async () => {
    const v = keep(RawValue('q', 0n));
    const a = keep(RawArray('I', 3));
    const children = [1, 2, 3, 4].map(() => runChild('addAtomic', [v, a, 30_000]));
    await Promise.all(children.map((c) => c.exited));
    expect(v.value).toBe(120_000n);
    expect(a.toArray().reduce((x, y) => x + y, 0)).toBe(120_000);
  });

  it("shares 'c' arrays: value up to the first NUL, raw, and writes seen by the parent", async () => {
    const c = keep(SharedArray('c', Buffer.from('hello')));
    const raw = keep(RawArray('c', Buffer.from('abc\0ef')));
    const child = runChild('chars', [c, raw]);
    const seen = await child.message<Record<string, string>>('seen');
    expect(seen).toEqual({ type: 'seen', value: 'hello', raw: 'hello', first: 'h', rawValue: 'abc' });
    expect((await child.exited).code).toBe(0);
    expect(c.raw).toEqual(Buffer.from('hi\0lo'));
    expect(c.value).toEqual(Buffer.from('hi'));
    expect(raw.raw).toEqual(Buffer.from('XYc\0ef'));
  });

  it('rebuilds wrappers, raw objects and locks in the child with their types and values', async () => {
    const sharedLock = keep(new Lock());
    const items = [Value('i', 5), RawValue('c_double', 0.5), SharedArray('h', [1, 2]),
      RawArray('c', 3), new Lock(), new RLock(), Value('L', 2n ** 64n - 1n, { lock: sharedLock })];
    items.forEach(keep);
    const child = runChild('describe', items);
    const { items: described } = await child.message<{ items: string[] }>('described');
    expect(described).toEqual(items.map(String));
    expect(described[0]).toBe('<Synchronized wrapper for c_int(5)>');
  });

  it('passes shared memory on to a grandchild', async () => {
    const num = keep(RawValue('d', 0));
    const arr = keep(RawArray('b', [1, 2, 3]));
    const child = runChild('passOn', [num, arr]);
    expect(await child.message('grandchild')).toMatchObject({ code: 0 });
    expect(arr.toArray()).toEqual([-1, -2, -3]);
    expect(num.value).toBe(3.1415927);
  });

  it('refuses to encode shared memory except while spawning a process, as Python does', async () => {
    const v = keep(Value('i', 1));
    expect(() => encode({ v })).toThrow(new RuntimeError(
      'Synchronized objects should only be shared between processes through inheritance'));
    expect(() => encode(v.getLock())).toThrow(RuntimeError);
    expect(() => encode(v.getObj())).toThrow(RuntimeError);
    const child = runChild('refuseOutsideSpawning', [v]);
    expect(await child.message('refused')).toMatchObject({
      name: 'RuntimeError',
      message: 'Synchronized objects should only be shared between processes through inheritance',
    });
  });

  it('refuses to hand off an object whose name was unlinked', () => {
    const v = Value('i', 1);
    v.unlink();
    expect(() => whileSpawning(() => encode(v))).toThrow(/was unlinked/);
    v.value = 2;
    expect(v.value).toBe(2);
  });
});

describeCrossProcess('a lock held by a process that dies', () => {
  it('is taken over by the next acquire once the holder is SIGKILLed', async () => {
    const lock = keep(new Lock());
    const holder = runChild('holdLock', [lock]);
    await holder.message('held');
    expect(lock.ownerPid).toBe(holder.pid);
    expect(lock.acquire({ blocking: false })).toBe(false);
    holder.child.kill('SIGKILL');
    await holder.exited;
    expect(lock.acquire({ timeout: 10 })).toBe(true);
    expect(lock.ownerPid).toBe(process.pid);
    lock.release();
  });

  it('wakes a process blocked in acquire() when the holder is SIGKILLed', async () => {
    const lock = keep(new RLock());
    const who = keep(RawValue('i', 0));
    const holder = runChild('holdLock', [lock]);
    await holder.message('held');
    const waiter = runChild('waitForLock', [lock, who]);
    await waiter.message('waiting');
    holder.child.kill('SIGKILL');
    expect(await waiter.message('acquired')).toMatchObject({ got: true });
    expect(who.value).toBe(waiter.pid);
    expect((await waiter.exited).code).toBe(0);
    expect(lock.acquire({ blocking: false })).toBe(true);
    lock.release();
  });

  it('is taken over by acquireAsync too', async () => {
    const v = keep(Value('i', 0));
    const holder = runChild('holdLock', [v.getLock()]);
    await holder.message('held');
    const acquiring = v.acquireAsync({ timeout: 10 });
    holder.child.kill('SIGKILL');
    expect(await acquiring).toBe(true);
    v.value = 1;
    v.release();
  });
});

describeCrossProcess('no shared memory left behind', () => {
  it('unlinks the names of objects the creating process has garbage collected', async () => {
    const output = await new Promise<string>((resolve, reject) => {
      const program = fileURLToPath(built(new URL('./fixtures/gc-check.ts', import.meta.url)));
      execFile(process.execPath, ['--expose-gc', ...(program.endsWith('.ts') ? ['--import', 'tsx'] : []), program],
        (error, stdout, stderr) => (error ? reject(new Error(stderr || String(error))) : resolve(stdout)));
    });
    expect(JSON.parse(output)).toEqual({ before: 100, after: 0 });
  });

  it('unlinks the names of a process that exits normally', async () => {
    const child = runChild('createAndExit', []);
    const { tracker, names } = await child.message<{ tracker: number; names: string[] }>('created');
    expect(names.length).toBe(3);
    await child.exited;
    expect(await eventually(() => segmentsOf(child.pid).length === 0)).toBe(true);
    expect(await eventually(() => !alive(tracker))).toBe(true);
  });

  it("unlinks a SIGKILLed creator's names through its tracker, which then exits", async () => {
    const child = runChild('createAndHold', []);
    const { tracker } = await child.message<{ tracker: number }>('created');
    expect(tracker).toBeGreaterThan(0);
    expect(alive(tracker)).toBe(true);
    expect(segmentsOf(child.pid).length).toBe(3);
    child.child.kill('SIGKILL');
    await child.exited;
    expect(await eventually(() => segmentsOf(child.pid).length === 0)).toBe(true);
    expect(await eventually(() => !alive(tracker))).toBe(true);
  });

  it('keeps a name until the child it was handed to has attached, then unlinks it', async () => {
    const before = segmentsOf(process.pid);
    const v = Value('i', 0);
    const [name] = segmentsSince(before);
    const child = runChild('incrementLocked', [v, 10]);
    v.unlink(); // the child has not attached yet: the name stays for it
    expect(segmentsOf(process.pid)).toContain(name);
    expect((await child.exited).code).toBe(0);
    expect(v.value).toBe(10);
    expect(await eventually(() => segmentsSince(before).length === 0)).toBe(true);
  });
});
