import { afterAll, describe, expect, it } from 'vitest';
import { Process } from '@mpts/manager';
import { managerBackend, redisBackend, type Backend } from './backends.js';
import { redisSkipReason } from './redis-server.js';
import { sumWorker } from './fixtures/workers.js';
import { built } from '../../manager/test/helpers.js';

const backends: Backend[] = [managerBackend(), redisBackend()];

describe.each(backends)('one program on the $name backend', (backend) => {
  afterAll(() => backend.close());

  it.skipIf(backend.name === 'redis' && redisSkipReason !== undefined)(
    'runs unchanged: Process children share a joinable queue, a dict and a lock',
    async () => {
      await using manager = await backend.open();
      const tasks = await manager.joinableQueue<number | null>();
      const totals = await manager.dict<string, number>();
      const lock = await manager.lock();
      const module = built(new URL('./fixtures/workers.ts', import.meta.url)).href;
      const workers = [1, 2].map(() => new Process({ target: sumWorker, args: [tasks, totals, lock], module }));
      await Promise.all(workers.map((worker) => worker.start()));
      for (let n = 1; n <= 50; n++) await tasks.put(n);
      for (const _ of workers) await tasks.put(null);
      await tasks.join();
      await Promise.all(workers.map((worker) => worker.join()));
      expect(workers.map((worker) => worker.exitCode)).toEqual([0, 0]);
      expect(await totals.copy()).toEqual(new Map([['sum', 1275], ['count', 50]]));
    },
  );
});
