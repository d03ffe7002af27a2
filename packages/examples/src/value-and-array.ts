/**
 * Python's shared-memory example from the multiprocessing docs, in TypeScript:
 *
 *     def f(n, a):
 *         n.value = 3.1415927
 *         for i in range(len(a)):
 *             a[i] = -a[i]
 *
 *     if __name__ == '__main__':
 *         num = Value('d', 0.0)
 *         arr = Array('i', range(10))
 *         p = Process(target=f, args=(num, arr))
 *         p.start()
 *         p.join()
 *         print(num.value)
 *         print(arr[:])
 *
 * The child writes straight into the parent's memory: no manager, no messages.
 */
import {
  Process, SharedArray, Value, isMainModule, pythonRepr,
  type Indexed, type Synchronized, type SynchronizedArray,
} from 'mpts';
import { range } from './python.js';

export function f(n: Synchronized<'d'>, a: Indexed<SynchronizedArray<'i'>, 'i'>): void {
  n.value = 3.1415927;
  for (let i = 0; i < a.length; i++) a[i] = -a[i]!;
}

export async function main(): Promise<void> {
  const num = Value('d', 0.0);
  const arr = SharedArray('i', range(10));
  const p = new Process({ target: f, args: [num, arr] });
  await p.start();
  await p.join();
  console.log(pythonRepr(num.value));
  console.log(pythonRepr(arr.getSlice()));
}

if (isMainModule(import.meta)) await main();
