// Shared-memory Value, Array and Lock opened from a token by processes mpts did not start: a
// cluster worker, an unrelated node process.
import type { ChildProcess } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { RuntimeError } from '@mpts/proxy/wire';
import { Array as SharedArray, fromShmToken, Lock, RawValue, RLock, shmToken, Value } from '../src/index.js';
import { describeCrossProcess } from './cross-process.js';
import { exited, runNodePeer } from './node-peer.js';
import { segmentsOf } from './helpers.js';

const children = new Set<ChildProcess>();

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([...children].map(exited));
  children.clear();
});


const runNode = (...args: string[]) => runNodePeer(children, ...args);

describeCrossProcess('shared-memory objects from a token', () => {
  it('cluster workers open a Value and an Array (with a shared Lock) from tokens in their environment', async () => {
    const peer = runNode('token-cluster', '3', '500');
    const done = await peer.message;
    expect(await peer.exited()).toEqual({ code: 0, signal: null });
    expect(done).toMatchObject({ codes: [0, 0, 0], value: 1500, array: [1500, 0] });
    expect(segmentsOf(peer.child.pid!)).toEqual([]);
  });

  it('unrelated processes open them from a token in argv, and lock as mpts’s own children do', async () => {
    const value = Value('i', 0);
    const array = SharedArray('d', [0, 0.5], { lock: new Lock() });
    const raw = array.getObj().asTypedArray() as Float64Array;
    const tokens = [shmToken(value), shmToken(array)];
    expect(tokens[0]!.length).toBeLessThan(400);
    const peers = [runNode('token-add', ...tokens, '1000'), runNode('token-add', ...tokens, '1000')];
    for (let i = 0; i < 1000; i++) {
      value.withLock(() => { value.value += 1; });
      array.withLock(() => { raw[0] = raw[0]! + 1; });
    }
    for (const peer of peers) expect(await peer.exited()).toEqual({ code: 0, signal: null });
    expect(value.value).toBe(3000);
    expect(array.toArray()).toEqual([3000, 0.5]);
  });

  it('opens the same object in this process too, on the same memory', () => {
    const raw = RawValue('q', 5n);
    const again = fromShmToken<typeof raw>(shmToken(raw));
    again.value = 7n;
    expect(raw.value).toBe(7n);
    const lock = new RLock();
    const same = fromShmToken<RLock>(shmToken(lock));
    expect(same.acquire()).toBe(true);
    expect(lock.acquire({ blocking: false })).toBe(true);
    lock.release();
    same.release();
  });

  it('refuses what is not a token, what is not shared memory, and an unlinked object', () => {
    expect(() => fromShmToken('hello')).toThrow(new TypeError('not a token made by shmToken()'));
    const forged = `mpts-shm:${Buffer.from(JSON.stringify({ '@mpts/shm': 'value', name: '/etc-passwd', offset: 0, type: 'c_int' })).toString('base64url')}`;
    expect(() => fromShmToken(forged)).toThrow(TypeError);
    expect(() => shmToken({} as never)).toThrow(TypeError);
    const value = RawValue('i', 1);
    value.unlink();
    expect(() => shmToken(value)).toThrow(RuntimeError);
  });
});
