/**
 * The request id of a message that could not be decoded whole (a value nested too deeply for
 * msgpackr's recursion), read from its first bytes: every request is an array whose first
 * element is a small op code and whose second is the request id. Undefined when the bytes do
 * not start that way.
 */
export function peekRequestId(frame: Uint8Array): number | undefined {
  let at = 0;
  const head = frame[at++];
  if (head === undefined) return undefined;
  if (head >= 0x92 && head <= 0x9f) {
    // fixarray of 2..15 elements
  } else if (head === 0xdc) {
    at += 2;
  } else if (head === 0xdd) {
    at += 4;
  } else {
    return undefined;
  }
  const op = frame[at++];
  if (op === undefined || op > 0x7f) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const tag = frame[at++];
  if (tag === undefined) return undefined;
  if (tag <= 0x7f) return tag;
  if (tag === 0xcc && at + 1 <= frame.length) return view.getUint8(at);
  if (tag === 0xcd && at + 2 <= frame.length) return view.getUint16(at);
  if (tag === 0xce && at + 4 <= frame.length) return view.getUint32(at);
  return undefined;
}
