import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { FrameReader, frameBytes, LARGE_FRAME_BYTES, ProtocolError } from '@mpts/proxy/wire';

/**
 * Feeds `stream` to `reader` as Node's `onread` does: each read fills at most the buffer the
 * reader gives, and at most `readSizes[i]` bytes (what the kernel had).
 */
function feed(reader: FrameReader, stream: Buffer, readSizes: number[]): void {
  let offset = 0;
  for (let i = 0; offset < stream.length; i++) {
    const buffer = reader.nextBuffer();
    const count = Math.min(buffer.length, readSizes[i % readSizes.length]!, stream.length - offset);
    stream.copy(buffer, 0, offset, offset + count);
    offset += count;
    reader.read(count, buffer);
  }
}

function collect(limit = 64 << 20): { reader: FrameReader; frames: { bytes: Buffer; kept: Buffer }[] } {
  const frames: { bytes: Buffer; kept: Buffer }[] = [];
  const reader = new FrameReader(limit, (frame, transient) => {
    // A transient frame is overwritten by the next read: what a caller keeps, it copies. Any
    // other frame is a buffer of its own.
    if (!transient) expect(frame.byteOffset === 0 && frame.buffer.byteLength === frame.length).toBe(true);
    frames.push({ bytes: Buffer.from(frame), kept: transient ? Buffer.from(frame) : frame });
  });
  return { reader, frames };
}

describe('FrameReader', () => {
  it('gives the same frames whatever the read sizes, large ones in buffers of their own (property)', () => {
    const payloads = fc.array(
      fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: LARGE_FRAME_BYTES - 10, max: 3 * LARGE_FRAME_BYTES })),
      { minLength: 1, maxLength: 8 },
    );
    const reads = fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(payloads, reads, (sizes, readSizes) => {
      const sent = sizes.map((size) => randomBytes(size));
      const { reader, frames } = collect();
      feed(reader, Buffer.concat(sent.map((payload) => frameBytes(payload))), readSizes);
      expect(frames.length).toBe(sent.length);
      sent.forEach((payload, i) => {
        expect(frames[i]!.bytes.equals(payload)).toBe(true);
        // Still intact after all the reads that followed.
        expect(frames[i]!.kept.equals(payload)).toBe(true);
      });
      expect(reader.pendingBytes).toBe(0);
    }), { numRuns: 60 });
  });

  it('reads the rest of a large frame straight into the frame', () => {
    const payload = randomBytes(4 * LARGE_FRAME_BYTES);
    const { reader, frames } = collect();
    const stream = frameBytes(payload);
    feed(reader, stream.subarray(0, 1000), [1000]);
    const into = reader.nextBuffer();
    expect(into.length).toBe(payload.length - (1000 - 4));
    feed(reader, stream.subarray(1000), [1 << 20]);
    expect(frames[0]!.kept.equals(payload)).toBe(true);
    expect(frames[0]!.kept.buffer).toBe(into.buffer);
  });

  it('refuses a frame over the limit as soon as its header is known, split or not', () => {
    for (const readSizes of [[1], [2], [3], [100]]) {
      const { reader } = collect(1000);
      const header = Buffer.alloc(4);
      header.writeUInt32BE(1001);
      expect(() => feed(reader, header, readSizes)).toThrow(ProtocolError);
    }
  });
});
