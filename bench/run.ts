/**
 * `pnpm bench`: mpts side by side with Python's multiprocessing.Manager, Redis through ioredis,
 * and the floor (a raw Node-to-Node Unix-socket echo with the same msgpack framing), in one run.
 *
 *   pnpm bench                 3 rounds of ~1 s per workload and peer (a few minutes)
 *   pnpm bench --quick         3 short rounds, under a minute
 *   pnpm bench --only W1,W2    some workloads only
 *   pnpm bench --rounds 5      more rounds
 *
 * Peers are interleaved round by round (mpts, then each peer, then mpts again, the order
 * rotating), so a machine that slows down during the run slows everyone. Peers that are not
 * installed (python3, redis-server) are shown as absent; nothing fails for it. Results go to
 * stdout as a table and to bench/results/<date>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release, platform } from 'node:os';
import { floorWorkloads } from './floor/workloads.js';
import { FloorServer } from './floor/client.js';
import { inPlainNode } from './lib/plain-node.js';
import { forkRoundTrip, nodeBoot } from './floor/node-boot.js';
import { setWarmup, valueOf, type Measurement } from './lib/measure.js';
import { PythonPeer } from './lib/python.js';
import { mpts, type Params } from './mpts/workloads.js';
import { RedisServer } from './redis/server.js';
import { redisWorkloads } from './redis/workloads.js';
import { mptsOnRedisWorkloads } from './redis/mpts-workloads.js';
import { inTurnsWorkloads } from './redis/in-turns-workloads.js';

type Peer = 'mpts' | 'mptsRedis' | 'floor' | 'python' | 'redis';
const PEERS: Peer[] = ['mpts', 'mptsRedis', 'floor', 'python', 'redis'];
const PEER_TITLES: Record<Peer, string> = { mpts: 'mpts', mptsRedis: 'mpts on Redis', floor: 'floor', python: 'Python', redis: 'Redis' };

interface Workload {
  id: string;
  title: string;
  unit: string;
  /** Whether a bigger number is better (throughput) or a smaller one (time, memory). */
  higherIsBetter: boolean;
  /** Which peers can run it, and why the others are not shown. */
  peers: Partial<Record<Peer, (p: Params) => Promise<Measurement>>>;
}

interface Target {
  workload: string;
  /** Whose figure is held against the peer's. @default 'mpts' */
  ours?: Peer;
  peer: Peer;
  /** The peer's workload the ratio is taken against (W2 is held against Python's W1). */
  peerWorkload: string;
  /** mpts / peer must be at least this (throughput), or at most this (time, memory). */
  ratio: number;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const rounds = Number(option('--rounds') ?? 3);
const only = option('--only')?.split(',').map((s) => s.trim().toLowerCase());

const params: Params = quick
  ? { duration: 0.1, processes: 4, lockedN: 120, atomicN: 3000, shmN: 30_000, blobBytes: 1 << 20, entries: 100_000 }
  : { duration: 1, processes: 4, lockedN: 1500, atomicN: 25_000, shmN: 250_000, blobBytes: 1 << 20, entries: 1_000_000 };

// Warm-up before each clock starts; shorter with --quick, where figures are indicative only.
setWarmup(quick ? 0.1 : 0.5);

let python: PythonPeer | undefined;
let redis: RedisServer | undefined;
let floor: FloorServer | undefined;

const py = (workload: string, extra: Record<string, unknown> = {}) => (p: Params) =>
  python!.run({ workload, duration: p.duration, processes: p.processes, ...extra });
const rd = (run: (p: Params, port: number) => Promise<Measurement>) => (p: Params) => run(p, redis!.port);
const fl = (run: (p: Params, path: string) => Promise<Measurement>) => (p: Params) => run(p, floor!.path);

/**
 * A workload of mpts on Redis and raw ioredis measured together, in turns in one plain-node
 * process (redis/in-turns-workloads.ts): the first of the two peers a round asks for runs the
 * pair, the second takes its half of the same run.
 */
function inTurnsOnRedis(workload: keyof typeof inTurnsWorkloads): Partial<Record<Peer, (p: Params) => Promise<Measurement>>> {
  type Pair = Awaited<ReturnType<(typeof inTurnsWorkloads)[typeof workload]>>;
  let pending: Promise<Pair> | undefined;
  const half = (peer: keyof Pair) => async (p: Params): Promise<Measurement> => {
    let pair = pending;
    if (pair === undefined) {
      pending = pair = inPlainNode<Pair>(new URL('./redis/in-turns-workloads.ts', import.meta.url), 'inTurnsWorkloads', workload, [p, redis!.port]);
    } else {
      pending = undefined;
    }
    return (await pair)[peer];
  };
  return { mptsRedis: half('mptsRedis'), redis: half('redis') };
}

const WORKLOADS: Workload[] = [
  { id: 'W1', title: 'dict setItem+getItem, 1 call in flight', unit: 'calls/s', higherIsBetter: true,
    peers: { mpts: mpts.W1, floor: fl(floorWorkloads.W1), python: py('W1'), ...inTurnsOnRedis('W1') } },
  { id: 'W2', title: 'the same, 64 calls in flight', unit: 'calls/s', higherIsBetter: true,
    peers: { mpts: mpts.W2, mptsRedis: rd(mptsOnRedisWorkloads.W2), floor: fl(floorWorkloads.W2), redis: rd(redisWorkloads.W2) } },
  { id: 'W3', title: '4 client processes on one dict (64 in flight each; Python: 1, its limit)', unit: 'calls/s', higherIsBetter: true,
    peers: { mpts: mpts.W3, python: py('W3'), redis: rd(redisWorkloads.W3) } },
  { id: 'W4', title: 'queue, 1 producer + 1 consumer process', unit: 'items/s', higherIsBetter: true,
    peers: { mpts: mpts.W4, mptsRedis: rd(mptsOnRedisWorkloads.W4), python: py('W4'), redis: rd(redisWorkloads.W4) } },
  { id: 'W5', title: 'lock acquire+release, 1 client', unit: 'pairs/s', higherIsBetter: true,
    peers: { mpts: mpts.W5, mptsRedis: rd(mptsOnRedisWorkloads.W5), python: py('W5'), redis: rd(redisWorkloads.W5) } },
  { id: 'W6', title: '4 processes += 1 under a manager lock', unit: 'incr/s', higherIsBetter: true,
    peers: { mpts: mpts.W6, python: (p) => python!.run({ workload: 'W6', n: p.lockedN, processes: p.processes }),
      redis: rd(redisWorkloads.W6) } },
  { id: 'W6a', title: '4 processes, atomic increment (v.add / INCR)', unit: 'incr/s', higherIsBetter: true,
    peers: { mpts: mpts.W6a, redis: rd(redisWorkloads.W6a) } },
  { id: 'W7', title: 'proxy creation (+ release)', unit: 'proxies/s', higherIsBetter: true,
    peers: { mpts: mpts.W7, python: py('W7') } },
  { id: 'B0', title: 'Node boot: `node -e 0` (the floor column alone)', unit: 'ms', higherIsBetter: false,
    peers: { floor: nodeBoot } },
  { id: 'W8', title: 'manager start → first call → shutdown (floor: fork + IPC round trip)', unit: 'ms', higherIsBetter: false,
    peers: { mpts: mpts.W8, floor: forkRoundTrip, python: py('W8') } },
  { id: 'W11', title: 'Process start → target runs → join, compiled JS (floor: fork + IPC)', unit: 'ms', higherIsBetter: false,
    peers: { mpts: mpts.W11, floor: forkRoundTrip, python: py('W11') } },
  { id: 'W11ts', title: 'the same, target in TypeScript (tsx in the child)', unit: 'ms', higherIsBetter: false,
    peers: { mpts: mpts.W11ts, floor: forkRoundTrip, python: py('W11') } },
  { id: 'W9', title: 'shared-memory Value, locked += 1, 4 processes', unit: 'incr/s', higherIsBetter: true,
    peers: { mpts: mpts.W9, python: (p) => python!.run({ workload: 'W9', n: p.shmN, processes: p.processes }) } },
  { id: 'W10', title: '1 MiB value set+get', unit: 'MB/s', higherIsBetter: true,
    // Each Node client in a plain node process (see plain-node.ts).
    peers: { mpts: (p) => inPlainNode(new URL('./mpts/workloads.ts', import.meta.url), 'mpts', 'W10', [p]),
      floor: (p) => inPlainNode(new URL('./floor/workloads.ts', import.meta.url), 'floorWorkloads', 'W10', [p, floor!.path]),
      python: py('W10', { bytes: params.blobBytes }),
      redis: (p) => inPlainNode(new URL('./redis/workloads.ts', import.meta.url), 'redisWorkloads', 'W10', [p, redis!.port]) } },
  { id: 'M0', title: 'server RSS, idle (started, one empty dict)', unit: 'MB', higherIsBetter: false,
    peers: { mpts: mpts.M0, python: py('M0') } },
  { id: 'M1', title: `server RSS, dict of ${params.entries.toLocaleString('en')} small entries`, unit: 'MB', higherIsBetter: false,
    peers: { mpts: mpts.M1, python: py('M1', { entries: params.entries }) } },
];

const TARGETS: Target[] = [
  { workload: 'W1', peer: 'floor', peerWorkload: 'W1', ratio: 0.9 },
  { workload: 'W1', peer: 'redis', peerWorkload: 'W1', ratio: 1.0 },
  { workload: 'W2', peer: 'floor', peerWorkload: 'W2', ratio: 0.8 },
  { workload: 'W2', peer: 'python', peerWorkload: 'W1', ratio: 10 },
  { workload: 'W2', peer: 'redis', peerWorkload: 'W2', ratio: 1.0 },
  { workload: 'W3', peer: 'python', peerWorkload: 'W3', ratio: 5 },
  { workload: 'W1', ours: 'mptsRedis', peer: 'redis', peerWorkload: 'W1', ratio: 0.9 },
  { workload: 'W2', ours: 'mptsRedis', peer: 'redis', peerWorkload: 'W2', ratio: 0.9 },
  { workload: 'W4', ours: 'mptsRedis', peer: 'mpts', peerWorkload: 'W4', ratio: 0.5 },
  { workload: 'W4', ours: 'mptsRedis', peer: 'python', peerWorkload: 'W4', ratio: 3 },
  { workload: 'W4', peer: 'python', peerWorkload: 'W4', ratio: 3 },
  { workload: 'W6', peer: 'python', peerWorkload: 'W6', ratio: 2 },
  { workload: 'W6a', peer: 'python', peerWorkload: 'W6', ratio: 20 },
  { workload: 'W7', peer: 'python', peerWorkload: 'W7', ratio: 10 },
  { workload: 'W8', peer: 'python', peerWorkload: 'W8', ratio: 2 },
  { workload: 'W8', peer: 'floor', peerWorkload: 'W8', ratio: 1.3 },
  { workload: 'W11', peer: 'floor', peerWorkload: 'W11', ratio: 1.3 },
  { workload: 'W9', peer: 'python', peerWorkload: 'W9', ratio: 1.0 },
  { workload: 'W10', peer: 'python', peerWorkload: 'W10', ratio: 1.0 },
  { workload: 'M1', peer: 'python', peerWorkload: 'M1', ratio: 1.0 },
];

interface Summary {
  samples: number[];
  errors: string[];
  median?: number;
  min?: number;
  max?: number;
}

function option(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function fmt(value: number | undefined): string {
  if (value === undefined) return '–';
  if (value >= 100_000) return `${(value / 1000).toFixed(0)}k`;
  if (value >= 10_000) return `${(value / 1000).toFixed(1)}k`;
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function startPeers(): Promise<Record<Peer, string>> {
  const status: Record<Peer, string> = { mpts: 'this checkout', mptsRedis: '', floor: 'Node Unix socket, msgpackr', python: '', redis: '' };
  floor = await FloorServer.start();
  if (PythonPeer.installed()) {
    python = await PythonPeer.start();
    status.python = `Python ${python.version} multiprocessing`;
  } else {
    status.python = 'absent (no python3)';
  }
  if (RedisServer.installed() !== undefined) {
    redis = await RedisServer.start();
    status.redis = `redis-server ${redis.version} + ioredis`;
    status.mptsRedis = `this checkout's @mpts/redis, same redis-server`;
  } else {
    status.redis = 'absent (apt-get install redis-server)';
    status.mptsRedis = status.redis;
  }
  return status;
}

async function stopPeers(): Promise<void> {
  await Promise.allSettled([python?.stop(), redis?.stop(), floor?.stop()]);
  python = undefined;
  redis = undefined;
  floor = undefined;
}

function present(peer: Peer): boolean {
  return peer === 'mpts' || (peer === 'floor' && floor !== undefined) || (peer === 'python' && python !== undefined) ||
    ((peer === 'redis' || peer === 'mptsRedis') && redis !== undefined);
}

async function main(): Promise<void> {
  const started = new Date();
  const workloads = WORKLOADS.filter((w) => !only || only.includes(w.id.toLowerCase()));
  progress(`mpts bench${quick ? ' --quick' : ''}: ${workloads.length} workloads × ${rounds} rounds; starting peers...`);
  const peerStatus = await startPeers();
  for (const peer of PEERS) progress(`  ${PEER_TITLES[peer].padEnd(7)} ${peerStatus[peer]}`);

  const results: Record<string, Partial<Record<Peer, Summary>>> = {};
  try {
    for (const workload of workloads) {
      const peers = PEERS.filter((peer) => workload.peers[peer] && present(peer));
      const row: Partial<Record<Peer, Summary>> = {};
      for (const peer of peers) row[peer] = { samples: [], errors: [] };
      results[workload.id] = row;
      for (let round = 0; round < rounds; round++) {
        // Rotate the order every round, so no peer always runs first (or right after mpts).
        const order = peers.map((_, i) => peers[(i + round) % peers.length]!);
        const line: string[] = [];
        for (const peer of order) {
          let m: Measurement;
          try {
            m = await workload.peers[peer]!(params);
          } catch (error) {
            m = { error: (error as Error).message };
          }
          const value = valueOf(m);
          if (value === undefined) row[peer]!.errors.push((m as { error: string }).error);
          else row[peer]!.samples.push(value);
          line.push(`${PEER_TITLES[peer]} ${value === undefined ? `failed (${(m as { error: string }).error})` : fmt(value)}`);
        }
        progress(`${workload.id.padEnd(4)} round ${round + 1}/${rounds}  ${line.join('  ')}  ${workload.unit}`);
      }
      for (const summary of Object.values(row)) {
        if (summary.samples.length === 0) continue;
        summary.median = median(summary.samples);
        summary.min = Math.min(...summary.samples);
        summary.max = Math.max(...summary.samples);
      }
    }
  } finally {
    await stopPeers();
  }

  const ratioOf = (t: Target): number | undefined => {
    const ours = results[t.workload]?.[t.ours ?? 'mpts']?.median;
    const theirs = results[t.peerWorkload]?.[t.peer]?.median;
    return ours === undefined || theirs === undefined ? undefined : ours / theirs;
  };
  const higherIsBetter = (id: string) => WORKLOADS.find((w) => w.id === id)!.higherIsBetter;
  const targets = TARGETS.filter((t) => results[t.workload]).map((t) => {
    const ratio = ratioOf(t);
    const met = ratio === undefined ? undefined : higherIsBetter(t.workload) ? ratio >= t.ratio : ratio <= t.ratio;
    return { ...t, measured: ratio, met };
  });

  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
  };
  const table = renderTable(workloads, results, peerStatus);
  const targetTable = renderTargets(targets);
  const header = `${started.toISOString().slice(0, 10)}, ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ` +
    `${machine.os}, Node ${machine.node}; ${rounds} rounds${quick ? ' (--quick)' : ''}; median (min–max)`;
  process.stdout.write(`\n${header}\n\n${table}\n\n${targetTable}\n`);

  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${started.toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`, dir);
  writeFileSync(file, `${JSON.stringify({ started: started.toISOString(), quick, rounds, params, machine, peers: peerStatus,
    workloads: workloads.map(({ id, title, unit, higherIsBetter }) => ({ id, title, unit, higherIsBetter, results: results[id] })),
    targets }, null, 2)}\n`);
  progress(`\nresults: ${file.pathname}`);
}

function renderTable(workloads: Workload[], results: Record<string, Partial<Record<Peer, Summary>>>,
  status: Record<Peer, string>): string {
  const cell = (s: Summary | undefined, peer: Peer, w: Workload): string => {
    if (!w.peers[peer]) return 'n/a';
    if (!present(peer) && s === undefined) return status[peer].startsWith('absent') ? 'absent' : 'n/a';
    if (s === undefined || s.median === undefined) return s?.errors.length ? `failed: ${s.errors[0]}` : '–';
    return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
  };
  const ratio = (w: Workload, peer: Peer): string => {
    const ours = results[w.id]?.mpts?.median;
    const theirs = results[w.id]?.[peer]?.median;
    return ours === undefined || theirs === undefined ? '' : ` ×${(ours / theirs).toFixed(2)}`;
  };
  const lines = [
    '| Workload | unit | mpts | mpts on Redis | floor | Python | Redis |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const w of workloads) {
    const row = results[w.id] ?? {};
    lines.push(`| ${w.id} ${w.title} | ${w.unit} | ${cell(row.mpts, 'mpts', w)} | ` +
      (['mptsRedis', 'floor', 'python', 'redis'] as Peer[]).map((peer) => {
        const text = cell(row[peer], peer, w);
        return text.includes('(') ? `${text}${ratio(w, peer)}` : text;
      }).join(' | ') + ' |');
  }
  return `${lines.join('\n')}\n\n×r after a peer's figure: mpts's median divided by that peer's median.`;
}

function renderTargets(targets: (Target & { measured: number | undefined; met: boolean | undefined })[]): string {
  const lines = ['| Target | measured | |', '|---|---|---|'];
  for (const t of targets) {
    const relation = WORKLOADS.find((w) => w.id === t.workload)!.higherIsBetter ? '≥' : '≤';
    const against = t.peerWorkload === t.workload ? PEER_TITLES[t.peer] : `${PEER_TITLES[t.peer]} ${t.peerWorkload}`;
    const ours = t.ours === undefined || t.ours === 'mpts' ? '' : ` (${PEER_TITLES[t.ours]})`;
    lines.push(`| ${t.workload}${ours} ${relation} ${t.ratio} × ${against} | ${t.measured === undefined ? 'peer absent' : `×${t.measured.toFixed(2)}`} | ` +
      `${t.met === undefined ? '' : t.met ? 'met' : 'missed'} |`);
  }
  return lines.join('\n');
}

const interrupted = () => {
  void stopPeers().then(() => process.exit(130));
};
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);

main().catch(async (error) => {
  await stopPeers();
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
