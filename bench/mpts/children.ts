/**
 * The child-process side of the mpts workloads, run through mpts's own `Process`: each child
 * rebuilds its proxies (or shared memory) from its arguments, says it is ready, waits for the
 * gate, works, and reports `{ ops, seconds }` on the results queue. Nothing runs on import.
 */
import type { AcquirerProxy, DictProxy, QueueProxy, ValueProxy } from '@mpts/manager';
import type { Synchronized } from '@mpts/shm';
// Decoding a shared-memory argument needs @mpts/shm's codec extensions in this process.
import '@mpts/shm';
import { inFlight, setWarmup } from '../lib/measure.js';

type Report = { ops: number; seconds: number; role?: string };

async function gate(ready: QueueProxy, go: QueueProxy): Promise<number> {
  await ready.put(process.pid);
  await go.get();
  return performance.now();
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

/**
 * W3: setItem/getItem on this child's own key, 64 calls in flight (as W2), after a warm-up.
 */
export async function dictWorker(d: DictProxy<string, number>, index: number, duration: number, warmup: number,
  ready: QueueProxy, go: QueueProxy, results: QueueProxy<Report>): Promise<void> {
  const key = `k${index}`;
  let i = 0;
  const op = () => (i++ & 1 ? d.getItem(key) : d.setItem(key, i));
  setWarmup(warmup);
  await inFlight(0, 64, op);
  const start = await gate(ready, go);
  setWarmup(0);
  const m = (await inFlight(duration, 64, op)) as Report;
  await results.put({ ops: m.ops, seconds: seconds(start) });
}

/** W4 producer: puts for `duration` seconds, up to 64 in flight, then a `null` to end. */
export async function producer(q: QueueProxy<number | null>, duration: number,
  ready: QueueProxy, go: QueueProxy, results: QueueProxy<Report>): Promise<void> {
  const start = await gate(ready, go);
  const deadline = start + duration * 1000;
  let ops = 0;
  const batch: Promise<void>[] = [];
  while (performance.now() < deadline) {
    for (let i = 0; i < 64; i++) batch.push(q.put(ops++));
    await Promise.all(batch);
    batch.length = 0;
  }
  await q.put(null);
  await results.put({ ops, seconds: seconds(start), role: 'producer' });
}

/** W4 consumer: 64 gets in flight until the `null`; counts the items. */
export async function consumer(q: QueueProxy<number | null>,
  ready: QueueProxy, go: QueueProxy, results: QueueProxy<Report>): Promise<void> {
  const start = await gate(ready, go);
  let ops = 0;
  let ended = false;
  let elapsed = 0;
  await new Promise<void>((resolve, reject) => {
    let running = 0;
    const launch = (): void => {
      running++;
      q.get().then((item) => {
        running--;
        if (item === null) {
          ended = true;
          elapsed = seconds(start);
          // The other gets still in flight would wait forever: one null each ends them.
          for (let i = 0; i < running; i++) void q.put(null);
        } else if (!ended) {
          ops++;
        }
        if (!ended) launch();
        else if (running === 0) resolve();
      }, reject);
    };
    for (let i = 0; i < 64; i++) launch();
  });
  await results.put({ ops, seconds: elapsed, role: 'consumer' });
}

/** W6: `with lock: v.value += 1`, N times. */
export async function lockedIncrements(lock: AcquirerProxy, v: ValueProxy<number>, n: number,
  ready: QueueProxy, go: QueueProxy, results: QueueProxy<Report>): Promise<void> {
  const start = await gate(ready, go);
  for (let i = 0; i < n; i++) {
    await lock.acquire();
    await v.set((await v.get()) + 1);
    await lock.release();
  }
  await results.put({ ops: n, seconds: seconds(start) });
}

/** W6 atomic: `v.add(1)`, N times, 64 in flight (order does not matter to a sum). */
export async function atomicIncrements(v: ValueProxy<number>, n: number,
  ready: QueueProxy, go: QueueProxy, results: QueueProxy<Report>): Promise<void> {
  const start = await gate(ready, go);
  const batch: Promise<number>[] = [];
  for (let done = 0; done < n; done += batch.length, batch.length = 0) {
    for (let i = 0; i < Math.min(64, n - done); i++) batch.push(v.add(1));
    await Promise.all(batch);
  }
  await results.put({ ops: n, seconds: seconds(start) });
}

/** W9: shared-memory `with v.get_lock(): v.value += 1`, N times. */
export async function shmIncrements(v: Synchronized<'i'>, n: number,
  ready: QueueProxy, go: QueueProxy, results: QueueProxy<Report>): Promise<void> {
  const start = await gate(ready, go);
  // As Python's `with v.get_lock(): v.value += 1`: the RLock is re-entered by `.value`.
  const increment = (): void => {
    v.value = (v.value as number) + 1;
  };
  for (let i = 0; i < n; i++) v.withLock(increment);
  await results.put({ ops: n, seconds: seconds(start) });
}
