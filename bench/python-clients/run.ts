/**
 * W1 (dict setitem + getitem, one call in flight) from a CPython client, against an mpts
 * manager serving Python clients and against CPython's own manager, alternating, same run.
 *
 *   npx tsx bench/python-clients/run.ts [--python <python3.12+>] [--seconds 2] [--rounds 3]
 *
 * Prints calls/s of each, the median of the rounds, and mpts's ratio to CPython's.
 */
import { execFileSync, execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Manager } from '../../packages/manager/dist/index.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { python: { type: 'string' }, seconds: { type: 'string', default: '2' }, rounds: { type: 'string', default: '3' } } });
const python = values.python ?? `${execFileSync('pyenv', ['prefix', '3.13.0'], { encoding: 'utf8' }).trim()}/bin/python3`;
const script = fileURLToPath(new URL('./w1.py', import.meta.url));

async function w1(args: string[]): Promise<number> {
  const { stdout } = await run(python, [script, values.seconds!, ...args]);
  const { ops, seconds } = JSON.parse(stdout) as { ops: number; seconds: number };
  return ops / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await using manager = await Manager.start({ pythonClients: true });
const { host, port } = manager.pythonAddress!;
const mpts: number[] = [];
const cpython: number[] = [];
for (let round = 0; round < Number(values.rounds); round++) {
  mpts.push(await w1([host, String(port), manager.authkey.toString('hex')]));
  cpython.push(await w1([]));
}
const version = execFileSync(python, ['--version'], { encoding: 'utf8' }).trim();
console.log(`W1 from ${version}, ${values.rounds} rounds of ${values.seconds} s`);
console.log(`  mpts manager:    ${mpts.map((x) => x.toFixed(0)).join(', ')} calls/s, median ${median(mpts).toFixed(0)}`);
console.log(`  CPython manager: ${cpython.map((x) => x.toFixed(0)).join(', ')} calls/s, median ${median(cpython).toFixed(0)}`);
console.log(`  ratio mpts / CPython: ${(median(mpts) / median(cpython)).toFixed(2)} x`);
