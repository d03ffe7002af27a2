/**
 * Producers and consumers in separate processes, sharing one `JoinableQueue` of a manager.
 * Each consumer marks every item done; `q.join()` returns once all of them are.
 */
import { Manager, Process, isMainModule, type JoinableQueueProxy, type ListProxy } from 'mpts';

type Item = number | null;

export async function produce(q: JoinableQueueProxy<Item>, first: number, count: number): Promise<void> {
  for (let i = first; i < first + count; i++) await q.put(i);
}

export async function consume(q: JoinableQueueProxy<Item>, results: ListProxy<number>): Promise<void> {
  for (;;) {
    const item = await q.get();
    if (item === null) {
      await q.taskDone();
      return;
    }
    await results.append(item * item);
    await q.taskDone();
  }
}

export async function main(): Promise<void> {
  await using manager = await Manager.start();
  const q = await manager.joinableQueue<Item>(4);
  const results = await manager.list<number>();
  const producers = [0, 10].map((first) => new Process({ target: produce, args: [q, first, 10] }));
  const consumers = [1, 2, 3].map(() => new Process({ target: consume, args: [q, results] }));
  await Promise.all([...producers, ...consumers].map((p) => p.start()));
  for (const p of producers) await p.join();
  for (const _ of consumers) await q.put(null);
  await q.join();
  for (const p of consumers) await p.join();
  const squares = await results.copy();
  console.log(`consumed ${squares.length} items, sum of squares ${squares.reduce((a, b) => a + b, 0)}`);
}

if (isMainModule(import.meta)) await main();
