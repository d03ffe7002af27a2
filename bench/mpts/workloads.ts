/**
 * The mpts side of every workload. A manager (and any child processes) is started before the
 * clock starts and stopped after it stops; each function gives one measurement.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Manager, Process } from '@mpts/manager';
import { Value } from '@mpts/shm';
import { aggregate, forDuration, inFlight, now, rssMb, warmupSeconds, type Measurement } from '../lib/measure.js';
import * as children from './children.js';
import { ran as ranTs } from './process-target-ts.js';

const run = promisify(execFile);
const childModule = new URL('./children.ts', import.meta.url).href;
type Report = { ops: number; seconds: number; role?: string };

async function withManager<T>(work: (manager: Manager) => Promise<T>): Promise<T> {
  const manager = await Manager.start();
  try {
    return await work(manager);
  } finally {
    await manager.shutdown();
  }
}

/**
 * Starts one child per argument list, lets them all through the gate at once, and collects
 * their reports.
 */
type Target = (...args: never[]) => Promise<void>;

/** `Process` start → its target runs → `join()`, with no manager involved. */
async function processStartToJoin(target: () => void, module: string): Promise<Measurement> {
  const start = now();
  const p = new Process({ target, module });
  await p.start();
  await p.join();
  if (p.exitCode !== 0) return { error: `the child exited with ${p.exitCode}` };
  return { value: now() - start };
}

async function runChildren(manager: Manager, target: Target, argLists: unknown[][]): Promise<Report[]> {
  return runMixed(manager, argLists.map((args) => [target, args]));
}

async function runMixed(manager: Manager, jobs: [Target, unknown[]][]): Promise<Report[]> {
  const ready = await manager.queue();
  const go = await manager.queue();
  const results = await manager.queue<Report>();
  const processes = jobs.map(([target, args]) => new Process({
    target: target as never, args: [...args, ready, go, results] as never, module: childModule,
  }));
  await Promise.all(processes.map((p) => p.start()));
  for (const _ of processes) await ready.get();
  for (const _ of processes) await go.put(1);
  const reports: Report[] = [];
  for (const _ of processes) reports.push(await results.get());
  await Promise.all(processes.map((p) => p.join()));
  for (const p of processes) if (p.exitCode !== 0) throw new Error(`a child failed: ${p.error?.message ?? p.exitCode}`);
  return reports;
}

export interface Params {
  duration: number;
  processes: number;
  lockedN: number;
  atomicN: number;
  shmN: number;
  blobBytes: number;
  entries: number;
}

export const mpts = {
  W1: (p: Params): Promise<Measurement> => withManager(async (m) => {
    const d = await m.dict<string, number>();
    return forDuration(p.duration, 100, async () => {
      for (let i = 0; i < 50; i++) {
        await d.setItem('k', i);
        await d.getItem('k');
      }
    });
  }),

  W2: (p: Params): Promise<Measurement> => withManager(async (m) => {
    const d = await m.dict<string, number>();
    await d.setItem('k', 0);
    let i = 0;
    return inFlight(p.duration, 64, () => (i++ & 1 ? d.getItem('k') : d.setItem('k', i)));
  }),

  W3: (p: Params): Promise<Measurement> => withManager(async (m) => {
    const d = await m.dict<string, number>();
    const reports = await runChildren(m, children.dictWorker,
      Array.from({ length: p.processes }, (_, i) => [d, i, p.duration, warmupSeconds]));
    return aggregate(reports);
  }),

  W4: (p: Params): Promise<Measurement> => withManager(async (m) => {
    const q = await m.queue<number | null>();
    const reports = await runMixed(m, [[children.producer, [q, p.duration]], [children.consumer, [q]]]);
    return reportOf(reports, 'consumer');
  }),

  W5: (p: Params): Promise<Measurement> => withManager(async (m) => {
    const lock = await m.lock();
    return forDuration(p.duration, 50, async () => {
      for (let i = 0; i < 50; i++) {
        await lock.acquire();
        await lock.release();
      }
    });
  }),

  W6: (p: Params): Promise<Measurement> => withManager(async (m) => {
    const lock = await m.lock();
    const v = await m.value('i', 0);
    const reports = await runChildren(m, children.lockedIncrements,
      Array.from({ length: p.processes }, () => [lock, v, p.lockedN]));
    return checkedSum(await v.get(), p.lockedN * p.processes, reports);
  }),

  W6a: (p: Params): Promise<Measurement> => withManager(async (m) => {
    const v = await m.value('i', 0);
    const reports = await runChildren(m, children.atomicIncrements,
      Array.from({ length: p.processes }, () => [v, p.atomicN]));
    return checkedSum(await v.get(), p.atomicN * p.processes, reports);
  }),

  W7: (p: Params): Promise<Measurement> => withManager(async (m) => {
    return forDuration(p.duration, 1, async () => {
      const d = await m.dict();
      d.releaseProxy();
    });
  }),

  W8: async (): Promise<Measurement> => {
    const start = now();
    const m = await Manager.start();
    const d = await m.dict();
    await d.setItem('a', 1);
    await m.shutdown();
    return { value: now() - start };
  },

  /** W11: a compiled program (plain node) starts a Process whose target is compiled too. */
  W11: async (): Promise<Measurement> => {
    const driver = new URL('./process-start-driver.mjs', import.meta.url).pathname;
    const { stdout } = await run(process.execPath, [driver]);
    return JSON.parse(stdout) as Measurement;
  },

  /** W11 with the target in a TypeScript module, which the child loads through tsx. */
  W11ts: (): Promise<Measurement> => processStartToJoin(ranTs, new URL('./process-target-ts.ts', import.meta.url).href),

  W9: async (p: Params): Promise<Measurement> => {
    const v = Value('i', 0);
    try {
      return await withManager(async (m) => {
        const reports = await runChildren(m, children.shmIncrements,
          Array.from({ length: p.processes }, () => [v, p.shmN]));
        return checkedSum(v.value as number, p.shmN * p.processes, reports);
      });
    } finally {
      v.unlink();
    }
  },

  W10: (p: Params): Promise<Measurement> => withManager(async (m) => {
    const d = await m.dict<string, Uint8Array>();
    const blob = randomBytes(p.blobBytes);
    const result = await forDuration(p.duration, 1, async () => {
      await d.setItem('blob', blob);
      const got = await d.getItem('blob');
      if (got.length !== blob.length) throw new Error('wrong size');
    });
    return megabytes(result, 2 * p.blobBytes);
  }),

  M0: (): Promise<Measurement> => withManager(async (m) => {
    await m.dict();
    return { value: await rssMb(m.pid!) };
  }),

  M1: (p: Params): Promise<Measurement> => withManager(async (m) => {
    const d = await m.dict<string, number>();
    const chunk = 10_000;
    for (let base = 0; base < p.entries; base += chunk) {
      const part = new Map<string, number>();
      for (let i = base; i < Math.min(base + chunk, p.entries); i++) part.set(`k${i}`, i);
      await d.update(part);
    }
    if ((await d.len()) !== p.entries) throw new Error('wrong size');
    return { value: await rssMb(m.pid!) };
  }),
};

function reportOf(reports: Report[], role: string): Measurement {
  const report = reports.find((r) => r.role === role)!;
  return { ops: report.ops, seconds: report.seconds };
}

function checkedSum(total: number, expected: number, reports: Report[]): Measurement {
  if (total !== expected) return { error: `lost updates: ${total} of ${expected}` };
  return aggregate(reports);
}

export function megabytes(m: Measurement, bytesPerOp: number): Measurement {
  return 'ops' in m ? { ops: (m.ops * bytesPerOp) / 1e6, seconds: m.seconds } : m;
}

