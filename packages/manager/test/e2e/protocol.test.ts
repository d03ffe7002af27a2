import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AuthenticationError, type Manager } from '@mpts/manager';
import {
  answerChallenge,
  Connection,
  decode,
  encodeFrame,
  FrameDecoder,
  frameBytes,
  isWelcome,
  makeChallenge,
  Op,
  Reply,
  verifyAnswer,
  WELCOME,
} from '@mpts/proxy/wire';
import { serveManager, startManager, waitFor } from '../helpers.js';

/** A raw socket to the manager that has done the client's half of the handshake by hand. */
class RawClient {
  readonly frames: Buffer[] = [];
  closed = false;
  private waiting: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    const decoder = new FrameDecoder(64 * 1024 * 1024, (frame) => {
      this.frames.push(Buffer.from(frame));
      this.waiting?.();
    });
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
    socket.on('error', () => {});
  }

  static async open(address: string, authkey: Uint8Array): Promise<RawClient> {
    const client = new RawClient(connect(address));
    const challenge = await client.next();
    client.socket.write(frameBytes(answerChallenge(authkey, challenge)!));
    expect(isWelcome(await client.next())).toBe(true);
    const ours = makeChallenge();
    client.socket.write(frameBytes(ours));
    expect(verifyAnswer(authkey, ours, await client.next())).toBe(true);
    client.socket.write(frameBytes(WELCOME));
    return client;
  }

  /** The next frame, or rejects if the socket closes first. */
  async next(): Promise<Buffer> {
    while (this.frames.length === 0) {
      if (this.closed) throw new Error('closed');
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    return this.frames.shift()!;
  }

  /** Waits until the manager closes the socket. */
  async whenClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => (this.waiting = resolve));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A manager with a dict whose content the tests check is never damaged. */
async function managerWithData(options = {}) {
  const manager = await startManager(options);
  const d = await manager.dict<string, unknown>({ kept: [1, 2, 3] });
  return { manager, d };
}

async function stillWorks(manager: Manager, d: Awaited<ReturnType<typeof managerWithData>>['d']): Promise<void> {
  expect(await d.getItem('kept')).toEqual([1, 2, 3]);
  const other = new Connection(manager.address, { authkey: manager.authkey });
  try {
    expect(await other.command('ping')).toBe('pong');
  } finally {
    await other.close();
  }
}

describe('authentication', () => {
  it('a wrong authkey is an AuthenticationError for that client, and everyone else carries on', async () => {
    const { manager, d } = await managerWithData();
    await using _ = manager;
    using __ = d;
    const intruder = new Connection(manager.address, { authkey: Buffer.from('not the key') });
    const error = await intruder.command('ping').catch((e: Error) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toBe('digest sent was rejected');
    await d.setItem('after', true);
    await stillWorks(manager, d);
  });

  it('a client that cannot answer the challenge gets nothing and is closed', async () => {
    const { manager, d } = await managerWithData({ handshakeTimeout: 5 });
    await using _ = manager;
    using __ = d;
    const socket = connect(manager.address);
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.on('error', () => {});
    // A call, as if the handshake did not exist.
    socket.write(encodeFrame([Op.command, 1, 'numberOfObjects', []]));
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await closed;
    const text = Buffer.concat(received).toString('latin1');
    expect(text).toContain('#CHALLENGE#');
    expect(text).toContain('#FAILURE#');
    await stillWorks(manager, d);
  });

  it('a client that stays silent is closed after handshakeTimeout; others carry on', async () => {
    const { manager, d } = await managerWithData({ handshakeTimeout: 0.3 });
    await using _ = manager;
    using __ = d;
    const socket = connect(manager.address);
    socket.on('error', () => {});
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise((resolve) => socket.on('close', resolve));
    expect(Buffer.concat(received).toString('latin1')).toContain('#CHALLENGE#');
    await stillWorks(manager, d);
  });

  it('a handshake frame over 256 bytes closes that connection', async () => {
    const { manager, d } = await managerWithData();
    await using _ = manager;
    using __ = d;
    const socket = connect(manager.address);
    socket.on('error', () => {});
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.write(frameBytes(Buffer.alloc(300)));
    await new Promise((resolve) => socket.on('close', resolve));
    expect(Buffer.concat(received).toString('latin1')).toContain('frame of 300 bytes is over the limit of 256 bytes');
    await stillWorks(manager, d);
  });

  it('the manager itself refuses a client whose answer to its challenge is wrong', async () => {
    const { manager, d } = await managerWithData();
    await using _ = manager;
    using __ = d;
    const client = await RawClient.open(manager.address, manager.authkey).catch(() => undefined);
    expect(client).toBeDefined();
    client!.destroy();
    // A client that proves the key but answers the server's reply wrongly is closed.
    const socket = connect(manager.address);
    socket.on('error', () => {});
    const closed = new Promise((resolve) => socket.on('close', resolve));
    const frames: Buffer[] = [];
    const decoder = new FrameDecoder(256, (frame) => {
      frames.push(Buffer.from(frame));
      if (frames.length === 1) {
        socket.write(frameBytes(answerChallenge(manager.authkey, frames[0]!)!));
      } else if (frames.length === 2) {
        socket.write(frameBytes(makeChallenge()));
      } else if (frames.length === 3) {
        socket.write(frameBytes(Buffer.from('#NOT WELCOME#')));
        socket.write(encodeFrame([Op.command, 1, 'numberOfObjects', []]));
      }
    });
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    await closed;
    expect(frames).toHaveLength(3);
    await stillWorks(manager, d);
  });
});

describe('mutual authentication', () => {
  it('a client refuses a server that cannot prove it holds the authkey', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpts-impostor-'));
    const address = join(dir, 'impostor.sock');
    const wrongKey = Buffer.from('the impostor does not know the key');
    const sockets = new Set<Socket>();
    const impostor = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      let step = 0;
      const decoder = new FrameDecoder(256, (frame) => {
        if (step++ === 0) {
          socket.write(frameBytes(WELCOME)); // accepts any answer
        } else {
          socket.write(frameBytes(answerChallenge(wrongKey, frame)!));
        }
      });
      socket.on('data', (chunk: Buffer) => decoder.push(chunk));
      socket.write(frameBytes(makeChallenge()));
    });
    await new Promise<void>((resolve) => impostor.listen(address, resolve));
    try {
      const client = new Connection(address, { authkey: Buffer.from('the real key') });
      const error = await client.command('ping').catch((e: Error) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toBe('digest received was wrong');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => impostor.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('malformed frames', () => {
  it('an oversized frame closes that connection with a protocol error; other clients and data are untouched', async () => {
    const { manager, d } = await managerWithData({ maxFrameSize: 1024 });
    await using _ = manager;
    using __ = d;
    const raw = await RawClient.open(manager.address, manager.authkey);
    raw.socket.write(encodeFrame([Op.command, 1, 'ping', []]));
    expect(decode(await raw.next())).toEqual([Reply.ok, 1, 'pong']);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1025);
    raw.socket.write(header);
    const fatal = decode(await raw.next()) as unknown[];
    expect(fatal).toEqual([Reply.fatal, 0, 'frame of 1025 bytes is over the limit of 1024 bytes']);
    await raw.whenClosed();
    // A frame at the limit is fine, and a proxy call over it is refused by the manager only for that client.
    await d.setItem('big', 'x'.repeat(900));
    expect(await d.getItem('big')).toHaveLength(900);
    await stillWorks(manager, d);
  });

  it('a client whose own frame is over the limit gets ManagerClosedError; nothing is stored', async () => {
    const { manager, d } = await managerWithData({ maxFrameSize: 1024 });
    await using _ = manager;
    using __ = d;
    const other = new Connection(manager.address, { authkey: manager.authkey });
    expect(await other.call(d.id, 'len', [])).toBe(1);
    const error = await other.call(d.id, 'setItem', ['huge', 'x'.repeat(5000)]).catch((e: Error) => e);
    expect((error as Error).name).toBe('ManagerClosedError');
    expect((error as Error).message).toMatch(/frame of \d+ bytes is over the limit of 1024 bytes/);
    expect(await other.call(d.id, 'len', []).catch((e: Error) => e.name)).toBe('ManagerClosedError');
    expect(await d.contains('huge')).toBe(false);
    await stillWorks(manager, d);
  });

  it('a frame that is not msgpack, or not a request, closes that connection only', async () => {
    const { manager, d } = await managerWithData();
    await using _ = manager;
    using __ = d;
    const cases: [Buffer, string][] = [
      [frameBytes(Buffer.from([0xc1, 0xc1, 0xc1])), 'a frame is not valid msgpack'],
      [encodeFrame({ not: 'an array' }), 'a message is not an [op, requestId, ...] array'],
      [encodeFrame(['op', 1]), 'a message is not an [op, requestId, ...] array'],
    ];
    for (const [frame, message] of cases) {
      const raw = await RawClient.open(manager.address, manager.authkey);
      raw.socket.write(frame);
      const fatal = decode(await raw.next()) as unknown[];
      expect(fatal[0]).toBe(Reply.fatal);
      expect(String(fatal[2])).toContain(message);
      await raw.whenClosed();
    }
    await stillWorks(manager, d);
  });

  it('a bad request on a good connection is an error reply, and the connection goes on', async () => {
    const { manager, d } = await managerWithData();
    await using _ = manager;
    using __ = d;
    const raw = await RawClient.open(manager.address, manager.authkey);
    raw.socket.write(encodeFrame([Op.call, 1, 999_999, 'len', []]));
    const unknown = decode(await raw.next()) as unknown[];
    expect(unknown.slice(0, 4)).toEqual([Reply.error, 1, 'RemoteError', 'no shared object with id 999999']);
    raw.socket.write(encodeFrame([Op.create, 2, 'no such type', []]));
    const unknownType = decode(await raw.next()) as unknown[];
    expect(unknownType.slice(0, 4)).toEqual([Reply.error, 2, 'RemoteError', "unknown shared type 'no such type'"]);
    raw.socket.write(encodeFrame([Op.call, 3, d.id, 'getItem', ['kept']]));
    expect(decode(await raw.next())).toEqual([Reply.ok, 3, [1, 2, 3]]);
    raw.destroy();
    await stillWorks(manager, d);
  });

  it('random frames never disturb other clients or the data (property)', async () => {
    const { manager, d } = await managerWithData({ maxFrameSize: 4096 });
    await using _ = manager;
    using __ = d;
    const before = await manager.numberOfObjects();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 4 }), fc.boolean(), async (payloads, raw) => {
        const client = await RawClient.open(manager.address, manager.authkey);
        client.socket.write(Buffer.concat(payloads.map((payload) => (raw ? Buffer.from(payload) : frameBytes(payload)))));
        // Whatever happened to it, the manager answers everyone else.
        await stillWorks(manager, d);
        client.destroy();
      }),
      { numRuns: 60 },
    );
    await waitFor(async () => (await manager.numberOfObjects()) === before);
  });
});

describe('ordering and concurrency on one connection', () => {
  it('applies calls in the order they were sent', async () => {
    await using manager = await serveManager();
    using l = await manager.list<number>();
    using d = await manager.dict<string, number>();
    const calls: Promise<unknown>[] = [];
    const seen: Promise<number>[] = [];
    for (let i = 0; i < 500; i++) {
      calls.push(l.append(i));
      calls.push(d.setItem('x', i));
      seen.push(d.getItem('x'));
    }
    await Promise.all(calls);
    expect(await l.copy()).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(await Promise.all(seen)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('64 calls in flight each get their own reply', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<number, string>(Array.from({ length: 64 }, (_, i) => [i, `value ${i}`] as [number, string]));
    for (let round = 0; round < 20; round++) {
      const keys = Array.from({ length: 64 }, (_, i) => (i * 7 + round) % 64);
      expect(await Promise.all(keys.map((key) => d.getItem(key)))).toEqual(keys.map((key) => `value ${key}`));
    }
  });

  it('a blocked call does not hold up the calls sent after it; its reply comes when ready', async () => {
    await using manager = await serveManager();
    using q = await manager.queue<string>();
    using d = await manager.dict<string, number>();
    const got = q.get();
    await Promise.all(Array.from({ length: 64 }, (_, i) => d.setItem(`k${i}`, i)));
    expect(await d.len()).toBe(64);
    await q.put('late');
    expect(await got).toBe('late');
  });
});
