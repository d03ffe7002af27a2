import { isProcessAlive } from '@mpts/proxy/wire';
import { native, WAIT_NOT_EQUAL, WAIT_OK, WAIT_TIMED_OUT, type WaitResult } from './native.js';

/**
 * Wait and wake on an int32 of shared memory. With the addon: the kernel's shared futex, which
 * wakes waiters in any process and thread. Without it: V8's Atomics.wait/notify, which reach the
 * threads of this process only (all that memory without the addon can reach anyway).
 * `timeoutMs` is finite; callers wait in slices.
 */
export interface Futex {
  wait(i32: Int32Array, index: number, expected: number, timeoutMs: number): WaitResult;
  waitAsync(i32: Int32Array, index: number, expected: number, timeoutMs: number): Promise<WaitResult>;
  wake(i32: Int32Array, index: number, count: number): void;
  pidAlive(pid: number): boolean;
}

const byteOffset = (i32: Int32Array, index: number) => i32.byteOffset + index * 4;

const nativeFutex = (addon: NonNullable<typeof native>): Futex => ({
  wait: (i32, index, expected, timeoutMs) =>
    addon.wait(i32.buffer as SharedArrayBuffer, byteOffset(i32, index), expected, timeoutMs),
  waitAsync: (i32, index, expected, timeoutMs) =>
    new Promise((resolve) => {
      addon.waitAsync(i32.buffer as SharedArrayBuffer, byteOffset(i32, index), expected,
        timeoutMs, resolve);
    }),
  wake: (i32, index, count) => {
    addon.wake(i32.buffer as SharedArrayBuffer, byteOffset(i32, index), count);
  },
  pidAlive: (pid) => addon.pidAlive(pid),
});

const results: Record<string, WaitResult> = {
  ok: WAIT_OK,
  'not-equal': WAIT_NOT_EQUAL,
  'timed-out': WAIT_TIMED_OUT,
};

const jsFutex: Futex = {
  wait: (i32, index, expected, timeoutMs) => results[Atomics.wait(i32, index, expected, timeoutMs)]!,
  waitAsync: async (i32, index, expected, timeoutMs) => {
    // Atomics.waitAsync is in Node 20 (V8 11) but in TypeScript's lib only from ES2024.
    const waitAsync = (Atomics as unknown as {
      waitAsync(i32: Int32Array, index: number, value: number, timeout: number):
        { async: false; value: string } | { async: true; value: Promise<string> };
    }).waitAsync;
    const waiting = waitAsync(i32, index, expected, timeoutMs);
    return results[waiting.async ? await waiting.value : waiting.value]!;
  },
  wake: (i32, index, count) => {
    Atomics.notify(i32, index, count);
  },
  pidAlive: isProcessAlive,
};

export const futex: Futex = native ? nativeFutex(native) : jsFutex;
