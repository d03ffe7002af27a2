import { PythonFloat } from '@mpts/proxy/wire';
import { PicklingError } from './pickle-error.js';
import { isFrozenSet, isTuple, PythonArray, PythonException, PythonProxyRef, PythonToken } from './python-values.js';

/**
 * Pickles a reply for a Python client, protocol 4 (which every CPython the manager serves, 3.12
 * and later, reads). Only values: no memo, so a value shared twice is written twice, as the
 * client needs no identity between them.
 *
 * mpts values become Python values: null and undefined → None, a whole number → int, any other
 * number and a `PythonFloat` (a whole float a Python client sent) → float,
 * bigint → int, string → str, Uint8Array → bytes, an array → list (tuple when it was one, see
 * python-values.ts), Map and plain object → dict, Set → set. A Token, a proxy, an exception or
 * an `array.array` is rebuilt from a global. Anything else is a `TypeError` naming what it is.
 */
export function encodePickle(value: unknown, maxDepth = 1000): Buffer {
  return encodePickleFrame(value, maxDepth).subarray(4);
}

/** `encodePickle`'s bytes after a 4-byte big-endian length: a frame, written without a copy. */
export function encodePickleFrame(value: unknown, maxDepth = 1000): Buffer {
  const out = new PickleWriter();
  out.byte(0, 0, 0, 0); // the length, once known
  out.byte(0x80, 4); // PROTO 4
  write(out, value, maxDepth);
  out.byte(0x2e); // STOP
  const frame = out.finish();
  frame.writeUInt32BE(frame.length - 4, 0);
  return frame;
}

function write(out: PickleWriter, value: unknown, depth: number): void {
  if (depth < 0) throw new PicklingError('a value nested too deeply for Python');
  const inner = depth - 1;
  if (value === null || value === undefined) return out.byte(0x4e);
  if (value === true) return out.byte(0x88);
  if (value === false) return out.byte(0x89);
  if (typeof value === 'number') {
    if (Number.isInteger(value) && !Object.is(value, -0)) return writeInt(out, BigInt(value));
    out.byte(0x47);
    return out.float64(value);
  }
  if (typeof value === 'bigint') return writeInt(out, value);
  if (typeof value === 'string') return writeStr(out, value);
  if (value instanceof PythonFloat) {
    out.byte(0x47);
    return out.float64(value.value);
  }
  if (value instanceof Uint8Array) {
    out.byte(0x42);
    out.u32(value.length);
    return out.bytes(value);
  }
  if (Array.isArray(value)) {
    if (isTuple(value)) return writeTuple(out, value, inner);
    out.byte(0x5d); // EMPTY_LIST
    if (value.length === 0) return;
    out.byte(0x28);
    for (const item of value) write(out, item, inner);
    return out.byte(0x65); // APPENDS
  }
  if (value instanceof Map) return writeDict(out, value.entries(), inner);
  if (isFrozenSet(value)) {
    out.byte(0x28);
    for (const item of value) write(out, item, inner);
    return out.byte(0x91); // FROZENSET
  }
  if (value instanceof Set) {
    out.byte(0x8f); // EMPTY_SET
    if (value.size === 0) return;
    out.byte(0x28);
    for (const item of value) write(out, item, inner);
    return out.byte(0x90); // ADDITEMS
  }
  if (value instanceof PythonToken) {
    writeGlobal(out, 'multiprocessing.managers', 'Token');
    writeTuple(out, [value.typeid, value.address, value.id], inner);
    return out.byte(0x52); // REDUCE
  }
  if (value instanceof PythonProxyRef) {
    // As BaseProxy.__reduce__: RebuildProxy(AutoProxy, token, 'pickle', {}); the client's
    // registry picks the real proxy class by the token's typeid only for the manager's own
    // types, so the rebuilder is given the class by name.
    writeGlobal(out, 'multiprocessing.managers', 'RebuildProxy');
    out.byte(0x28);
    writeGlobal(out, 'multiprocessing.managers', proxyClassOf(value.token.typeid));
    write(out, value.token, inner);
    writeStr(out, 'pickle');
    out.byte(0x7d);
    out.byte(0x74); // TUPLE
    return out.byte(0x52);
  }
  if (value instanceof PythonArray) {
    writeGlobal(out, 'array', 'array');
    writeStr(out, value.typecode);
    write(out, [...value.items], inner);
    out.byte(0x86); // TUPLE2
    return out.byte(0x52);
  }
  if (value instanceof PythonException) {
    writeGlobal(out, value.module, value.name);
    writeTuple(out, [...value.args], inner);
    return out.byte(0x52);
  }
  if (isPlainObject(value)) return writeDict(out, Object.entries(value), inner);
  throw new PicklingError(`an mpts ${describe(value)} cannot be sent to Python`);
}

function writeInt(out: PickleWriter, value: bigint): void {
  if (value >= 0n && value < 0x100n) return out.byte(0x4b, Number(value));
  if (value >= -0x80000000n && value < 0x80000000n) {
    out.byte(0x4a);
    return out.i32(Number(value));
  }
  // LONG1/LONG4: little-endian two's complement, as short as keeps the sign.
  const bytes: number[] = [];
  let rest = value;
  for (;;) {
    const byte = Number(rest & 0xffn);
    bytes.push(byte);
    rest >>= 8n;
    if ((rest === 0n && (byte & 0x80) === 0) || (rest === -1n && (byte & 0x80) !== 0)) break;
  }
  if (bytes.length < 256) out.byte(0x8a, bytes.length);
  else {
    out.byte(0x8b);
    out.i32(bytes.length);
  }
  out.bytes(Uint8Array.from(bytes));
}

function writeStr(out: PickleWriter, value: string): void {
  if (value.isWellFormed()) return out.str(value);
  // Python pickles a lone surrogate with 'surrogatepass'; JS strings may hold one, so the same.
  const encoded = encodeSurrogatePass(value);
  if (encoded.length < 256) out.byte(0x8c, encoded.length);
  else {
    out.byte(0x58);
    out.u32(encoded.length);
  }
  out.bytes(encoded);
}

function writeTuple(out: PickleWriter, items: readonly unknown[], depth: number): void {
  if (items.length === 0) return out.byte(0x29);
  if (items.length <= 3) {
    for (const item of items) write(out, item, depth);
    return out.byte(0x84 + items.length); // TUPLE1..TUPLE3
  }
  out.byte(0x28);
  for (const item of items) write(out, item, depth);
  out.byte(0x74);
}

function writeDict(out: PickleWriter, entries: Iterable<[unknown, unknown]>, depth: number): void {
  out.byte(0x7d); // EMPTY_DICT
  out.byte(0x28);
  for (const [key, item] of entries) {
    write(out, key, depth);
    write(out, item, depth);
  }
  out.byte(0x75); // SETITEMS
}

function writeGlobal(out: PickleWriter, module: string, name: string): void {
  writeStr(out, module);
  writeStr(out, name);
  out.byte(0x93); // STACK_GLOBAL
}

/** The proxy class CPython's SyncManager registers for each of its typeids. */
export function proxyClassOf(typeid: string): string {
  return proxyClasses[typeid] ?? 'AutoProxy';
}

const proxyClasses: Record<string, string> = {
  dict: 'DictProxy',
  list: 'ListProxy',
  Namespace: 'NamespaceProxy',
  Value: 'ValueProxy',
  Array: 'ArrayProxy',
  Lock: 'AcquirerProxy',
  RLock: 'AcquirerProxy',
  Semaphore: 'AcquirerProxy',
  BoundedSemaphore: 'AcquirerProxy',
  Condition: 'ConditionProxy',
  Event: 'EventProxy',
  Barrier: 'BarrierProxy',
  Iterator: 'IteratorProxy',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return `${value.constructor?.name ?? 'object'} object`;
  return typeof value;
}

function encodeSurrogatePass(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return Uint8Array.from(out);
}

/**
 * Where replies are written before they are copied out at their size: one buffer for every
 * encoding (an encoding runs to its end without yielding), so a small reply allocates only
 * its own bytes.
 */
const scratch = Buffer.allocUnsafeSlow(4096);

/** A growing byte buffer. */
class PickleWriter {
  private buffer = scratch;
  private length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + n));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  byte(...values: number[]): void {
    this.reserve(values.length);
    for (const value of values) this.buffer[this.length++] = value;
  }

  u32(value: number): void {
    this.reserve(4);
    this.length = this.buffer.writeUInt32LE(value, this.length);
  }

  i32(value: number): void {
    this.reserve(4);
    this.length = this.buffer.writeInt32LE(value, this.length);
  }

  float64(value: number): void {
    this.reserve(8);
    this.length = this.buffer.writeDoubleBE(value, this.length);
  }

  /** A well-formed string, as SHORT_BINUNICODE or BINUNICODE: its UTF-8 written in place. */
  str(value: string): void {
    // Most names and keys are short ASCII: written without a call into C++.
    if (value.length < 64) {
      let i = 0;
      while (i < value.length && value.charCodeAt(i) < 0x80) i++;
      if (i === value.length) {
        this.reserve(value.length + 2);
        this.buffer[this.length++] = 0x8c;
        this.buffer[this.length++] = value.length;
        for (let j = 0; j < value.length; j++) this.buffer[this.length++] = value.charCodeAt(j);
        return;
      }
    }
    const length = Buffer.byteLength(value, 'utf8');
    if (length < 256) this.byte(0x8c, length);
    else {
      this.byte(0x58);
      this.u32(length);
    }
    this.reserve(length);
    this.length += this.buffer.write(value, this.length, 'utf8');
  }

  bytes(value: Uint8Array): void {
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  /** The bytes written, in a buffer of their own. */
  finish(): Buffer {
    const bytes = this.buffer.subarray(0, this.length);
    return this.buffer === scratch ? Buffer.from(bytes) : bytes;
  }
}
