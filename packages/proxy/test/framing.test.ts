import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameDecoder, frameBytes, HEADER_BYTES, ProtocolError, sealFrame } from '@mpts/proxy/wire';

function collect(limit = 1024): { decoder: FrameDecoder; frames: Buffer[] } {
  const frames: Buffer[] = [];
  const decoder = new FrameDecoder(limit, (frame) => frames.push(Buffer.from(frame)));
  return { decoder, frames };
}

describe('frameBytes and sealFrame', () => {
  it('prefixes a payload with its 4-byte big-endian length', () => {
    const frame = frameBytes(Buffer.from('abc'));
    expect([...frame]).toEqual([0, 0, 0, 3, 0x61, 0x62, 0x63]);
  });

  it('writes the header into space reserved at the start', () => {
    const frame = Buffer.from([9, 9, 9, 9, 1, 2, 3, 4, 5]);
    expect([...sealFrame(frame)]).toEqual([0, 0, 0, 5, 1, 2, 3, 4, 5]);
    expect(HEADER_BYTES).toBe(4);
  });
});

describe('FrameDecoder', () => {
  it('hands over every complete frame of one chunk, in order', () => {
    const { decoder, frames } = collect();
    decoder.push(Buffer.concat([frameBytes(Buffer.from('one')), frameBytes(Buffer.from('')), frameBytes(Buffer.from('three'))]));
    expect(frames.map(String)).toEqual(['one', '', 'three']);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('reassembles a frame split inside its header and inside its payload', () => {
    const { decoder, frames } = collect();
    const bytes = Buffer.concat([frameBytes(Buffer.from('hello')), frameBytes(Buffer.from('world!'))]);
    decoder.push(bytes.subarray(0, 2));
    expect(frames).toEqual([]);
    expect(decoder.pendingBytes).toBe(2);
    decoder.push(bytes.subarray(2, 6));
    decoder.push(bytes.subarray(6, 11));
    expect(frames.map(String)).toEqual(['hello']);
    decoder.push(bytes.subarray(11));
    expect(frames.map(String)).toEqual(['hello', 'world!']);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('gives the same frames whatever the chunk boundaries (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 30 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((payload) => frameBytes(payload)));
          const { decoder, frames } = collect();
          let offset = 0;
          let i = 0;
          while (offset < stream.length) {
            const size = cuts[i++ % cuts.length]!;
            decoder.push(stream.subarray(offset, offset + size));
            offset += size;
          }
          expect(frames.map((frame) => [...frame])).toEqual(payloads.map((payload) => [...payload]));
          expect(decoder.pendingBytes).toBe(0);
        },
      ),
    );
  });

  it('accepts a frame exactly at the limit and refuses one byte over, in one chunk', () => {
    const { decoder, frames } = collect(8);
    decoder.push(frameBytes(Buffer.alloc(8, 1)));
    expect(frames).toHaveLength(1);
    expect(() => decoder.push(frameBytes(Buffer.alloc(9, 1)))).toThrow(ProtocolError);
    expect(() => collect(8).decoder.push(frameBytes(Buffer.alloc(9)))).toThrow(
      'frame of 9 bytes is over the limit of 8 bytes',
    );
  });

  it('refuses an oversized frame as soon as its header is known, before its payload arrives', () => {
    const { decoder } = collect(100);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1_000_000);
    expect(() => decoder.push(header)).toThrow(ProtocolError);
    // The header split over two chunks is caught too.
    const split = collect(100).decoder;
    split.push(header.subarray(0, 3));
    expect(() => split.push(header.subarray(3))).toThrow(ProtocolError);
  });

  it('refuses an oversized frame that follows a complete one in the same chunk', () => {
    const { decoder, frames } = collect(16);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(17);
    expect(() => decoder.push(Buffer.concat([frameBytes(Buffer.from('ok')), header]))).toThrow(ProtocolError);
    expect(frames.map(String)).toEqual(['ok']);
  });

  it('applies a changed limit to the following frames', () => {
    const { decoder, frames } = collect(4);
    expect(() => collect(4).decoder.push(frameBytes(Buffer.alloc(5)))).toThrow(ProtocolError);
    decoder.setMaxFrameSize(64);
    decoder.push(frameBytes(Buffer.alloc(5)));
    expect(frames).toHaveLength(1);
  });
});
