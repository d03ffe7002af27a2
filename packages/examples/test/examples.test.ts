import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findPythons, pythonMissing } from '../../manager/test/python-clients/python-interpreter.js';

const run = promisify(execFile);
/** python-consumer.ts runs a CPython >= 3.12 program: skipped, with the reason, without one (failed in CI). */
const python = findPythons()[0];
const noPython = pythonMissing(python === undefined ? [] : [python]);
const src = new URL('../src/', import.meta.url);

/** What each example prints: CPython's output for the ported ones. */
const expected: Record<string, string> = {
  'demo.ts':
    "{1: '1', '2': 2, 0.25: None}\n[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]\n3.1415927\n[0, -1, -2, -3, -4, -5, -6, -7, -8, -9]\n",
  'dict-and-list.ts': "{1: '1', '2': 2, 0.25: None}\n[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]\n",
  'value-and-array.ts': '3.1415927\n[0, -1, -2, -3, -4, -5, -6, -7, -8, -9]\n',
  'producer-consumer.ts': 'consumed 20 items, sum of squares 2470\n',
  'locked-counter.ts': 'with a lock: 1000\nwith add(): 1000\n',
  'namespace.ts': "Namespace(x=1, y='two')\nNamespace(x=42, z=[1, 2, 3])\n",
  'shared-counter.ts': 'with the lock: 400000\nwith add(): 400000\n',
  'remote-queue.ts': 'got "hello"\n',
  'named-shared-memory.ts':
    '10\n[22, 33, 44, 55, 100]\nhowdy\n[string, Buffer, number, number, null, boolean, number]\n' +
    '-273.154\n-78.5\ndry ice\nValueError: bytes/str item exceeds available storage\ndry ice 7 6\n0 1\n' +
    '[0, 1, 2, 3, 4]\n-999\n2664667000\n128 [a, l, p, h, a]\n',
  'python-doubles.ts':
    'Node: wrote 1000 doubles, summing to 249750\n' +
    'Python: the sum of the 1000 doubles Node wrote is 249750.0\n' +
    'Node: after Python doubled them, they sum to 499500\n',
  'cluster.ts':
    'worker 1: 100 increments\nworker 2: 100 increments\nworker 3: 100 increments\n' +
    'total under the lock: 300 (expected 300)\nworkers exited: 0, 0, 0\n',
  'python-consumer.ts': 'item 5: 5² = 25\nitem 10: 10² = 100\nsum of squares from Python: 385\npython exited with 0\n',
};

describe('the examples', () => {
  it('every example program has its expected output here', () => {
    const programs = readdirSync(src).filter((name) => name.endsWith('.ts') && name !== 'python.ts');
    expect(programs.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [program, output] of Object.entries(expected)) {
    it.skipIf(program === 'python-consumer.ts' && noPython !== undefined)(`${program} prints what it should, and exits 0`, async () => {
      // The demo runs as the README runs it, through tsx (its children then load TypeScript
      // too); the others run compiled to JavaScript (vitest.fixtures.ts), which starts faster.
      // `--import tsx` resolves from the working directory: the examples package.
      const compiled = new URL(`../test/dist/src/${program.replace(/\.ts$/, '.js')}`, src);
      const args = program !== 'demo.ts' && existsSync(compiled)
        ? [compiled.pathname]
        : ['--import', 'tsx', new URL(program, src).pathname];
      const { stdout } = await run(process.execPath, args, {
        cwd: new URL('..', import.meta.url).pathname,
        timeout: 60_000,
        env: python === undefined ? process.env : { ...process.env, PYTHON: python },
      });
      expect(stdout).toBe(output);
    });
  }
});
