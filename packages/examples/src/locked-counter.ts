/**
 * Four processes increment one shared counter in a manager. `v.set(await v.get() + 1)` alone
 * would lose updates (two processes read the same value); holding a manager lock around it, or
 * using the atomic `add`, does not.
 */
import { Manager, Process, isMainModule, type AcquirerProxy, type ValueProxy } from 'mpts';

const PROCESSES = 4;
const INCREMENTS = 250;

export async function incrementUnderLock(counter: ValueProxy<number>, lock: AcquirerProxy): Promise<void> {
  for (let i = 0; i < INCREMENTS; i++) {
    await lock.withLock(async () => {
      await counter.set((await counter.get()) + 1);
    });
  }
}

export async function incrementAtomically(counter: ValueProxy<number>): Promise<void> {
  for (let i = 0; i < INCREMENTS; i++) await counter.add(1);
}

async function runAll(processes: Process[]): Promise<void> {
  // start() resolves once a child is running its target: starting them all at once lets them
  // boot side by side.
  await Promise.all(processes.map((p) => p.start()));
  for (const p of processes) await p.join();
}

export async function main(): Promise<void> {
  await using manager = await Manager.start();
  const lock = await manager.lock();
  const locked = await manager.value('i', 0);
  await runAll(Array.from({ length: PROCESSES }, () => new Process({ target: incrementUnderLock, args: [locked, lock] })));
  console.log(`with a lock: ${await locked.get()}`);

  const atomic = await manager.value('i', 0);
  await runAll(Array.from({ length: PROCESSES }, () => new Process({ target: incrementAtomically, args: [atomic] })));
  console.log(`with add(): ${await atomic.get()}`);
}

if (isMainModule(import.meta)) await main();
