/**
 * The workloads of the mpts manager connected to Redis (`@mpts/redis`): the same proxy calls
 * as the mpts column, against the redis-server the Redis column uses.
 */
import { Manager, Process } from '../../packages/manager/dist/index.js';
import '../../packages/redis/dist/index.js';
import { forDuration, inFlight, type Measurement } from '../lib/measure.js';
import type { Params } from '../mpts/workloads.js';
import { consumer, producer } from './mpts-children.js';

const childModule = new URL('./mpts-children.ts', import.meta.url).href;

async function withManager<T>(port: number, work: (manager: Manager) => Promise<T>): Promise<T> {
  const manager = await Manager.connect(`redis://127.0.0.1:${port}/0`);
  try {
    return await work(manager);
  } finally {
    await manager.shutdown();
  }
}

type Report = { ops: number; seconds: number; role?: string };

export const mptsOnRedisWorkloads = {
  // W1 is measured in turns with raw ioredis's: in-turns-workloads.ts.

  W2: (p: Params, port: number): Promise<Measurement> => withManager(port, async (m) => {
    const d = await m.dict<string, number>();
    await d.setItem('k', 0);
    let i = 0;
    return inFlight(p.duration, 64, () => (i++ & 1 ? d.getItem('k') : d.setItem('k', i)));
  }),

  W4: (p: Params, port: number): Promise<Measurement> => withManager(port, async (m) => {
    const q = await m.queue<number | null>();
    const ready = await m.queue();
    const go = await m.queue();
    const results = await m.queue<Report>();
    const jobs: [typeof producer | typeof consumer, unknown[]][] = [[producer, [q, p.duration]], [consumer, [q]]];
    const processes = jobs.map(([target, args]) => new Process({
      target: target as never, args: [...args, ready, go, results] as never, module: childModule,
    }));
    await Promise.all(processes.map((child) => child.start()));
    for (const _ of processes) await ready.get();
    for (const _ of processes) await go.put(1);
    const reports: Report[] = [];
    for (const _ of processes) reports.push(await results.get());
    await Promise.all(processes.map((child) => child.join()));
    const report = reports.find((r) => r.role === 'consumer')!;
    return { ops: report.ops, seconds: report.seconds };
  }),

  W5: (p: Params, port: number): Promise<Measurement> => withManager(port, async (m) => {
    const lock = await m.lock();
    return forDuration(p.duration, 50, async () => {
      for (let i = 0; i < 50; i++) {
        await lock.acquire();
        await lock.release();
      }
    });
  }),
};
