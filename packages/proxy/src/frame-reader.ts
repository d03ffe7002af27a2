import { ProtocolError, messages } from './errors.js';
import { HEADER_BYTES } from './framing.js';
import { LARGE_FRAME_BYTES } from './large-frame-buffers.js';

/** The buffer small frames are read into, reused for every read. */
const SCRATCH_BYTES = 64 * 1024;

/**
 * Splits a socket's bytes into frames, as `FrameDecoder` does, without a new buffer per read:
 * it gives Node the buffer to read into (`net.connect`'s `onread`).
 *
 * Reads go into one scratch buffer, reused for every read: a frame that arrived whole in one
 * read is handed over as a view of it, valid only during the callback (`transient`: whoever
 * keeps its bytes copies them). Once a large frame's length is known, Node reads the rest of it
 * straight into a buffer of its own: the kernel writes the bytes where the value will live, and
 * nothing is joined. A 1 MiB value costs one new megabyte, not sixteen 64 KiB reads and a
 * megabyte more to join them.
 */
export class FrameReader {
  private readonly scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  private readonly header = Buffer.alloc(HEADER_BYTES);
  private headerFilled = 0;
  /** The frame being received, once its length is known, when it did not arrive in one read. */
  private frame: Buffer | undefined;
  private frameFilled = 0;

  constructor(
    private maxFrameSize: number,
    private readonly onFrame: (payload: Buffer, transient: boolean) => void,
  ) {}

  /** Lowers or raises the cap, e.g. to 256 bytes while authenticating. */
  setMaxFrameSize(limit: number): void {
    this.maxFrameSize = limit;
  }

  /** Bytes of an unfinished frame held back. */
  get pendingBytes(): number {
    return this.frame === undefined ? this.headerFilled : HEADER_BYTES + this.frameFilled;
  }

  /** The buffer Node reads into next: the rest of a large frame, or the scratch buffer. */
  readonly nextBuffer = (): Uint8Array => {
    const frame = this.frame;
    if (frame !== undefined && frame.length - this.frameFilled >= LARGE_FRAME_BYTES) return frame.subarray(this.frameFilled);
    return this.scratch;
  };

  /**
   * Node read `count` bytes into `buffer`, the one `nextBuffer()` gave. Throws `ProtocolError`
   * for a frame over the size limit.
   */
  read(count: number, buffer: Uint8Array): void {
    if (buffer !== this.scratch) {
      // Straight into the frame: a read never goes past the buffer it was given.
      this.frameFilled += count;
      if (this.frameFilled === this.frame!.length) this.deliver();
      return;
    }
    /** The bytes just read, seen through the scratch buffer. */
    const data = this.scratch;
    let offset = 0;
    while (offset < count) {
      if (this.frame !== undefined) {
        const take = Math.min(count - offset, this.frame.length - this.frameFilled);
        data.copy(this.frame, this.frameFilled, offset, offset + take);
        this.frameFilled += take;
        offset += take;
        if (this.frameFilled === this.frame.length) this.deliver();
      } else if (this.headerFilled === 0 && count - offset >= HEADER_BYTES) {
        const size = this.checked(data.readUInt32BE(offset));
        offset += HEADER_BYTES;
        if (count - offset >= size) {
          this.onFrame(data.subarray(offset, offset + size), true);
          offset += size;
        } else {
          this.start(size);
        }
      } else {
        const take = Math.min(HEADER_BYTES - this.headerFilled, count - offset);
        data.copy(this.header, this.headerFilled, offset, offset + take);
        this.headerFilled += take;
        offset += take;
        if (this.headerFilled === HEADER_BYTES) {
          this.headerFilled = 0;
          const size = this.checked(this.header.readUInt32BE(0));
          if (size === 0) this.onFrame(Buffer.alloc(0), false);
          else this.start(size);
        }
      }
    }
  }

  private checked(size: number): number {
    if (size > this.maxFrameSize) throw new ProtocolError(messages.frameTooLarge(size, this.maxFrameSize));
    return size;
  }

  private start(size: number): void {
    this.frame = Buffer.allocUnsafeSlow(size);
    this.frameFilled = 0;
  }

  private deliver(): void {
    const frame = this.frame!;
    this.frame = undefined;
    this.frameFilled = 0;
    this.onFrame(frame, false);
  }
}
