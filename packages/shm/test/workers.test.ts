import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Array as SharedArray, fromWorkerData, Lock, toWorkerData, Value } from '../src/index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

function runWorker(workerData: unknown, onMessage?: (message: unknown, worker: Worker) => void):
  Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(fixture('worker.mjs'), { workerData });
    worker.on('message', (message) => onMessage?.(message, worker));
    worker.on('error', reject);
    worker.on('exit', resolve);
  });
}

describe('worker_threads', () => {
  it('share a Value and its RLock: 2 workers and the main thread sum locked increments exactly', async () => {
    const v = Value('i', 0);
    const a = SharedArray('I', 3);
    const data = { task: 'increment', objects: [toWorkerData(v), toWorkerData(a)], times: 50_000 };
    const workers = [runWorker(data), runWorker(data)];
    for (let i = 0; i < 50_000; i++) v.withLock(() => { v.value += 1; });
    expect(await Promise.all(workers)).toEqual([0, 0]);
    expect(v.value).toBe(150_000);
    expect(a.toArray()).toEqual([2, 2, 2]);
  });

  it("see a worker's writes to a 'd' value and an 'f' array", async () => {
    const n = Value('d', 0);
    const f = SharedArray('f', [1.5, -2, 0.25], { lock: false });
    await runWorker({ task: 'negate', objects: [toWorkerData(n), toWorkerData(f)] });
    expect(n.value).toBe(3.1415927);
    expect(f.toArray()).toEqual([-1.5, 2, -0.25]);
  });

  it('block and wake on a Lock held by a worker, the async way', async () => {
    const lock = new Lock();
    let worker: Worker | undefined;
    const held = new Promise<void>((resolve) => {
      void runWorker({ task: 'holdAsync', objects: [toWorkerData(lock), toWorkerData(SharedArray('i', 1))] },
        (message, w) => {
          worker = w;
          if (message === 'held') resolve();
        });
    });
    await held;
    expect(lock.acquire({ blocking: false })).toBe(false);
    const acquiring = lock.acquireAsync();
    worker!.postMessage('go');
    expect(await acquiring).toBe(true);
    lock.release();
  });

  it('rebuild objects on the same memory in the same thread too', () => {
    const v = Value('q', 5n);
    const copy = fromWorkerData<typeof v>(structuredClone(toWorkerData(v)));
    copy.value = 9n;
    expect(v.value).toBe(9n);
    expect(() => fromWorkerData({} as never)).toThrow(TypeError);
  });
});

describe('without the native addon', () => {
  it('shares across worker_threads and refuses child processes with a message saying why', async () => {
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [fileURLToPath(fixture('no-addon.mjs'))],
        { env: { ...process.env, MPTS_SHM_NO_ADDON: '1' } },
        (error, stdout, stderr) => (error ? reject(new Error(stderr || String(error))) : resolve(stdout)));
    });
    const seen = JSON.parse(output) as Record<string, any>;
    expect(seen.crossProcess).toEqual({
      available: false,
      reason: 'the MPTS_SHM_NO_ADDON environment variable is set',
    });
    expect(seen.value).toBe(60_000);
    expect(seen.array).toEqual(['2', '2', '2', '2']);
    expect(seen.refusal.name).toBe('RuntimeError');
    expect(seen.refusal.message).toMatch(/addon is not available \(the MPTS_SHM_NO_ADDON environment variable is set\)/);
    expect(seen.refusal.message).toMatch(/manager's value\(\)\/array\(\)/);
  });
});
