/**
 * A queue item given to `get()` is the manager's until the client has decoded it (DESIGN D6):
 * consumers SIGKILLed at random, and connections that end with gets in flight, lose nothing.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Manager, Process, QueueEmpty, type QueueProxy } from '@mpts/manager';
import { encodeFrame, Op } from '@mpts/proxy/wire';
import { consumeToFile, getWithoutTaskDone } from '../fixtures/queue-consumers.js';
import { fixture, startManager, waitFor } from '../helpers.js';
import { RawClient } from '../raw-client.js';
import { startRemoteServer } from '../remote-helpers.js';

const module = fixture('queue-consumers.ts');
const dir = mkdtempSync(join(tmpdir(), 'queue-handoff-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function recorded(files: string[]): number[] {
  return files.flatMap((file) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : []));
}

async function drain(q: QueueProxy<number | null>): Promise<number[]> {
  const left: number[] = [];
  for (;;) {
    try {
      const item = await q.get({ block: false });
      if (item !== null) left.push(item);
    } catch (error) {
      if (error instanceof QueueEmpty) return left;
      throw error;
    }
  }
}

describe('queue hand-off', () => {
  it('loses no item when busy consumers are SIGKILLed', async () => {
    await using manager = await startManager();
    using q = await manager.queue<number | null>();
    const files: string[] = [];
    const consumers = new Set<Process>();
    const spawn = async () => {
      const file = join(dir, `consumer-${files.length}.txt`);
      files.push(file);
      const child = new Process({ target: consumeToFile, args: [q, file], module });
      await child.start();
      consumers.add(child);
    };
    await Promise.all([spawn(), spawn(), spawn()]);
    const rounds = 10;
    const perRound = 250;
    let produced = 0;
    let kills = 0;
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < perRound; i++) void q.put(produced++);
      // Kill a consumer while items are flowing: once some of this round's items were recorded.
      const target = round * perRound + perRound / 5;
      await waitFor(() => recorded(files).length >= target, 20_000, 2);
      const victim = [...consumers][round % consumers.size]!;
      consumers.delete(victim);
      victim.kill();
      await victim.join();
      kills++;
      await spawn();
    }
    // Let the living consumers finish, then stop them.
    await waitFor(async () => (await q.qsize()) === 0, 20_000);
    for (let i = 0; i < consumers.size; i++) await q.put(null);
    for (const child of consumers) await child.join();
    const remaining = await drain(q);
    const consumed = recorded(files);
    const seen = new Set([...consumed, ...remaining]);
    const lost = produced - seen.size;
    const duplicated = consumed.length + remaining.length - seen.size;
    console.log(`queue hand-off under ${kills} SIGKILLs: produced ${produced}, consumed ${consumed.length}, remaining ${remaining.length}, lost ${lost}, duplicated ${duplicated}`);
    expect(lost).toBe(0);
    expect([...seen].every((item) => item >= 0 && item < produced)).toBe(true);
  }, 120_000);

  it('puts back, in order, every item whose connection ended before the client read it', async () => {
    await using server = await startRemoteServer();
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    using q = await manager.queue<number | null>();
    const count = 500;
    for (let i = 0; i < count; i++) void q.put(i);
    expect(await q.qsize()).toBe(count);
    // 150 connections each send five gets and end without reading a reply.
    for (let n = 0; n < 150; n++) {
      const raw = new RawClient(server.port);
      await raw.authenticate(server.authkey);
      raw.write(Buffer.concat([1, 2, 3, 4, 5].map((id) => encodeFrame([Op.call, id, q.id, 'get', []]))));
      if (n % 2 === 0) await raw.next(); // half of them even saw a reply arrive
      raw.destroy();
      await raw.closed;
      await waitFor(async () => (await q.qsize()) === count, 5000, 1);
    }
    expect(await drain(q)).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it('a JoinableQueue whose consumer was lost before taskDone() does not hang join()', async () => {
    await using manager = await startManager();
    using q = await manager.joinableQueue<number>();
    await q.put(1);
    await q.put(2);
    const file = join(dir, 'undone.txt');
    const child = new Process({ target: getWithoutTaskDone, args: [q, file], module });
    await child.start();
    await waitFor(() => recorded([file]).length === 1);
    expect(await q.get()).toBe(2);
    await q.taskDone();
    child.kill();
    await child.join();
    // The item the lost consumer got is counted done: join() returns.
    await q.join();
    expect(await q.qsize()).toBe(0);
  });
});
