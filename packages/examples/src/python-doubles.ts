/**
 * A Node program and a Python program sharing one block of memory by its name: Node makes a
 * `SharedMemory` block, writes 1000 doubles into it through a `Float64Array`, and starts
 * python/sum_doubles.py with the block's name. Python attaches the same block with its own
 * `multiprocessing.shared_memory`, sums the doubles where they lie, and doubles each one in
 * place; Node then sums what Python wrote. Nothing is copied between the two.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SharedMemory } from 'mpts';

const COUNT = 1000;

/** python/sum_doubles.py of this package, from src/ or from a compiled copy further down. */
function pythonProgram(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const program = join(dir, 'python', 'sum_doubles.py');
    if (existsSync(program)) return program;
  }
  throw new Error('python/sum_doubles.py not found');
}

const shm = new SharedMemory({ create: true, size: COUNT * Float64Array.BYTES_PER_ELEMENT });
try {
  const doubles = new Float64Array(shm.buf.buffer, 0, COUNT);
  for (let i = 0; i < COUNT; i++) doubles[i] = i * 0.5;
  console.log(`Node: wrote ${COUNT} doubles, summing to ${doubles.reduce((a, b) => a + b, 0)}`);

  const { stdout } = await promisify(execFile)('python3', [pythonProgram(), shm.name, String(COUNT)]);
  process.stdout.write(stdout);

  console.log(`Node: after Python doubled them, they sum to ${doubles.reduce((a, b) => a + b, 0)}`);
} finally {
  shm.close();
  shm.unlink();
}
