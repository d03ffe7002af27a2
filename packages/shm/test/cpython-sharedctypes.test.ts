/**
 * CPython's `_TestValue`, `_TestArray` and `_TestSharedCTypes` (Lib/test/_test_multiprocessing.py),
 * ported to @mpts/shm. Python's `arr[i]`, `arr[a:b]`, `arr[a:b] = seq`, `len(arr)` and
 * `list(arr)` are `getItem(i)`, `getSlice(a, b)`, `setSlice(a, b, seq)`, `length` and
 * `toArray()`; `lock=` is an options object; `'q'` values are bigints and `'c'` values bytes
 * (Buffers). The child is packages/manager/test/cpython/fixtures/sharedctypes-child.ts, started
 * as mpts's `Process` starts one (the arguments encoded while spawning, sent over IPC).
 *
 * Skipped, and why:
 * - Everything about ctypes `Structure` (`_Foo` in test_sharedctypes, test_synchronize, and
 *   test_copy, which copies a Structure with `sharedctypes.copy`): @mpts/shm has no structures.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encode, whileSpawning } from '@mpts/proxy/wire';
import { AttributeError } from '@mpts/proxy';
import { built, eventually, segmentsOf } from './helpers.js';
import { unlinkedAfterEachTest } from './leak-check.js';
import { Array as SharedArray, Lock, RawArray, RawValue, Value, c_double, c_longlong } from '../src/index.js';
import { describeCrossProcess } from './cross-process.js';

// The compiled copy of the child when the run has one (see vitest.fixtures.ts); it maps shared
// memory with the built @mpts/shm, as a child of mpts's Process does.
const child = fileURLToPath(built(new URL('../../manager/test/cpython/fixtures/sharedctypes-child.ts', import.meta.url)));
const loader = child.endsWith('.ts') ? ['--import', 'tsx'] : [];

/** Python's `p = Process(target=..., args=...); p.start(); p.join()`: resolves the exit code. */
function runProcess(task: string, args: unknown[]): Promise<number | null> {
  const bytes = whileSpawning(() => encode(args));
  const p = fork(child, [], { execArgv: loader, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
  p.send({ task, args: Buffer.from(bytes).toString('base64') });
  return exited;
}

const keep = unlinkedAfterEachTest();

const latin = (s: string) => Buffer.from(s, 'latin1');

/** The shared-memory names this process holds now. */
const ownSegments = () => segmentsOf(process.pid);

describeCrossProcess('_TestValue', () => {
  const codesValues: [string, unknown, unknown][] = [
    ['i', 4343, 24234],
    ['d', 3.625, -4.25],
    ['h', -232, 234],
    ['q', 2n ** 33n, 2n ** 34n],
    ['c', latin('x'), latin('y')],
  ];

  async function testValue(raw: boolean): Promise<void> {
    const values = codesValues.map(([code, value]) =>
      keep(raw ? RawValue(code as 'i', value as number) : Value(code as 'i', value as number)));
    values.forEach((sv, i) => expect(sv.value).toEqual(codesValues[i]![1]));

    expect(await runProcess('setValues', [values, codesValues.map(([, , next]) => next)])).toBe(0);

    values.forEach((sv, i) => expect(sv.value).toEqual(codesValues[i]![2]));
  }

  it('test_value', () => testValue(false));

  it('test_rawvalue', () => testValue(true));

  it('test_getobj_getlock', () => {
    const val1 = keep(Value('i', 5));
    expect(val1.getLock()).toBeDefined();
    expect(val1.getObj()).toBeDefined();

    const val2 = keep(Value('i', 5, { lock: null }));
    expect(val2.getLock()).toBeDefined();
    expect(val2.getObj()).toBeDefined();

    const lock = keep(new Lock());
    const val3 = keep(Value('i', 5, { lock }));
    expect(val3.getLock()).toBe(lock);
    expect(val3.getObj()).toBeDefined();

    const arr4 = keep(Value('i', 5, { lock: false }));
    expect('getLock' in arr4).toBe(false);
    expect('getObj' in arr4).toBe(false);

    // Python's `Value('i', 5, lock='navalue')` → AttributeError: in the skipped test below.

    const arr5 = keep(RawValue('i', 5));
    expect('getLock' in arr5).toBe(false);
    expect('getObj' in arr5).toBe(false);
  });

  it("test_getobj_getlock, its invalid lock: AttributeError, and nothing left in shared memory", () => {
    const before = ownSegments();
    expect(() => Value('i', 5, { lock: 'navalue' as never })).toThrow(new AttributeError("'navalue' has no method 'acquire'"));
    expect(ownSegments()).toEqual(before);
  });

  it('test_invalid_typecode', () => {
    // Python 3.14's message is 'bad typecode (...)'; 3.12 and 3.13 raise ctypes' TypeError
    // 'this type has no size', which mpts follows. The class is the same in both.
    expect(() => Value('x' as never, null as never)).toThrow(TypeError);
    expect(() => RawValue('x' as never, null as never)).toThrow(TypeError);
  });
});

describeCrossProcess('_TestArray', () => {
  /** `_TestArray.f`, on a plain array. */
  function f(seq: number[]): void {
    for (let i = 1; i < seq.length; i++) seq[i]! += seq[i - 1]!;
  }

  async function testArray(raw: boolean): Promise<void> {
    const seq = [680, 626, 934, 821, 150, 233, 548, 982, 714, 831];
    const arr = keep(raw ? RawArray('i', seq) : SharedArray('i', seq));

    expect(arr.length).toBe(seq.length);
    expect(arr.getItem(3)).toBe(seq[3]);
    expect(arr.getSlice(2, 7)).toEqual(seq.slice(2, 7));

    arr.setSlice(4, 8, [1, 2, 3, 4]);
    seq.splice(4, 4, 1, 2, 3, 4);

    expect(arr.getSlice()).toEqual(seq);

    f(seq);

    expect(await runProcess('prefixSums', [arr])).toBe(0);

    expect(arr.getSlice()).toEqual(seq);
  }

  it('test_array', () => testArray(false));

  it('test_array_from_size', () => {
    const size = 10;
    // Test for zeroing (see issue #11675), three times over, so that memory freed by the
    // previous array may be used again.
    for (let i = 0; i < 3; i++) {
      const arr = SharedArray('i', size);
      expect(arr.length).toBe(size);
      expect(arr.toArray()).toEqual(Array.from({ length: size }, () => 0));
      arr.setSlice(0, size, Array.from({ length: 10 }, (_, j) => j));
      expect(arr.toArray()).toEqual(Array.from({ length: 10 }, (_, j) => j));
      arr.unlink(); // del arr
    }
  });

  it('test_rawarray', () => testArray(true));

  it('test_getobj_getlock_obj', () => {
    const range10 = Array.from({ length: 10 }, (_, i) => i);
    const arr1 = keep(SharedArray('i', range10));
    expect(arr1.getLock()).toBeDefined();
    expect(arr1.getObj()).toBeDefined();

    const arr2 = keep(SharedArray('i', range10, { lock: null }));
    expect(arr2.getLock()).toBeDefined();
    expect(arr2.getObj()).toBeDefined();

    const lock = keep(new Lock());
    const arr3 = keep(SharedArray('i', range10, { lock }));
    expect(arr3.getLock()).toBe(lock);
    expect(arr3.getObj()).toBeDefined();

    const arr4 = keep(SharedArray('i', range10, { lock: false }));
    expect('getLock' in arr4).toBe(false);
    expect('getObj' in arr4).toBe(false);
    // Python's `Array('i', range(10), lock='notalock')` → AttributeError: in the skipped test below.

    const arr5 = keep(RawArray('i', range10));
    expect('getLock' in arr5).toBe(false);
    expect('getObj' in arr5).toBe(false);
  });

  it('test_getobj_getlock_obj, its invalid lock: AttributeError, and nothing left in shared memory', () => {
    const range10 = Array.from({ length: 10 }, (_, i) => i);
    const before = ownSegments();
    expect(() => SharedArray('i', range10, { lock: 'notalock' as never })).toThrow(new AttributeError("'notalock' has no method 'acquire'"));
    expect(ownSegments()).toEqual(before);
  });

  it('test_invalid_typecode', () => {
    // As for _TestValue.test_invalid_typecode: TypeError, with 3.13's message.
    expect(() => SharedArray('x' as never, [])).toThrow(TypeError);
    expect(() => RawArray('x' as never, [])).toThrow(TypeError);
  });
});

describeCrossProcess('_TestSharedCTypes', () => {
  async function testSharedctypes(lock: boolean): Promise<void> {
    const x = keep(Value('i', 7, { lock }));
    const y = keep(Value(c_double, 1.0 / 3.0, { lock }));
    const z = keep(Value(c_longlong, 2n ** 33n, { lock }));
    // mpts: no ctypes Structure, so Python's `foo = Value(_Foo, 3, 2)` is left out.
    const arr = keep(SharedArray('d', Array.from({ length: 10 }, (_, i) => i), { lock }));
    // A 'c' array has `value` (Python's SynchronizedString and c_char array); the union of the
    // locked and raw kinds does not say so, hence the type.
    const string = keep(SharedArray('c', 20, { lock })) as unknown as { value: Buffer; unlink(): void };
    string.value = latin('hello');

    expect(await runProcess('double', [x, y, z, arr, string])).toBe(0);

    expect(x.value).toBe(14);
    expect(y.value).toBeCloseTo(2.0 / 3.0);
    expect(z.value).toBe(2n ** 34n);
    for (let i = 0; i < 10; i++) expect(arr.getItem(i)).toBeCloseTo(i * 2);
    expect(string.value).toEqual(latin('hellohello'));
  }

  it('test_sharedctypes', () => testSharedctypes(false));

  it('test_synchronize', () => testSharedctypes(true));
});
