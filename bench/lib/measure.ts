/**
 * What one run of one workload on one peer gives back: a throughput (`ops` done in `seconds`),
 * or a single `value` (a time in ms, a size in MB). A peer that cannot run it says why.
 */
export type Measurement =
  | { ops: number; seconds: number }
  | { value: number }
  | { error: string };

/** The number a measurement stands for, in its workload's unit. */
export function valueOf(m: Measurement): number | undefined {
  if ('error' in m) return undefined;
  return 'value' in m ? m.value : m.ops / m.seconds;
}

export function now(): number {
  return performance.now();
}

/**
 * Seconds of work done before the clock starts, so that V8's optimizing compiler has seen the
 * hot path (a fresh Node process runs a loop like W1 at half speed for its first ~0.5 s).
 */
export let warmupSeconds = 0.5;
export function setWarmup(seconds: number): void {
  warmupSeconds = seconds;
}

/** Runs `step` (which does `batch` ops) until `seconds` have passed; returns what was done. */
export async function forDuration(seconds: number, batch: number, step: () => Promise<void>): Promise<Measurement> {
  const warm = now() + warmupSeconds * 1000;
  while (now() < warm) await step();
  const start = now();
  const deadline = start + seconds * 1000;
  let ops = 0;
  while (now() < deadline) {
    await step();
    ops += batch;
  }
  return { ops, seconds: (now() - start) / 1000 };
}

/**
 * Keeps `window` operations in flight until `seconds` have passed: each one that finishes
 * starts the next, so the pipe never drains.
 */
export async function inFlight(seconds: number, window: number, op: () => Promise<unknown>): Promise<Measurement> {
  if (warmupSeconds > 0) await inFlightOnce(warmupSeconds, window, op);
  return inFlightOnce(seconds, window, op);
}

function inFlightOnce(seconds: number, window: number, op: () => Promise<unknown>): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const start = now();
    const deadline = start + seconds * 1000;
    let ops = 0;
    let running = 0;
    let stopped = false;
    const launch = (): void => {
      running++;
      op().then(done, fail);
    };
    const done = (): void => {
      running--;
      ops++;
      if (!stopped && (ops & 63) === 0 && now() >= deadline) stopped = true;
      if (!stopped) launch();
      else if (running === 0) resolve({ ops, seconds: (now() - start) / 1000 });
    };
    const fail = (error: unknown): void => {
      stopped = true;
      reject(error);
    };
    for (let i = 0; i < window; i++) launch();
  });
}

/** Runs `count` operations with at most `window` in flight. */
export function windowed(count: number, window: number, op: (i: number) => Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let finished = 0;
    const launch = (): void => {
      const i = next++;
      op(i).then(done, reject);
    };
    const done = (): void => {
      finished++;
      if (next < count) launch();
      else if (finished === count) resolve();
    };
    if (count === 0) resolve();
    for (let i = 0; i < Math.min(window, count); i++) launch();
  });
}

/** Resident memory of a process, in MB (Linux). */
export async function rssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** Aggregate throughput of several workers, each reporting its ops and its own elapsed time. */
export function aggregate(parts: { ops: number; seconds: number }[]): Measurement {
  return { ops: parts.reduce((s, p) => s + p.ops, 0), seconds: Math.max(...parts.map((p) => p.seconds)) };
}

/**
 * Runs each of `steps` (each does `batch` ops) in turns, one step of each per turn, until
 * `seconds` per step have passed; returns what each did in its own time. Two clients measured
 * in turns in one process see the same machine: two runs timed one after the other, a few
 * seconds apart, differ by more than the small differences a ratio of them is held to.
 */
export async function inTurns<K extends string>(seconds: number, batch: number, steps: Record<K, () => Promise<void>>): Promise<Record<K, Measurement>> {
  const names = Object.keys(steps) as K[];
  const warm = now() + warmupSeconds * 1000;
  while (now() < warm) for (const name of names) await steps[name]();
  const spent = Object.fromEntries(names.map((name) => [name, { ops: 0, seconds: 0 }])) as Record<K, { ops: number; seconds: number }>;
  const deadline = now() + seconds * names.length * 1000;
  while (now() < deadline) {
    for (const name of names) {
      const start = now();
      await steps[name]();
      spent[name].seconds += (now() - start) / 1000;
      spent[name].ops += batch;
    }
  }
  return spent;
}
