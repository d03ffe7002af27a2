/**
 * The examples of Python's `multiprocessing.shared_memory` documentation, in mpts: a block
 * attached twice by name, a ShareableList changed in place and opened again by name, and a
 * SharedMemoryManager whose list two child processes fill, unlinked when it shuts down.
 */
import {
  Process, SharedMemory, SharedMemoryManager, ShareableList, isMainModule,
} from 'mpts';
import { range } from './python.js';

const show = (items: unknown[]) => `[${items.map(String).join(', ')}]`;

/** A child's share of the work: squares of its range, stored in place in the shared list. */
export function doWork(sl: ShareableList, start: number, stop: number): void {
  for (const i of range(start, stop)) sl[i] = i * i;
}

if (isMainModule(import.meta)) {
  // A block, and a second view of it attached by name.
  const shmA = new SharedMemory({ create: true, size: 10 });
  const buffer = shmA.buf;
  console.log(buffer.length);                      // 10
  buffer.set([22, 33, 44, 55]);                    // several bytes at once
  buffer[4] = 100;                                 // one byte
  const shmB = new SharedMemory(shmA.name);
  console.log(show([...new Int8Array(shmB.buf.buffer, 0, 5)]));    // [22, 33, 44, 55, 100]
  shmB.buf.set(Buffer.from('howdy'));
  console.log(Buffer.from(shmA.buf.subarray(0, 5)).toString());    // howdy
  shmB.close();
  shmA.close();
  shmA.unlink();                                   // once, by one process

  // A ShareableList: fixed length, items change in place, types too.
  const a = new ShareableList(['howdy', Buffer.from('HoWdY'), -273.154, 100, null, true, 42]);
  console.log(show(a.toArray().map((entry) => (entry === null ? 'null' : Buffer.isBuffer(entry) ? 'Buffer' : typeof entry))));
  console.log(a[2]);                               // -273.154
  a[2] = -78.5;
  console.log(a[2]);                               // -78.5
  a[2] = 'dry ice';
  console.log(a[2]);                               // dry ice
  // A str or bytes item cannot grow past the room its slot was given.
  try {
    a[2] = 'larger than previously allocated storage space';
  } catch (error) {
    console.log(`${(error as Error).name}: ${(error as Error).message}`);
  }
  console.log(a[2], a.length, a.index(42));        // dry ice 7 6
  console.log(a.count(Buffer.from('howdy')), a.count(Buffer.from('HoWdY')));   // 0 1
  a.shm.close();
  a.shm.unlink();

  // The same list opened by name (from any process), changed through either.
  const b = new ShareableList([0, 1, 2, 3, 4]);
  const c = new ShareableList(null, { name: b.shm.name });
  console.log(show(c.toArray()));                  // [0, 1, 2, 3, 4]
  c[-1] = -999;
  console.log(b[-1]);                              // -999
  b.shm.close();
  c.shm.close();
  c.shm.unlink();

  // A SharedMemoryManager unlinks what it made when it shuts down.
  {
    await using smm = await SharedMemoryManager.start();
    const sl = smm.ShareableList(range(2000));
    // Divide the work between two processes, which store their results in sl.
    const p1 = new Process({ target: doWork, args: [sl, 0, 1000] });
    const p2 = new Process({ target: doWork, args: [sl, 1000, 2000] });
    await p1.start();
    await p2.start();
    await p1.join();
    await p2.join();
    let total = 0;
    for (const value of sl) total += value as number;
    console.log(total);                            // 2664667000
    const raw = smm.SharedMemory(128);
    const alpha = smm.ShareableList('alpha');
    console.log(raw.size, show(alpha.toArray()));  // 128 [a, l, p, h, a]
  }
}
