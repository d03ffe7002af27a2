/**
 * Python's remote-manager example from the multiprocessing docs: a server shares one queue on a
 * TCP address, one client puts into it, another gets from it. Here the three run on one
 * machine, over loopback; on several hosts only the address changes.
 *
 *     queue = Queue()
 *     class QueueManager(BaseManager): pass
 *     QueueManager.register('get_queue', callable=lambda: queue)
 *     m = QueueManager(address=('', 50000), authkey=b'abracadabra')
 *     m.get_server().serve_forever()
 *
 *     m = QueueManager(address=('foo.bar.org', 50000), authkey=b'abracadabra'); m.connect()
 *     m.get_queue().put('hello')      # one client
 *     m.get_queue().get()             # another: 'hello'
 */
import { Manager, Process, builtinObject, isMainModule, type QueueProxy } from 'mpts';

export class QueueManager extends Manager {}
export interface QueueManager {
  getQueue(): Promise<QueueProxy<string>>;
}
// The server runs this factory: every client gets a proxy to the same queue.
let queue: object | undefined;
QueueManager.register('getQueue', () => (queue ??= builtinObject('Queue')), { proxyType: 'Queue' });

const authkey = 'abracadabra';

export async function putHello(address: string): Promise<void> {
  await using manager = await QueueManager.connect(address, { authkey });
  using q = await manager.getQueue();
  await q.put('hello');
}

export async function getOne(address: string): Promise<void> {
  await using manager = await QueueManager.connect(address, { authkey });
  using q = await manager.getQueue();
  console.log(`got ${JSON.stringify(await q.get())}`);
}

export async function main(): Promise<void> {
  const server = await QueueManager.serve({ host: '127.0.0.1', port: 0, authkey });
  try {
    const getter = new Process({ target: getOne, args: [server.address] });
    const putter = new Process({ target: putHello, args: [server.address] });
    await getter.start();
    await putter.start();
    await putter.join();
    await getter.join();
  } finally {
    await server.close();
  }
}

if (isMainModule(import.meta)) await main();
