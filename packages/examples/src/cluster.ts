/**
 * Sharing a manager's objects with Node's `cluster` workers, which mpts does not start itself
 * (as `Process` children are): the primary starts a manager, forks three workers and hands each
 * a dict, a lock and a queue as tokens (`toToken(proxy, { includeAuthkey: true })`, which carry
 * the authkey, so a worker needs no `Manager.connect()` of its own). Each worker increments a
 * shared counter under the lock and reports on the queue; the primary prints a summary.
 *
 * The primary sends the tokens when a worker asks for them. Sending them on the worker's
 * 'online' event would race: the worker may not listen for messages yet, and one sent before
 * it does is lost.
 */
import cluster, { type Worker } from 'node:cluster';
import {
  Manager,
  fromToken,
  isMainModule,
  toToken,
  type AcquirerProxy,
  type DictProxy,
  type ProxyToken,
  type QueueProxy,
} from 'mpts';

const WORKERS = 3;
const INCREMENTS = 100;

interface Tokens {
  readonly counts: ProxyToken;
  readonly lock: ProxyToken;
  readonly results: ProxyToken;
}
interface Result {
  readonly worker: number;
  readonly increments: number;
}
type Message = { kind: 'hello' } | { kind: 'tokens'; tokens: Tokens };

/** A worker: asks for the tokens, does its increments, reports, and ends. */
async function work(id: number): Promise<void> {
  const received = new Promise<Tokens>((resolve) => {
    process.on('message', (message: Message) => {
      if (message.kind === 'tokens') resolve(message.tokens);
    });
  });
  // Listening first, then asking: the answer cannot arrive before anyone listens.
  process.send!({ kind: 'hello' } satisfies Message);
  const tokens = await received;
  using counts = fromToken<DictProxy<string, number>>(tokens.counts);
  using lock = fromToken<AcquirerProxy>(tokens.lock);
  using results = fromToken<QueueProxy<Result>>(tokens.results);
  for (let i = 0; i < INCREMENTS; i++) {
    // A read-modify-write of the dict: without the lock, two workers could read the same total.
    await lock.withLock(async () => {
      await counts.setItem('total', (await counts.get('total', 0)) + 1);
    });
  }
  await results.put({ worker: id, increments: INCREMENTS });
  // Closing the IPC channel lets the worker end once its work is done.
  process.disconnect();
}

/** The primary: a manager, three workers given its objects, a summary, everything reaped. */
export async function main(): Promise<void> {
  await using manager = await Manager.start();
  using counts = await manager.dict<string, number>();
  using lock = await manager.lock();
  using results = await manager.queue<Result>();
  const tokens: Tokens = {
    counts: toToken(counts, { includeAuthkey: true }),
    lock: toToken(lock, { includeAuthkey: true }),
    results: toToken(results, { includeAuthkey: true }),
  };

  const exits: Promise<string>[] = [];
  const workers: Worker[] = [];
  for (let id = 1; id <= WORKERS; id++) {
    const worker = cluster.fork({ MPTS_EXAMPLE_WORKER: String(id) });
    workers.push(worker);
    exits.push(new Promise((resolve) => worker.once('exit', (code, signal) => resolve(signal ?? String(code)))));
    worker.on('message', (message: Message) => {
      if (message.kind === 'hello') worker.send({ kind: 'tokens', tokens } satisfies Message);
    });
  }

  let done = false;
  try {
    const reports: Result[] = [];
    for (let i = 0; i < WORKERS; i++) reports.push(await results.get({ timeout: 30 }));
    reports.sort((a, b) => a.worker - b.worker);
    for (const report of reports) console.log(`worker ${report.worker}: ${report.increments} increments`);
    console.log(`total under the lock: ${await counts.getItem('total')} (expected ${WORKERS * INCREMENTS})`);
    done = true;
  } finally {
    // Every worker is reaped: after a failure, killed first.
    if (!done) for (const worker of workers) worker.process.kill();
    const codes = await Promise.all(exits);
    if (done) console.log(`workers exited: ${codes.join(', ')}`);
  }
}

if (cluster.isWorker) await work(Number(process.env.MPTS_EXAMPLE_WORKER));
else if (isMainModule(import.meta)) await main();
