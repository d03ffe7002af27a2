/**
 * A Python producer and a Node consumer on one queue: this program starts a manager that also
 * serves CPython's manager clients (`pythonClients: true`), runs python-producer.py against it
 * with the manager's address and key, and takes what the Python process puts on the queue.
 *
 * Needs CPython 3.12 or later: `cd packages/examples && PYTHON=python3.12 npx tsx src/python-consumer.ts`
 * (`python3` when PYTHON is unset).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Manager, builtinObject, isMainModule, type QueueProxy } from 'mpts';

/** A Python dict arrives as a Map (its keys may be ints, tuples, anything hashable). */
type Work = Map<string, number | string>;

export class QueueManager extends Manager {}
export interface QueueManager {
  get_queue(): Promise<QueueProxy<Work | null>>;
}
// Python's `QueueManager.register('get_queue')` finds this typeid: every client, Python or
// Node, gets the same queue.
let queue: object | undefined;
QueueManager.register('get_queue', () => (queue ??= builtinObject('Queue')), { proxyType: 'Queue' });

/** The producer's source, next to this module's (also when this module runs compiled). */
const producer = fileURLToPath(new URL('./python-producer.py', import.meta.url)).replace('/test/dist/src/', '/src/');

export async function main(): Promise<void> {
  await using manager = await QueueManager.start({ pythonClients: true, register: [import.meta.url] });
  const { host, port } = manager.pythonAddress!;
  const python = spawn(process.env.PYTHON ?? 'python3', [producer, host, String(port), manager.authkey.toString('hex')], { stdio: 'inherit' });
  // If Python cannot start or fails, stop waiting for its work.
  const failed = new AbortController();
  python.once('error', (error) => failed.abort(error));
  const exited = new Promise<number | null>((resolve) => python.once('exit', resolve));
  void exited.then((code) => code !== 0 && failed.abort(new Error(`python exited with ${code}`)));

  using q = await manager.get_queue();
  let total = 0;
  for (let work = await q.get({ signal: failed.signal }); work !== null; work = await q.get({ signal: failed.signal })) {
    const [n, square] = [work.get('n') as number, work.get('square') as number];
    total += square;
    if (n % 5 === 0) console.log(`${work.get('label')}: ${n}² = ${square}`);
  }
  console.log(`sum of squares from Python: ${total}`);
  console.log(`python exited with ${await exited}`);
}

if (isMainModule(import.meta)) await main();
