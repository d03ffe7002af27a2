import { Packr, addExtension, RESERVE_START_SPACE, useNativeStringExtractor } from './msgpackr.js';
import { HEADER_BYTES, sealFrame } from './framing.js';
import { LARGE_FRAME_BYTES, takeLargeFrame } from './large-frame-buffers.js';
import { messages } from './errors.js';
import { isTransferableInstance } from './transfer.js';
import { PythonFloat } from './python-float.js';
import { activeCodecContext, enterCodecContext, leaveCodecContext, maybeActiveCodecContext, type CodecContext } from './codec-context.js';

/**
 * The one msgpack configuration of mpts (DESIGN D3), shared by clients and servers.
 *
 * - Records stay on: msgpack has a single map type, and only msgpackr's record extension keeps a
 *   plain object apart from a `Map`, so a dict's number keys (`1`, `'1'`, `0.25`) stay distinct.
 * - Not `sequential`: every message decodes on its own, so a reconnecting child never depends
 *   on structures a stream saw before.
 * - `useToJSON: false`: a value is sent as it is, never as what its `toJSON()` says.
 * - `structuredClone: false`: a peer cannot send msgpackr's structured-clone records, the only
 *   msgpack that decodes to a cyclic value.
 * - 64-bit integers decode as `bigint`, and bigints beyond 64 bits use msgpackr's extension, so
 *   a `bigint` always comes back a `bigint` and a `number` a `number`.
 */
const options = {
  moreTypes: true,
  structuredClone: false,
  useToJSON: false,
  int64AsType: 'bigint',
  useBigIntExtension: true,
} as const;
const packr = new Packr(options);
/**
 * Decodes bytes values as copies. A message decoded from a frame that is a small part of what
 * one socket read returned would otherwise give bytes that keep all of that read alive as long
 * as they are held (a 10-byte value stored in a dict holding on to 64 KiB).
 */
const copyingPackr = new Packr({ ...options, copyBuffers: true });

/** msgpack extension types owned by mpts itself (packages take 16..99). */
export const ExtensionType = {
  token: 1,
  negativeZero: 2,
  wholeFloat: 3,
} as const;

/**
 * How deeply values may nest. Python cannot pickle a list nested 1,000 deep either (its
 * recursion limit); a limit lets every walk of a value stay cheap and safe.
 */
export const MAX_NESTING = 1000;

/** What identifies a shared object: its type, its id in the manager, and the manager's address. */
export interface TokenData {
  readonly typeId: string;
  readonly id: number;
  readonly address: string;
  /**
   * The manager instance that made the object (random, per server start): a manager refuses a
   * token of an earlier instance at the same address instead of binding it to whatever object
   * now has its id. Absent only in tokens made by hand.
   */
  readonly instance?: string | undefined;
  /** The methods a proxy may call, for types registered without a proxy class of their own. */
  readonly exposed?: readonly string[] | undefined;
}

/**
 * Anything that stands for a shared object and crosses the wire as its token: a client's proxy,
 * a reference held inside the manager, or a bare token.
 */
export abstract class TokenCarrier {
  abstract toTokenData(): TokenData;
}

addExtension({
  Class: TokenCarrier as never,
  type: ExtensionType.token,
  write(carrier: TokenCarrier) {
    const data = carrier.toTokenData();
    maybeActiveCodecContext()?.wroteToken?.(carrier, data);
    const head = [data.typeId, data.id, data.address, data.instance ?? null];
    return data.exposed === undefined ? head : [...head, data.exposed];
  },
  read(data: unknown) {
    if (!Array.isArray(data) || typeof data[0] !== 'string' || typeof data[1] !== 'number' ||
        typeof data[2] !== 'string' || !(typeof data[3] === 'string' || data[3] === null) ||
        !(data[4] === undefined || (Array.isArray(data[4]) && data[4].every((name) => typeof name === 'string')))) {
      throw new TypeError(messages.malformedToken);
    }
    return activeCodecContext().readToken({
      typeId: data[0],
      id: data[1],
      address: data[2],
      instance: data[3] ?? undefined,
      exposed: data[4] as string[] | undefined,
    });
  },
});

/**
 * msgpackr's own extensions that mpts never sends: an `Error` record (mpts sends errors as
 * their name and message) and bundled strings. A peer that sends them is refused, so decoding
 * builds only what mpts itself defines. (Structured-clone records, which can build cycles, are
 * off through the `structuredClone: false` option.)
 */
for (const [type, what] of [[0x65, 'an Error record'], [0x62, 'bundled strings']] as const) {
  addExtension({
    type,
    unpack() {
      throw new TypeError(messages.foreignExtension(type, what));
    },
  } as never);
}

/** msgpack folds `-0` into the integer 0; this marker carries the sign across. */
class NegativeZero {}
const negativeZero = new NegativeZero();
/** Set once this process decoded a `-0`: only then can its own values hold one to send back. */
let negativeZeroDecoded = false;
addExtension({
  Class: NegativeZero as never,
  type: ExtensionType.negativeZero,
  write: () => null,
  read: () => {
    negativeZeroDecoded = true;
    return -0;
  },
});

/**
 * A whole float a Python client stored (python-float.ts) crosses as its number and is read as
 * a plain `number`: mpts's clients see numbers, as for every other float.
 */
addExtension({
  Class: PythonFloat as never,
  type: ExtensionType.wholeFloat,
  write: (float: PythonFloat) => float.value,
  read: (value: unknown) => {
    // msgpack may write a whole number past 2^53 as a 64-bit integer, read as a bigint.
    if (typeof value === 'bigint') return Number(value);
    if (typeof value !== 'number') throw new TypeError(messages.malformedWholeFloat);
    return value;
  },
});

/**
 * What to encode for a value this process holds and sends back (a manager's reply): `value`
 * itself, or a copy that keeps the sign of its `-0`s. Free until a `-0` was ever received.
 */
export function keepNegativeZeros(value: unknown): unknown {
  if (!negativeZeroDecoded) return value;
  return containsNegativeZero(value) ? withNegativeZeros(value) : value;
}

function containsNegativeZero(value: unknown): boolean {
  if (typeof value === 'number') return Object.is(value, -0);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) if (containsNegativeZero(item)) return true;
    return false;
  }
  if (value instanceof Map) {
    for (const [key, item] of value) if (containsNegativeZero(key) || containsNegativeZero(item)) return true;
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) if (containsNegativeZero((value as Record<string, unknown>)[key])) return true;
  return false;
}

declare global {
  interface String {
    /** ES2024; in Node since 20. */
    isWellFormed(): boolean;
  }
}

/**
 * The context of messages that are plain data (protocol messages such as a decref, tools that
 * read replies by hand): a proxy token in them is an error, and nothing else is refused.
 */
export const plainDataContext: CodecContext = {
  acceptsTransfers: true,
  readToken() {
    throw new TypeError(messages.tokenInPlainData);
  },
  refuse(error) {
    throw error;
  },
};

/**
 * Encodes one message for `context`. The result may share memory with later encodings: copy
 * it at once.
 */
export function encode(value: unknown, context: CodecContext = plainDataContext): Buffer {
  const outer = enterCodecContext(context);
  try {
    return packr.pack(value);
  } finally {
    leaveCodecContext(outer);
  }
}

/**
 * Encodes one message as a whole frame: msgpackr leaves room for the length header at the
 * start of its own output, so a frame costs no extra copy.
 *
 * A message that ends with large bytes (a reply `[ok, id, bytes]`, a call whose last argument is
 * bytes) is built in a reusable buffer instead (large-frame-buffers.ts): the bytes are copied
 * once, now, so later changes to them are not sent, as with any other value.
 */
export function encodeFrame(message: unknown, context: CodecContext = plainDataContext): Buffer {
  const outer = enterCodecContext(context);
  try {
    const bytes = largeTrailingBytes(message);
    if (bytes !== undefined) return encodeFrameEndingWith(message as unknown[], bytes);
    return sealFrame(packr.pack(message, RESERVE_START_SPACE | HEADER_BYTES));
  } finally {
    leaveCodecContext(outer);
  }
}

/** How deep in a message's last items large bytes are looked for: a call's last argument. */
const TRAILING_DEPTH = 2;
const MSGPACK_NIL = 0xc0;
const MSGPACK_BIN32 = 0xc6;

/**
 * The `Buffer` a message ends with, when it is large: the last item of the message, or of its
 * last item (a call's arguments). Only a `Buffer` is msgpack's plain `bin`; other typed arrays
 * travel as extensions.
 */
function largeTrailingBytes(message: unknown): Buffer | undefined {
  let last = message;
  for (let depth = 0; depth <= TRAILING_DEPTH && Array.isArray(last) && last.length > 0; depth++) {
    last = last[last.length - 1];
  }
  if (!(last instanceof Uint8Array) || Object.getPrototypeOf(last) !== Buffer.prototype) return undefined;
  return last.length >= LARGE_FRAME_BYTES ? (last as Buffer) : undefined;
}

/**
 * The message with its trailing bytes replaced by `nil`: msgpack writes an array's items in
 * order, so that `nil` is the last byte of the encoding, where `bin 32` and the bytes go instead.
 */
function encodeFrameEndingWith(message: unknown[], bytes: Buffer): Buffer {
  const head = packr.pack(withLastLeaf(message, null), RESERVE_START_SPACE | HEADER_BYTES);
  const nilAt = head.length - 1;
  // Encoding again instead would count the references in the message twice (DESIGN D5).
  if (head[nilAt] !== MSGPACK_NIL) throw new Error(messages.frameNotEndingWithLastItem);
  const frame = takeLargeFrame(nilAt + 5 + bytes.length);
  head.copy(frame, 0, 0, nilAt);
  frame[nilAt] = MSGPACK_BIN32;
  frame.writeUInt32BE(bytes.length, nilAt + 1);
  frame.set(bytes, nilAt + 5);
  return sealFrame(frame);
}

/** A copy of the arrays along the path of last items, with the last leaf replaced. */
function withLastLeaf(value: unknown, leaf: unknown): unknown {
  if (!Array.isArray(value) || value.length === 0) return leaf;
  const copy = value.slice();
  copy[copy.length - 1] = withLastLeaf(value[value.length - 1], leaf);
  return copy;
}

/** The smallest message whose strings msgpackr gives its native string extractor. */
const MSGPACKR_EXTRACTOR_BYTES = 140;
/**
 * When msgpackr's native string extractor is loaded (msgpackr.ts): at the first message of
 * 4 KB or more, or the thousandth of 140 bytes or more. Loading it costs ~18 ms of CPU; it
 * saves ~5 µs on a message of 1 KB of strings, ~20 µs on one of 4 KB, and more the larger.
 */
const EXTRACTOR_FRAME_BYTES = 4096;
const EXTRACTOR_MIDSIZE_FRAMES = 1000;
let midsizeFrames = 0;

/**
 * Decodes one message for `context`. Bytes values in it are views of `bytes` when `bytes` is
 * over 1 KB and most of its buffer (a large frame, read into a buffer of its own: no copy),
 * else copies, and always copies when `transient` (`bytes` will be overwritten: a reused read
 * buffer).
 */
export function decode(bytes: Uint8Array, context: CodecContext = plainDataContext, transient = false): unknown {
  if (bytes.byteLength >= EXTRACTOR_FRAME_BYTES || (bytes.byteLength >= MSGPACKR_EXTRACTOR_BYTES && ++midsizeFrames === EXTRACTOR_MIDSIZE_FRAMES)) {
    useNativeStringExtractor();
  }
  const outer = enterCodecContext(context);
  try {
    if (bytes.byteLength > 0 && bytes.byteLength <= SMALL_MESSAGE_BYTES) {
      // msgpackr keeps a DataView on the buffer it reads, made and attached as a new property
      // for every buffer it has not read before: for a short message, copying it into one
      // buffer read every time costs less than that (~0.3 µs a message). Bytes values in it
      // come out as copies. A decode that starts while this one reads (a transfer handler's)
      // may overwrite the buffer: msgpackr reads on from a copy it keeps of the outer message.
      smallMessage.set(bytes);
      return copyingPackr.unpack(smallMessage, bytes.byteLength);
    }
    const copy = transient || 2 * bytes.byteLength < bytes.buffer.byteLength;
    return (copy ? copyingPackr : packr).unpack(bytes);
  } finally {
    leaveCodecContext(outer);
  }
}

/** Messages up to this size are decoded from `smallMessage`, a copy (see `decode`). */
const SMALL_MESSAGE_BYTES = 1024;
const smallMessage = Buffer.allocUnsafeSlow(SMALL_MESSAGE_BYTES);

/**
 * Whether `value` nests deeper than `limit` (arrays, maps, sets and plain objects inside each
 * other). Iterative, so a hostile value cannot overflow the stack; a message of `n` bytes
 * cannot nest deeper than `n`, so short messages are answered without a walk.
 */
export function nestsDeeperThan(value: unknown, limit: number, encodedBytes = Infinity): boolean {
  if (encodedBytes <= limit || typeof value !== 'object' || value === null) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null || ArrayBuffer.isView(item) || item instanceof TokenCarrier) continue;
    if (depth > limit) return true;
    if (Array.isArray(item) || item instanceof Set) {
      for (const child of item) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    } else if (item instanceof Map) {
      for (const [key, child] of item) {
        if (typeof key === 'object' && key !== null) stack.push([key, depth + 1]);
        if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
      }
    } else if (!(item instanceof Date) && !(item instanceof RegExp)) {
      for (const key in item) {
        const child = (item as Record<string, unknown>)[key];
        if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
      }
    }
  }
  return false;
}

/**
 * Checks that `value` can cross to the manager and come back equal, before anything is sent,
 * and returns what to encode: `value` itself, or (only when it holds a `-0`) a copy that keeps
 * the sign. Throws a `TypeError` naming the path of the first value that cannot cross:
 * a function, a symbol, a class instance, or a cycle.
 */
export function prepareValue(value: unknown, path: string): unknown {
  // Most arguments are primitives: answer them without setting up a walk.
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'number') return Object.is(value, -0) ? negativeZero : value;
    if (typeof value === 'string') return value.isWellFormed() ? value : refuse(path, value);
    if (typeof value === 'function' || typeof value === 'symbol') refuse(path, value);
    return value;
  }
  const walk = new ValueWalk();
  walk.visit(value, path, 1);
  return walk.sawNegativeZero ? withNegativeZeros(value) : value;
}

/**
 * `prepareValue` for argument `index` (from 0) of a call of `method`, on every call's path: a
 * number or a well-formed string, most arguments, is answered before the path an error would
 * name is spelt out.
 */
export function prepareArgument(value: unknown, index: number, method: string): unknown {
  if (typeof value === 'number' ? !Object.is(value, -0) : typeof value === 'string' && value.isWellFormed()) return value;
  return prepareValue(value, `argument ${index + 1} of ${method}()`);
}

function refuse(path: string, value: unknown): never {
  throw new TypeError(messages.cannotTransfer(path, describe(value)));
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'symbol') return `a symbol (${value.toString()})`;
  // UTF-8 has no lone surrogates: such a string would arrive with U+FFFD in their place.
  if (typeof value === 'string') return 'a string with a lone surrogate (not valid Unicode)';
  const name = (value as object).constructor?.name;
  return name ? `an instance of class ${name}` : 'an object of unknown kind';
}

class ValueWalk {
  sawNegativeZero = false;
  private readonly ancestors = new Set<object>();

  visit(value: unknown, path: string, depth: number): void {
    switch (typeof value) {
      case 'number':
        if (value === 0 && 1 / value < 0) this.sawNegativeZero = true;
        return;
      case 'string':
        if (!value.isWellFormed()) refuse(path, value);
        return;
      case 'boolean':
      case 'bigint':
      case 'undefined':
        return;
      case 'function':
      case 'symbol':
        refuse(path, value);
    }
    if (value === null) return;
    const object = value as object;
    if (ArrayBuffer.isView(object) || object instanceof Date || object instanceof RegExp) return;
    if (object instanceof TokenCarrier || isTransferableInstance(object)) return;
    if (this.ancestors.has(object)) {
      throw new TypeError(messages.cyclicValue(path));
    }
    if (depth > MAX_NESTING) throw new TypeError(messages.nestedTooDeeply(path, MAX_NESTING));
    const inner = depth + 1;
    this.ancestors.add(object);
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) this.visit(object[i], `${path}[${i}]`, inner);
    } else if (object instanceof Map) {
      for (const [key, item] of object) {
        const at = `${path}.get(${keyLabel(key)})`;
        this.visit(key, `a key of ${path}`, inner);
        this.visit(item, at, inner);
      }
    } else if (object instanceof Set) {
      for (const item of object) this.visit(item, `an element of ${path}`, inner);
    } else {
      const proto = Object.getPrototypeOf(object);
      if (proto !== Object.prototype && proto !== null) refuse(path, object);
      // The decoder renames an own `__proto__` key (its guard against prototype pollution), so
      // such an object would not come back equal: refuse it rather than change it.
      if (Object.hasOwn(object, '__proto__')) {
        throw new TypeError(messages.cannotTransfer(`${path}.__proto__`, 'a property named __proto__'));
      }
      for (const key of Object.keys(object)) {
        if (!key.isWellFormed()) refuse(`a key of ${path}`, key);
        this.visit((object as Record<string, unknown>)[key], `${path}.${key}`, inner);
      }
      if (Object.getOwnPropertySymbols(object).length > 0) {
        refuse(`${path}[symbol key]`, Object.getOwnPropertySymbols(object)[0]);
      }
    }
    this.ancestors.delete(object);
  }
}

function keyLabel(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : String(key);
}

function withNegativeZeros(value: unknown): unknown {
  if (typeof value === 'number') return Object.is(value, -0) ? negativeZero : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(withNegativeZeros);
  if (value instanceof Map) {
    return new Map([...value].map(([k, v]) => [withNegativeZeros(k), withNegativeZeros(v)]));
  }
  if (value instanceof Set) return new Set([...value].map(withNegativeZeros));
  if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = withNegativeZeros(v);
    return copy;
  }
  return value;
}
