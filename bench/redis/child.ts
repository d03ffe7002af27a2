/**
 * A Redis client process of the bench (forked). It gets `{ job, port, ... }` over IPC, connects,
 * says "ready", waits for "go", works, and sends back `{ ops, seconds, role? }`.
 */
import { Redis } from 'ioredis';
import { inFlight, setWarmup } from '../lib/measure.js';
import { acquire, release } from './lock.js';

setWarmup(0);

interface Job {
  job: 'dict' | 'producer' | 'consumer' | 'locked' | 'atomic';
  port: number;
  key: string;
  index: number;
  duration: number;
  n: number;
}

process.once('message', (job: Job) => {
  void run(job).then((report) => {
    process.send!(report, () => process.exit(0));
  }, (error: Error) => {
    process.send!({ error: error.message }, () => process.exit(1));
  });
});

async function run(job: Job): Promise<unknown> {
  const redis = new Redis({ port: job.port, host: '127.0.0.1', lazyConnect: true });
  await redis.connect();
  try {
    process.send!('ready');
    await new Promise((resolve) => process.once('message', resolve));
    const start = performance.now();
    const elapsed = () => (performance.now() - start) / 1000;
    const deadline = start + job.duration * 1000;
    let ops = 0;
    switch (job.job) {
      case 'dict': {
        // As mpts's W3 child: 64 calls in flight.
        const key = `${job.key}:${job.index}`;
        let i = 0;
        const m = await inFlight(job.duration, 64, () => (i++ & 1 ? redis.get(key) : redis.set(key, i)));
        return { ops: (m as { ops: number }).ops, seconds: elapsed() };
      }
      case 'producer': {
        const batch: Promise<unknown>[] = [];
        while (performance.now() < deadline) {
          for (let i = 0; i < 64; i++) batch.push(redis.lpush(job.key, ops++));
          await Promise.all(batch);
          batch.length = 0;
        }
        await redis.lpush(job.key, 'end');
        return { ops, seconds: elapsed(), role: 'producer' };
      }
      case 'consumer': {
        // BRPOP blocks its connection, so one at a time, as a Redis consumer does.
        for (;;) {
          const [, item] = (await redis.brpop(job.key, 0))!;
          if (item === 'end') break;
          ops++;
        }
        return { ops, seconds: elapsed(), role: 'consumer' };
      }
      case 'locked': {
        for (let i = 0; i < job.n; i++) {
          const token = await acquire(redis, `${job.key}:lock`);
          const value = Number(await redis.get(job.key));
          await redis.set(job.key, value + 1);
          await release(redis, `${job.key}:lock`, token);
        }
        return { ops: job.n, seconds: elapsed() };
      }
      case 'atomic': {
        const batch: Promise<unknown>[] = [];
        for (let done = 0; done < job.n; done += batch.length, batch.length = 0) {
          for (let i = 0; i < Math.min(64, job.n - done); i++) batch.push(redis.incr(job.key));
          await Promise.all(batch);
        }
        return { ops: job.n, seconds: elapsed() };
      }
    }
  } finally {
    redis.disconnect();
  }
}
