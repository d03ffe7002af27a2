/**
 * Python's manager example from the multiprocessing docs, in TypeScript:
 *
 *     def f(d, l):
 *         d[1] = '1'
 *         d['2'] = 2
 *         d[0.25] = None
 *         l.reverse()
 *
 *     if __name__ == '__main__':
 *         with Manager() as manager:
 *             d = manager.dict()
 *             l = manager.list(range(10))
 *             p = Process(target=f, args=(d, l))
 *             p.start()
 *             p.join()
 *             print(d)
 *             print(l)
 */
import { Manager, Process, isMainModule, type DictProxy, type ListProxy } from 'mpts';
import { range } from './python.js';

export async function f(d: DictProxy<number | string, string | number | null>, l: ListProxy<number>): Promise<void> {
  await d.setItem(1, '1');
  await d.setItem('2', 2);
  await d.setItem(0.25, null);
  await l.reverse();
}

export async function main(): Promise<void> {
  await using manager = await Manager.start();
  const d = await manager.dict<number | string, string | number | null>();
  const l = await manager.list(range(10));
  const p = new Process({ target: f, args: [d, l] });
  await p.start();
  await p.join();
  console.log(await d.str());
  console.log(await l.str());
}

if (isMainModule(import.meta)) await main();
