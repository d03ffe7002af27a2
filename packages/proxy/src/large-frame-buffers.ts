/**
 * Buffers for large outgoing frames, reused once the socket has written them.
 *
 * A 1 MiB value sent or replied needs a 1 MiB frame. Allocated afresh each time, those frames
 * are memory outside V8's heap that V8 counts towards its next full collection: a process that
 * moves large values spends a quarter of its time collecting garbage it did not make on its
 * heap. A frame built in a buffer given back after the write costs no new memory.
 *
 * Only `FrameWriter` gives buffers back, after the socket's write callback: from then on the
 * kernel has the bytes, and nothing else holds the frame. A frame never handed to a writer is
 * never given back, and is simply collected.
 */

/** Frames smaller than this are cheap to allocate: not worth keeping. */
export const LARGE_FRAME_BYTES = 64 * 1024;
/** A buffer larger than this is not kept once written: holding it would cost more than it saves. */
const MAX_KEPT_BYTES = 4 * 1024 * 1024;
/** How many written buffers are kept: a request and a reply in flight at once, each way. */
const MAX_KEPT = 2;
/** Buffers are sized in steps, so frames of nearly equal sizes fit one buffer. */
const STEP_BYTES = 64 * 1024;

const kept: ArrayBufferLike[] = [];
/** Buffers lent out as frames and not given back yet: given back once only, whatever happens. */
const lent = new WeakSet<ArrayBufferLike>();

/** A frame of exactly `size` bytes, in a kept buffer when one fits (its contents are stale). */
export function takeLargeFrame(size: number): Buffer {
  for (let i = 0; i < kept.length; i++) {
    const buffer = kept[i]!;
    // Not a buffer much larger than needed: a small frame would hold it while a large one waits.
    if (buffer.byteLength >= size && buffer.byteLength <= 2 * size) {
      kept.splice(i, 1);
      lent.add(buffer);
      return Buffer.from(buffer, 0, size);
    }
  }
  const capacity = Math.ceil(size / STEP_BYTES) * STEP_BYTES;
  if (capacity > MAX_KEPT_BYTES) return Buffer.allocUnsafeSlow(size);
  const buffer = Buffer.allocUnsafeSlow(capacity).buffer;
  lent.add(buffer);
  return Buffer.from(buffer, 0, size);
}

/** Whether `frame` came from `takeLargeFrame` and is still lent out. */
export function isLentFrame(frame: Buffer): boolean {
  return lent.has(frame.buffer);
}

/** Gives a frame's buffer back once the socket no longer needs its bytes. */
export function giveBackFrame(frame: Buffer): void {
  const buffer = frame.buffer;
  if (!lent.delete(buffer)) return;
  // The newest fits the frames being sent now best: the oldest goes.
  kept.push(buffer);
  if (kept.length > MAX_KEPT) kept.shift();
}
