import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Manager } from '@mpts/manager';
import { encodeFrame, Op } from '@mpts/proxy/wire';
import { RawClient } from '../raw-client.js';
import { waitFor } from '../helpers.js';
import { startRemoteServer } from '../remote-helpers.js';

/** The resident memory of a process, in MB. */
function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return kb / 1024;
}

describe('a client that does not read its replies', () => {
  it('1000 calls returning 1 MiB each do not grow the manager; everyone else is served meanwhile', async () => {
    await using server = await startRemoteServer();
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    using d = await manager.dict<string, string>({ big: 'x'.repeat(1 << 20) });
    const before = rssMb(server.pid);
    const raw = new RawClient(server.port);
    await raw.authenticate(server.authkey);
    // From now on, count what arrives without keeping it, and read nothing for a while.
    raw.socket.removeAllListeners('data');
    raw.socket.pause();
    let received = 0;
    raw.socket.on('data', (chunk: Buffer) => (received += chunk.length));
    raw.socket.pause();
    const requests = Array.from({ length: 1000 }, (_, i) => encodeFrame([Op.call, i + 1, d.id, 'getItem', ['big']]));
    raw.write(Buffer.concat(requests));
    // While the manager holds back that client's requests, others are served, and its memory
    // stays bounded.
    let peak = 0;
    for (let i = 0; i < 20; i++) {
      await d.setItem(`k${i}`, 'v');
      expect(await d.len()).toBe(i + 2);
      peak = Math.max(peak, rssMb(server.pid));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log(`backpressure: manager RSS ${before.toFixed(0)} MB before, at most ${peak.toFixed(0)} MB with 1000 unread 1 MiB replies`);
    expect(peak).toBeLessThan(300);
    // Once the client reads, every reply comes, in full.
    raw.socket.resume();
    await waitFor(() => received >= 1000 * (1 << 20), 60_000);
    peak = Math.max(peak, rssMb(server.pid));
    expect(peak).toBeLessThan(300);
    raw.destroy();
    for (let i = 0; i < 20; i++) await d.delItem(`k${i}`);
  });
});
