import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { decode, encode, encodeFrame, FrameDecoder, FrameWriter, HEADER_BYTES, LARGE_FRAME_BYTES } from '@mpts/proxy/wire';

const payload = (frame: Buffer): Buffer => frame.subarray(HEADER_BYTES);

/** The bytes a decoded message ends with (deep equality of large buffers is slow in `expect`). */
function trailingBytes(message: unknown): Buffer {
  let last = message;
  while (Array.isArray(last)) last = last[last.length - 1];
  return last as Buffer;
}

describe('a frame ending with large bytes', () => {
  it('is the same msgpack as any other frame, at and around the size where it changes', () => {
    for (const size of [LARGE_FRAME_BYTES - 1, LARGE_FRAME_BYTES, LARGE_FRAME_BYTES + 1, 1 << 20]) {
      const bytes = randomBytes(size);
      const messages: unknown[] = [
        [0, 7, bytes],
        [1, 2 ** 40, 12, 'setItem', ['blob', bytes]],
        [1, 3, 12, 'update', [{ a: 1, b: [1, 2] }, new Map<unknown, unknown>([[1, 'x']]), 'é', bytes]],
      ];
      for (const message of messages) {
        const frame = encodeFrame(message);
        expect(frame.readUInt32BE(0)).toBe(frame.length - HEADER_BYTES);
        expect(payload(frame).equals(encode(message))).toBe(true);
        expect(trailingBytes(decode(payload(frame))).equals(bytes)).toBe(true);
      }
    }
  });

  it('holds the bytes as they were when it was encoded', () => {
    const bytes = randomBytes(LARGE_FRAME_BYTES * 2);
    const before = Buffer.from(bytes);
    const frame = encodeFrame([0, 1, bytes]);
    bytes.fill(0);
    expect(trailingBytes(decode(payload(frame))).equals(before)).toBe(true);
  });

  it('does not change the message it was given', () => {
    const bytes = randomBytes(LARGE_FRAME_BYTES);
    const args = ['k', bytes];
    const message = [1, 1, 5, 'setItem', args];
    encodeFrame(message);
    expect(message[4]).toBe(args);
    expect(args[1]).toBe(bytes);
  });

  it('gets a buffer of its own while an earlier one is not written', () => {
    const a = encodeFrame([0, 1, randomBytes(LARGE_FRAME_BYTES)]);
    const b = encodeFrame([0, 2, randomBytes(LARGE_FRAME_BYTES)]);
    expect(a.buffer === b.buffer).toBe(false);
  });
});

/** Resolves once everything queued in `writer` was written: write callbacks run in order. */
function written(writer: FrameWriter, socket: Socket): Promise<void> {
  writer.flush();
  return new Promise((resolve) => socket.write(Buffer.alloc(0), () => resolve()));
}

describe('FrameWriter with large frames', () => {
  let dir: string | undefined;
  let server: Server | undefined;
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    sockets.length = 0;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** A connected pair of Unix sockets: what one writes, the other's decoder receives. */
  async function socketPair(onFrame: (frame: Buffer) => void): Promise<Socket> {
    dir = mkdtempSync(join(tmpdir(), 'mpts-frames-'));
    const path = join(dir, 's');
    const accepted = new Promise<Socket>((resolve) => {
      server = createServer((socket) => resolve(socket));
    });
    await new Promise<void>((resolve) => server!.listen(path, resolve));
    const writerSide = createConnection(path);
    sockets.push(writerSide);
    const readerSide = await accepted;
    sockets.push(readerSide);
    const decoder = new FrameDecoder(64 << 20, onFrame);
    readerSide.on('data', (chunk: Buffer) => decoder.push(chunk));
    await new Promise<void>((resolve) => (writerSide.connecting ? writerSide.once('connect', resolve) : resolve()));
    return writerSide;
  }

  it('delivers every frame whole and in order, large and small mixed, while buffers are reused', async () => {
    const sent: unknown[] = [];
    const received: unknown[] = [];
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    const count = 60;
    const socket = await socketPair((frame) => {
      received.push(decode(frame));
      if (received.length === count) done();
    });
    const writer = new FrameWriter(socket);
    for (let i = 0; i < count; i++) {
      // Large frames, one or several per turn, between small ones: each written, then its buffer reused.
      const message = i % 3 === 0 ? [0, i, 'small'] : [0, i, randomBytes(LARGE_FRAME_BYTES + 1000 * i)];
      sent.push(message);
      writer.write(encodeFrame(message));
      if (i % 4 === 0) await written(writer, socket);
    }
    await all;
    expect(received.map((message) => (message as unknown[])[1])).toEqual(sent.map((message) => (message as unknown[])[1]));
    for (let i = 0; i < count; i++) {
      const [got, want] = [trailingBytes(received[i]), trailingBytes(sent[i])];
      expect(typeof want === 'string' ? got === want : Buffer.isBuffer(got) && got.equals(want)).toBe(true);
    }
  });

  it('reuses a written frame\'s buffer for a later frame, and the reader has the first intact', async () => {
    const frames: Buffer[] = [];
    let got!: (frame: Buffer) => void;
    const socket = await socketPair((frame) => got(Buffer.from(frame)));
    const writer = new FrameWriter(socket);
    const first = randomBytes(LARGE_FRAME_BYTES * 4);
    const arrived = new Promise<Buffer>((resolve) => (got = resolve));
    const frame = encodeFrame([0, 1, first]);
    frames.push(frame);
    writer.write(frame);
    await written(writer, socket);
    const second = encodeFrame([0, 2, randomBytes(LARGE_FRAME_BYTES * 4)]);
    expect(second.buffer === frame.buffer).toBe(true);
    expect(trailingBytes(decode(await arrived)).equals(first)).toBe(true);
  });
});
