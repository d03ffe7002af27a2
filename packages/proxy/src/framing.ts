import { ProtocolError, messages } from './errors.js';

/**
 * Frames: a 4-byte big-endian length, then that many bytes (DESIGN D3). Pure: no sockets here.
 */
export const HEADER_BYTES = 4;

/** The default cap on one frame, in bytes (configurable per manager and per connection). */
export const DEFAULT_MAX_FRAME_SIZE = 64 * 1024 * 1024;

/** Writes the length header into the first 4 bytes of `frame`, which were reserved for it. */
export function sealFrame(frame: Buffer): Buffer {
  frame.writeUInt32BE(frame.length - HEADER_BYTES, 0);
  return frame;
}

/** Prefixes raw bytes (handshake messages) with their length. */
export function frameBytes(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, HEADER_BYTES);
  return frame;
}

/**
 * Splits a byte stream into frames. Every complete frame in a chunk is handed over before
 * `push` returns, so one read serves many replies. A partial frame waits, its chunks kept in a
 * list and joined once, so a large frame arriving in many chunks is copied once, not per chunk.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(
    private maxFrameSize: number,
    private readonly onFrame: (payload: Buffer) => void,
  ) {}

  /** Lowers or raises the cap, e.g. to 256 bytes while authenticating. */
  setMaxFrameSize(limit: number): void {
    this.maxFrameSize = limit;
  }

  /** Feeds a chunk. Throws `ProtocolError` for a frame over the size limit. */
  push(chunk: Buffer): void {
    let data: Buffer;
    if (this.buffered === 0) {
      data = chunk;
    } else {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (!this.hasWholeFrame()) return;
      data = Buffer.concat(this.chunks, this.buffered);
      this.chunks = [];
      this.buffered = 0;
    }
    let offset = 0;
    while (data.length - offset >= HEADER_BYTES) {
      const size = data.readUInt32BE(offset);
      if (size > this.maxFrameSize) throw new ProtocolError(messages.frameTooLarge(size, this.maxFrameSize));
      const end = offset + HEADER_BYTES + size;
      if (end > data.length) break;
      this.onFrame(data.subarray(offset + HEADER_BYTES, end));
      offset = end;
    }
    if (offset < data.length) {
      const rest = data.subarray(offset);
      this.chunks = [rest];
      this.buffered = rest.length;
      if (rest.length >= HEADER_BYTES) {
        const size = rest.readUInt32BE(0);
        if (size > this.maxFrameSize) throw new ProtocolError(messages.frameTooLarge(size, this.maxFrameSize));
      }
    }
  }

  /** Bytes of an unfinished frame held back. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** The size of the unfinished frame, once its length header has arrived. */
  get pendingFrameSize(): number | undefined {
    if (this.buffered < HEADER_BYTES) return undefined;
    const head = this.chunks[0]!.length >= HEADER_BYTES ? this.chunks[0]! : Buffer.concat(this.chunks);
    return head.readUInt32BE(0);
  }

  private hasWholeFrame(): boolean {
    const size = this.pendingFrameSize;
    if (size === undefined) return false;
    if (size > this.maxFrameSize) throw new ProtocolError(messages.frameTooLarge(size, this.maxFrameSize));
    return this.buffered >= HEADER_BYTES + size;
  }
}
