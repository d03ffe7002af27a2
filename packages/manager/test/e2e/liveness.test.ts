import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Manager, toToken } from '@mpts/manager';
import { decode, encodeFrame, Op, Reply } from '@mpts/proxy/wire';
import { RawClient, within } from '../raw-client.js';
import { fixture, isRunning, nodeFlags } from '../helpers.js';
import { startRemoteServer } from '../remote-helpers.js';

describe('a client that stops answering', () => {
  it('(SIGSTOP) while holding a lock is lost after heartbeatTimeout, and the lock goes to the next waiter', async () => {
    await using server = await startRemoteServer({ heartbeatInterval: 0.25, heartbeatTimeout: 1 });
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    using lock = await manager.lock();
    const entry = fixture('liveness-client.ts');
    const child = fork(fileURLToPath(entry), [], { execArgv: nodeFlags(entry), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = once(child, 'exit');
    try {
      const held = once(child, 'message');
      child.send(toToken(lock, { includeAuthkey: true }));
      await held;
      const waiting = lock.acquire();
      // Alive and idle, the holder answers every heartbeat: through three timeouts it keeps the lock.
      expect(await within(waiting, 3000)).toBe(false);
      process.kill(child.pid!, 'SIGSTOP');
      const stoppedAt = Date.now();
      expect(await within(waiting, 20_000)).toBe(true);
      console.log(`liveness: a stopped client holding a lock was found lost ${Date.now() - stoppedAt} ms after SIGSTOP (heartbeatTimeout 1 s)`);
      expect(await waiting).toBe(true);
      await lock.release();
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    expect(isRunning(child.pid!)).toBe(false);
  });

  it('is sent heartbeats, and an idle client that answers them stays connected', async () => {
    await using server = await startRemoteServer({ heartbeatInterval: 0.2, heartbeatTimeout: 1 });
    const raw = new RawClient(server.port);
    await raw.authenticate(server.authkey);
    let heartbeats = 0;
    // Answer ten heartbeats (two seconds: twice the timeout), then fall silent.
    while (heartbeats < 10) {
      const frame = await raw.next();
      expect(frame).toBeDefined();
      const message = decode(frame!) as unknown[];
      if (message[0] !== Reply.heartbeat) continue;
      heartbeats++;
      raw.write(encodeFrame([Op.heartbeat, 0]));
    }
    expect(raw.isClosed).toBe(false);
    expect(await within(raw.closed, 10_000)).toBe(true);
  });
});

describe('a frame in progress', () => {
  it('that stops arriving closes the connection', async () => {
    await using server = await startRemoteServer({ heartbeatInterval: 0.25, heartbeatTimeout: 1 });
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    const raw = new RawClient(server.port);
    await raw.authenticate(server.authkey);
    // A frame of 60 MiB announced, 1 KiB of it sent.
    raw.write(Buffer.concat([Buffer.from([0x03, 0xc0, 0, 0]), Buffer.alloc(1024)]));
    expect(await within(raw.closed, 10_000)).toBe(true);
    expect(await manager.numberOfObjects()).toBe(0);
  });

  it('that trickles in, one byte at a time, is closed with a reason once it takes too long', async () => {
    await using server = await startRemoteServer({ heartbeatInterval: 0.25, heartbeatTimeout: 1 });
    const raw = new RawClient(server.port);
    await raw.authenticate(server.authkey);
    raw.write(Buffer.from([0, 1, 0, 0])); // 64 KiB announced: 1 s, plus 0.25 s for its size
    const trickle = setInterval(() => raw.write(Buffer.from([0x90])), 50);
    try {
      expect(await within(raw.closed, 10_000)).toBe(true);
    } finally {
      clearInterval(trickle);
    }
    const fatal = raw.frames.map((frame) => decode(frame) as unknown[]).find((message) => message[0] === Reply.fatal);
    expect(fatal?.[2]).toBe('a frame took too long to arrive');
  });
});
