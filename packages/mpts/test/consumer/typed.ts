// The same program in TypeScript under --strict, compiled by tsc with its default target for
// `module: nodenext` (tsconfig.json names none): esnext, where tsc would leave `await using`
// as it is for Node 20 to reject, so the manager is closed in a try/finally.
import cluster from 'node:cluster';
import {
  Manager,
  Process,
  SharedArray,
  Value,
  fromToken,
  isMainModule,
  toToken,
  type DictProxy,
  type Indexed,
  type ProxyToken,
  type QueueProxy,
  type Synchronized,
  type SynchronizedArray,
} from 'mpts';

interface Tokens {
  readonly d: ProxyToken;
  readonly q: ProxyToken;
}

export async function child(
  d: DictProxy<string, string>,
  q: QueueProxy<string>,
  n: Synchronized<'d'>,
  a: Indexed<SynchronizedArray<'i'>, 'i'>,
): Promise<void> {
  await d.setItem('child', 'was here');
  await q.put('from the child');
  n.value = 2.5;
  for (let i = 0; i < a.length; i++) a[i] *= 10;
}

async function worker(): Promise<void> {
  // Listening first, then asking: the tokens cannot arrive before anyone listens.
  const received = new Promise<Tokens>((resolve) => process.once('message', (tokens: Tokens) => resolve(tokens)));
  process.send!('ready');
  const tokens = await received;
  const d = fromToken<DictProxy<string, string>>(tokens.d);
  const q = fromToken<QueueProxy<string>>(tokens.q);
  await d.setItem('worker', 'was here');
  await q.put('from the worker');
  d.releaseProxy();
  q.releaseProxy();
  process.disconnect!();
}

async function main(): Promise<void> {
  const manager = await Manager.start();
  try {
    const d = await manager.dict<string, string>();
    const q = await manager.queue<string>();
    const n = Value('d', 0);
    const a = SharedArray('i', [1, 2, 3]);
    const p = new Process({ target: child, args: [d, q, n, a] });
    await p.start();
    await p.join();
    const fromChild = await q.get({ timeout: 20 });

    // The worker asks for its tokens when it listens: tokens sent on 'online' could be lost.
    const w = cluster.fork();
    const exited = new Promise<number>((resolve) => w.once('exit', (code: number) => resolve(code)));
    w.once('message', () => {
      const tokens: Tokens = { d: toToken(d, { includeAuthkey: true }), q: toToken(q, { includeAuthkey: true }) };
      w.send(tokens);
    });
    const fromWorker = await q.get({ timeout: 20 });
    const workerCode = await exited;

    console.log(`exit codes ${p.exitCode} ${workerCode}; ${fromChild}, ${fromWorker}; ` +
      `${await d.str()}; ${n.value} [${a.getSlice().join(', ')}]`);
  } finally {
    await manager.shutdown();
  }
}

if (cluster.isWorker) await worker();
else if (isMainModule(import.meta)) await main();
