/**
 * W1 (dict setitem + getitem, one call in flight) from a CPython client, against an mpts
 * manager serving Python clients and against CPython's own manager, in the same run: over TCP
 * (127.0.0.1) and over a Unix socket (CPython's default), each transport against the other
 * manager on the same one.
 *
 *   npx tsx bench/python-clients/run.ts [--python <python3.12+>] [--seconds 2] [--rounds 5]
 *                                       [--transport tcp|unix|both]
 *
 * Rounds alternate the two managers, the first of each round taking turns, so that a load
 * that drifts during the run falls on both alike. Prints calls/s of each, the median of the
 * rounds, mpts's ratio to CPython's, and the CPU time each manager's process spent per call
 * (from /proc), which a loaded machine disturbs less than the rate.
 */
import { execFileSync, execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Manager } from '../../packages/manager/dist/index.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    python: { type: 'string' },
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '5' },
    transport: { type: 'string', default: 'both' },
  },
});
const python = values.python ?? `${execFileSync('pyenv', ['prefix', '3.13.0'], { encoding: 'utf8' }).trim()}/bin/python3`;
const script = fileURLToPath(new URL('./w1.py', import.meta.url));
const transports = values.transport === 'both' ? ['tcp', 'unix'] : [values.transport!];

interface Round {
  readonly rate: number;
  /** The manager's CPU time per call, in microseconds. */
  readonly cpuPerCall: number;
}

async function w1(args: string[]): Promise<Round> {
  const { stdout } = await run(python, [script, values.seconds!, ...args]);
  const { ops, seconds, server_cpu } = JSON.parse(stdout) as { ops: number; seconds: number; server_cpu: number };
  return { rate: ops / seconds, cpuPerCall: (server_cpu / ops) * 1e6 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function line(rounds: Round[]): string {
  const rates = rounds.map((r) => r.rate);
  const cpu = rounds.map((r) => r.cpuPerCall);
  return `${rates.map((x) => x.toFixed(0)).join(', ')} calls/s, median ${median(rates).toFixed(0)}; manager CPU ${median(cpu).toFixed(1)} µs/call`;
}

/** An mpts manager for Python clients at `transport`, in a process of its own for TCP (`Manager.start`) and in this one for a Unix socket (`Manager.serve`). */
async function mptsManager(transport: string): Promise<{ args: string[]; [Symbol.asyncDispose](): Promise<void> }> {
  if (transport === 'tcp') {
    const manager = await Manager.start({ pythonClients: true });
    const { host, port } = manager.pythonAddress!;
    return { args: [`${host}:${port}`, manager.authkey.toString('hex'), String(manager.pid)], [Symbol.asyncDispose]: () => manager.shutdown() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'mpts-w1-'));
  const path = join(dir, 'manager.sock');
  const authkey = Buffer.from(crypto.getRandomValues(new Uint8Array(32)));
  const server = await Manager.serve({ path, authkey, pythonClients: true });
  return {
    args: [path, authkey.toString('hex'), String(process.pid)],
    [Symbol.asyncDispose]: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const version = execFileSync(python, ['--version'], { encoding: 'utf8' }).trim();
console.log(`W1 from ${version}, ${values.rounds} rounds of ${values.seconds} s`);
for (const transport of transports) {
  await using manager = await mptsManager(transport);
  const mpts: Round[] = [];
  const cpython: Round[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    const runMpts = async () => mpts.push(await w1(manager.args));
    const runCpython = async () => cpython.push(await w1(['own', transport]));
    if (round % 2 === 0) {
      await runMpts();
      await runCpython();
    } else {
      await runCpython();
      await runMpts();
    }
  }
  console.log(`${transport === 'tcp' ? 'TCP, 127.0.0.1' : 'Unix socket'}:`);
  console.log(`  mpts manager:    ${line(mpts)}`);
  console.log(`  CPython manager: ${line(cpython)}`);
  console.log(`  ratio mpts / CPython: ${(median(mpts.map((r) => r.rate)) / median(cpython.map((r) => r.rate))).toFixed(2)} x`);
}
