/**
 * A counter in shared memory, incremented by four processes: under the value's own lock
 * (Python's `with v.get_lock(): v.value += 1`), and with the lock-free atomic `add`.
 */
import { Process, RawValue, Value, isMainModule, type CValue, type Synchronized } from 'mpts';

const PROCESSES = 4;
const INCREMENTS = 100_000;

export function incrementUnderLock(counter: Synchronized<'i'>): void {
  for (let i = 0; i < INCREMENTS; i++) {
    counter.withLock(() => {
      counter.getObj().value += 1;
    });
  }
}

export function incrementAtomically(counter: CValue<'i'>): void {
  for (let i = 0; i < INCREMENTS; i++) counter.add(1);
}

async function runAll(processes: Process[]): Promise<void> {
  // start() resolves once a child is running its target: starting them all at once lets them
  // boot side by side.
  await Promise.all(processes.map((p) => p.start()));
  for (const p of processes) await p.join();
}

export async function main(): Promise<void> {
  const locked = Value('i', 0);
  await runAll(Array.from({ length: PROCESSES }, () => new Process({ target: incrementUnderLock, args: [locked] })));
  console.log(`with the lock: ${locked.value}`);

  const atomic = RawValue('i', 0);
  await runAll(Array.from({ length: PROCESSES }, () => new Process({ target: incrementAtomically, args: [atomic] })));
  console.log(`with add(): ${atomic.value}`);
}

if (isMainModule(import.meta)) await main();
