/** The Redis (ioredis) side of the workloads that Redis can express. */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { aggregate, forDuration, inFlight, type Measurement } from '../lib/measure.js';
import { megabytes, type Params } from '../mpts/workloads.js';
import { acquire, release } from './lock.js';

let keySerial = 0;

async function withClient<T>(port: number, work: (redis: Redis, key: string) => Promise<T>): Promise<T> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  await redis.connect();
  const key = `bench:${process.pid}:${++keySerial}`;
  try {
    return await work(redis, key);
  } finally {
    await redis.flushall();
    redis.disconnect();
  }
}

type Report = { ops: number; seconds: number; role?: string; error?: string };

/** Forks one client process per job, opens the gate when all are connected, collects reports. */
async function runChildren(jobs: Record<string, unknown>[]): Promise<Report[]> {
  const children = jobs.map((job) => {
    const child = fork(new URL('./child.ts', import.meta.url).pathname, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = new Promise<void>((resolve) => child.once('message', () => resolve()));
    const report = ready.then(() => new Promise<Report>((resolve) => child.once('message', resolve)));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send(job);
    return { child, ready, report, exited };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.child.send('go');
  const reports = await Promise.all(children.map((c) => c.report));
  await Promise.all(children.map((c) => c.exited));
  const failed = reports.find((r) => r.error);
  if (failed) throw new Error(failed.error);
  return reports;
}

export const redisWorkloads = {
  // W1 is measured in turns with mpts on Redis's: in-turns-workloads.ts.

  W2: (p: Params, port: number): Promise<Measurement> => withClient(port, (redis, key) => {
    let i = 0;
    return inFlight(p.duration, 64, () => (i++ & 1 ? redis.get(key) : redis.set(key, i)));
  }),

  W3: (p: Params, port: number): Promise<Measurement> => withClient(port, async (_redis, key) =>
    aggregate(await runChildren(Array.from({ length: p.processes }, (_, index) =>
      ({ job: 'dict', port, key, index, duration: p.duration }))))),

  W4: (p: Params, port: number): Promise<Measurement> => withClient(port, async (_redis, key) => {
    const reports = await runChildren([
      { job: 'producer', port, key, duration: p.duration },
      { job: 'consumer', port, key },
    ]);
    const consumer = reports.find((r) => r.role === 'consumer')!;
    return { ops: consumer.ops, seconds: consumer.seconds };
  }),

  W5: (p: Params, port: number): Promise<Measurement> => withClient(port, (redis, key) =>
    forDuration(p.duration, 50, async () => {
      for (let i = 0; i < 50; i++) await release(redis, key, await acquire(redis, key));
    })),

  W6: (p: Params, port: number): Promise<Measurement> => withClient(port, async (redis, key) => {
    await redis.set(key, 0);
    const reports = await runChildren(Array.from({ length: p.processes }, () => ({ job: 'locked', port, key, n: p.lockedN })));
    const total = Number(await redis.get(key));
    if (total !== p.lockedN * p.processes) return { error: `lost updates: ${total}` };
    return aggregate(reports);
  }),

  W6a: (p: Params, port: number): Promise<Measurement> => withClient(port, async (redis, key) => {
    await redis.set(key, 0);
    const reports = await runChildren(Array.from({ length: p.processes }, () => ({ job: 'atomic', port, key, n: p.atomicN })));
    const total = Number(await redis.get(key));
    if (total !== p.atomicN * p.processes) return { error: `lost updates: ${total}` };
    return aggregate(reports);
  }),

  W10: (p: Params, port: number): Promise<Measurement> => withClient(port, async (redis, key) => {
    const blob = randomBytes(p.blobBytes);
    const result = await forDuration(p.duration, 1, async () => {
      await redis.set(key, blob);
      const got = await redis.getBuffer(key);
      if (got?.length !== blob.length) throw new Error('wrong size');
    });
    return megabytes(result, 2 * p.blobBytes);
  }),
};
