import { decode, encode, standaloneCodecContext } from '@mpts/proxy/wire';

/**
 * How a value is kept in Redis: mpts's own msgpack encoding, each value self-contained (no
 * structures shared with other values). Decoded as untrusted input by the same decoder the
 * manager uses: it builds only data, never runs code. A proxy inside a stored value comes back
 * as a proxy that counts its own reference.
 */
export function pack(value: unknown): Buffer {
  // encode() may reuse its buffer for the next value: keep a copy.
  return Buffer.from(encode(value));
}

/**
 * The value's encoding, valid until the next value is encoded: for an argument of a command,
 * which copies it when it is made (binary-command.ts), so it needs no copy of its own.
 */
export function packTransient(value: unknown): Buffer {
  return encode(value);
}

/** `header` then the packed value, in one new buffer (a queue's envelope: its id, then the item). */
export function packBehind(header: Buffer, value: unknown): Buffer {
  const encoded = encode(value);
  const stored = Buffer.allocUnsafe(header.length + encoded.length);
  header.copy(stored, 0);
  stored.set(encoded, header.length);
  return stored;
}

export function unpack(bytes: Buffer): unknown {
  return decode(bytes, standaloneCodecContext);
}
