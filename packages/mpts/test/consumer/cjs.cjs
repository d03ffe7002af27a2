// The same program as a user's CommonJS module: require('mpts') (Node >= 20.19), a target
// exported with `exports`, and `require.main === module` for Python's __main__ test.
const cluster = require('node:cluster');
const { Manager, Process, SharedArray, Value, fromToken, toToken } = require('mpts');

async function child(d, q, n, a) {
  await d.setItem('child', 'was here');
  await q.put('from the child');
  n.value = 2.5;
  for (let i = 0; i < a.length; i++) a[i] *= 10;
}
exports.child = child;

async function worker() {
  // Listening first, then asking: the tokens cannot arrive before anyone listens.
  const received = new Promise((resolve) => process.once('message', resolve));
  process.send('ready');
  const tokens = await received;
  const d = fromToken(tokens.d);
  const q = fromToken(tokens.q);
  await d.setItem('worker', 'was here');
  await q.put('from the worker');
  d.releaseProxy();
  q.releaseProxy();
  process.disconnect();
}

async function main() {
  const manager = await Manager.start();
  try {
    const d = await manager.dict();
    const q = await manager.queue();
    const n = Value('d', 0);
    const a = SharedArray('i', [1, 2, 3]);
    const p = new Process({ target: child, args: [d, q, n, a] });
    await p.start();
    await p.join();
    const fromChild = await q.get({ timeout: 20 });

    // The worker asks for its tokens when it listens: tokens sent on 'online' could be lost.
    const w = cluster.fork();
    const exited = new Promise((resolve) => w.once('exit', resolve));
    w.once('message', () => w.send({ d: toToken(d, { includeAuthkey: true }), q: toToken(q, { includeAuthkey: true }) }));
    const fromWorker = await q.get({ timeout: 20 });
    const workerCode = await exited;

    console.log(`exit codes ${p.exitCode} ${workerCode}; ${fromChild}, ${fromWorker}; ` +
      `${await d.str()}; ${n.value} [${a.getSlice().join(', ')}]`);
  } finally {
    await manager.shutdown();
  }
}

const failed = (error) => {
  console.error(error);
  process.exitCode = 1;
};
if (cluster.isWorker) worker().catch(failed);
else if (require.main === module) main().catch(failed);
