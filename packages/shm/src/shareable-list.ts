import { endianness } from 'node:os';
import { indexed } from './array.js';
import { SharedMemory, trackerOption, type SharedMemoryOptions } from './shared-memory.js';
import { IndexError, messages, pyTypeName, pythonRepr, StructError, ValueError } from '@mpts/proxy/wire';

/**
 * What a ShareableList holds: Python's int (an integral `number` or a `bigint`), float (any
 * other `number`), bool, None (`null`; `undefined` is stored as None too), str and bytes (a
 * `Uint8Array`; read back as a `Buffer`).
 */
export type ShareableItem = number | bigint | boolean | null | undefined | string | Uint8Array;
/** An item as read back. */
export type ShareableValue = number | bigint | boolean | null | string | Buffer;

/*
 * The layout, Python's since 3.9 (CPython's Lib/multiprocessing/shared_memory.py), in the
 * machine's byte order, every field 8-byte aligned:
 *
 *   0                      int64: N, the number of items
 *   8                      N + 1 int64s: where each item's slot starts in the data area, and
 *                          where the data area ends
 *   (N + 2) * 8            the data area: one slot per item, 8 bytes, or for str/bytes the
 *                          encoded length rounded up to the next multiple of 8 (always at least
 *                          one NUL after the text)
 *   data + offsets[N]      N 8-byte, NUL-padded `struct` formats, one per item:
 *                          'q' int, 'd' float, 'xxxxxxx?' bool (its last byte), 'xxxxxx?x'
 *                          None, '<n>s' str or bytes (n: the slot's size)
 *   ... + N * 8            N int8s: how to read each item back: 0 as packed, 1 str (UTF-8,
 *                          trailing NULs dropped), 2 bytes (trailing NULs dropped), 3 None
 */
const SLOT = 8;
const INT = 'q';
const FLOAT = 'd';
const BOOL = 'xxxxxxx?';
const NONE = 'xxxxxx?x';
const AS_PACKED = 0;
const AS_STR = 1;
const AS_BYTES = 2;
const AS_NONE = 3;
const littleEndian = endianness() === 'LE';
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A format as stored: its 8 bytes, NUL-padded. */
function paddedFormat(format: string): Buffer {
  const bytes = Buffer.alloc(SLOT);
  bytes.write(format, 'latin1');
  return bytes;
}
const formatBytes = new Map([INT, FLOAT, BOOL, NONE].map((format) => [format, paddedFormat(format)]));
/** Each fixed format's stored bytes as two little-endian 32-bit words. */
const fixedFormats: [string, [number, number]][] = [...formatBytes].map(([format, bytes]) =>
  [format, [bytes.readUInt32LE(0), bytes.readUInt32LE(4)]]);

/** Where the data area, the formats and the back-transform codes start, for `n` items. */
function areas(n: number, offsets: number[]): [number, number, number] {
  const dataStart = SLOT * (n + 2);
  const formatsStart = dataStart + offsets[n]!;
  return [dataStart, formatsStart, formatsStart + SLOT * n];
}

/** An item ready to store: its format, back-transform code, and encoded text if any. */
interface Packed {
  format: string;
  code: number;
  value: ShareableItem;
  bytes?: Uint8Array;
}

function pack(item: ShareableItem): Packed {
  switch (typeof item) {
    case 'number':
      return { format: Number.isInteger(item) ? INT : FLOAT, code: AS_PACKED, value: item };
    case 'bigint':
      return { format: INT, code: AS_PACKED, value: item };
    case 'boolean':
      return { format: BOOL, code: AS_PACKED, value: item };
    case 'undefined':
      return { format: NONE, code: AS_NONE, value: null };
    case 'string':
      return { format: 's', code: AS_STR, value: item, bytes: Buffer.from(item, 'utf8') };
    default:
      if (item === null) return { format: NONE, code: AS_NONE, value: null };
      if (item instanceof Uint8Array) return { format: 's', code: AS_BYTES, value: item, bytes: item };
      throw new TypeError(messages.cannotShare(pyTypeName(item)));
  }
}

/** A str/bytes slot: the encoded length rounded up past the next multiple of 8, as Python. */
function slotFor(bytes: Uint8Array): number {
  const size = SLOT * (Math.floor(bytes.length / SLOT) + 1);
  // A format is at most 8 characters: '9999992s' is the largest slot that has one.
  if (`${size}s`.length > SLOT) throw new ValueError(`a str or bytes item of ${bytes.length} bytes is too long for a ShareableList`);
  return size;
}

/** Python's `value == entry` for the values a ShareableList holds. */
function equal(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
  if ((typeof a === 'number' || typeof a === 'bigint' || typeof a === 'boolean')
    && (typeof b === 'number' || typeof b === 'bigint' || typeof b === 'boolean')) {
    // Python compares True == 1 and 1 == 1.0; a bigint against a fractional number is unequal.
    const x = typeof a === 'boolean' ? Number(a) : a;
    const y = typeof b === 'boolean' ? Number(b) : b;
    // eslint-disable-next-line eqeqeq
    return x == y;
  }
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  return a === b;
}

/**
 * Python's `multiprocessing.shared_memory.ShareableList`: a fixed-length list of ints, floats,
 * bools, None, str and bytes, laid out in a named shared-memory block exactly as Python lays it
 * out, so Python and Node processes read and write one list.
 *
 * `new ShareableList([1, 'a'])` creates one in a new block (`{ name }` to choose its name);
 * `new ShareableList(null, { name })` attaches an existing one. Items are read and written in
 * place (`sl[0]`, `sl[0] = 5`, or `getItem`/`setItem`); the length never changes, and a str or
 * bytes item cannot grow past the room its slot was given when the list was made.
 */
export class ShareableList {
  /** The block the list lives in (`sl.shm.name` to attach it elsewhere). */
  readonly shm: SharedMemory;
  private readonly view: DataView;
  private readonly bytes: Uint8Array;
  /** The number of items, read once: a list never changes length. */
  private readonly itemCount: number;
  private readonly offsets: number[];
  /** Where the data area, the formats and the back-transform codes start (fixed too). */
  private readonly dataStart: number;
  private readonly formatsStart: number;
  private readonly codesStart: number;
  [index: number]: ShareableValue;

  constructor(sequence?: Iterable<ShareableItem> | null,
    options: { name?: string } & Pick<SharedMemoryOptions, 'track' | typeof trackerOption> = {}) {
    const { name } = options;
    if (name === undefined || (sequence !== null && sequence !== undefined)) {
      const items = [...(sequence ?? [])].map(pack);
      const n = items.length;
      const offsets = [0];
      for (const item of items) offsets.push(offsets.at(-1)! + (item.bytes ? slotFor(item.bytes) : SLOT));
      const size = SLOT + SLOT * (n + 1) + offsets[n]! + SLOT * n + n;
      this.shm = new SharedMemory({
        name, create: true, size, track: options.track ?? true, [trackerOption]: options[trackerOption],
      });
      this.view = new DataView(this.shm.buf.buffer);
      this.bytes = this.shm.buf;
      this.itemCount = n;
      this.offsets = offsets;
      [this.dataStart, this.formatsStart, this.codesStart] = areas(n, offsets);
      this.view.setBigInt64(0, BigInt(n), littleEndian);
      offsets.forEach((offset, i) => this.view.setBigInt64(SLOT * (i + 1), BigInt(offset), littleEndian));
      try {
        items.forEach((item, i) => this.store(i, item, item.bytes ? `${offsets[i + 1]! - offsets[i]!}s` : item.format));
      } catch (error) {
        // An int that does not fit: Python keeps the half-written block till its process ends;
        // mpts removes it at once.
        this.shm.unlink();
        throw error;
      }
    } else {
      this.shm = new SharedMemory({ name });
      this.view = new DataView(this.shm.buf.buffer);
      this.bytes = this.shm.buf;
      // Whatever the block holds, reading it takes memory and time bounded by its size.
      const size = this.shm.size;
      const count = size >= SLOT ? this.view.getBigInt64(0, littleEndian) : -1n;
      if (count < 0n || SLOT * (Number(count) + 2) > size) throw new ValueError(messages.notAShareableList(name));
      this.itemCount = Number(count);
      this.offsets = [];
      for (let i = 0; i <= this.itemCount; i++) {
        const offset = Number(this.view.getBigInt64(SLOT * (i + 1), littleEndian));
        if (offset < (this.offsets.at(-1) ?? 0)) throw new ValueError(messages.notAShareableList(name));
        this.offsets.push(offset);
      }
      [this.dataStart, this.formatsStart, this.codesStart] = areas(this.itemCount, this.offsets);
      if (this.codesStart + this.itemCount > size) throw new ValueError(messages.notAShareableList(name));
    }
    // `sl[i]` and `sl[i] = x`, as a ctypes array's: a Proxy over getItem/setItem.
    return indexed(this);
  }

  /** The number of items, as stored in the block. */
  get length(): number {
    return Number(this.view.getBigInt64(0, littleEndian));
  }

  private position(index: number, message: string): number {
    if (!Number.isInteger(index)) throw new TypeError(messages.indicesMustBeIntegers);
    const position = index < 0 ? index + this.itemCount : index;
    if (position < 0 || position >= this.itemCount) throw new IndexError(message);
    return position;
  }

  private formatAt(position: number): string {
    const start = this.formatsStart + SLOT * position;
    // The four fixed formats, told apart by two 32-bit reads instead of decoding a string.
    const low = this.view.getUint32(start, true);
    const high = this.view.getUint32(start + 4, true);
    for (const [format, words] of fixedFormats) if (low === words[0] && high === words[1]) return format;
    const raw = this.bytes.subarray(start, start + SLOT);
    const end = raw.indexOf(0);
    return Buffer.from(raw.subarray(0, end < 0 ? SLOT : end)).toString('utf8');
  }

  /** The item at `index` (negative counts from the end); `IndexError` outside. */
  getItem(index: number): ShareableValue {
    const position = this.position(index, messages.indexOutOfRange);
    const offset = this.dataStart + this.offsets[position]!;
    const format = this.formatAt(position);
    const code = this.view.getInt8(this.codesStart + position);
    if (code === AS_NONE) return null;
    if (format === INT) {
      // Within ±2^53 the two halves make the number exactly, with no bigint on the way.
      const high = this.view.getInt32(offset + (littleEndian ? 4 : 0), littleEndian);
      if (high > -0x200000 && high < 0x200000) {
        return high * 0x1_0000_0000 + this.view.getUint32(offset + (littleEndian ? 0 : 4), littleEndian);
      }
      const value = this.view.getBigInt64(offset, littleEndian);
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
    }
    if (format === FLOAT) return this.view.getFloat64(offset, littleEndian);
    if (format === BOOL) return this.bytes[offset + 7] !== 0;
    if (format === NONE) return this.bytes[offset + 6] !== 0;
    if (format.endsWith('s')) {
      const raw = this.bytes.subarray(offset, offset + Number(format.slice(0, -1)));
      let end = raw.length;
      while (end > 0 && raw[end - 1] === 0) end--;
      const bytes = Buffer.from(raw.subarray(0, end));
      return code === AS_STR ? bytes.toString('utf8') : bytes;
    }
    throw new ValueError(`a ShareableList item has a format mpts does not know: '${format}'`);
  }

  /**
   * Stores `value` at `index`, in place. A str or bytes value must fit its slot (`ValueError`);
   * any other value fits any slot.
   */
  setItem(index: number, value: ShareableItem): void {
    const position = this.position(index, messages.assignmentIndexOutOfRange);
    const item = pack(value);
    let format = item.format;
    if (item.bytes !== undefined) {
      const room = this.offsets[position + 1]! - this.offsets[position]!;
      if (item.bytes.length > room) throw new ValueError(messages.itemExceedsStorage);
      format = `${room}s`;
    }
    this.store(position, item, format);
  }

  private store(position: number, item: Packed, format: string): void {
    const offset = this.dataStart + this.offsets[position]!;
    if (format === INT) {
      const value = BigInt(item.value as number | bigint);
      if (value < INT64_MIN || value > INT64_MAX) throw new StructError(messages.qOutOfRange);
      this.view.setBigInt64(offset, value, littleEndian);
    } else if (format === FLOAT) {
      this.view.setFloat64(offset, item.value as number, littleEndian);
    } else if (format === BOOL || format === NONE) {
      this.bytes.fill(0, offset, offset + SLOT);
      if (item.value === true) this.bytes[offset + 7] = 1;
    } else {
      const room = Number(format.slice(0, -1));
      this.bytes.fill(0, offset, offset + room);
      this.bytes.set(item.bytes!, offset);
    }
    const formatStart = this.formatsStart + SLOT * position;
    this.bytes.set(formatBytes.get(format) ?? paddedFormat(format), formatStart);
    this.view.setInt8(this.codesStart + position, item.code);
  }

  /** The `struct` format of all items, as Python's `sl.format`: `'qd8sxxxxxx?x'`. */
  get format(): string {
    let format = '';
    for (let i = 0; i < this.itemCount; i++) format += this.formatAt(i);
    return format;
  }

  /** How many items equal `value` (Python's `==`: `1 == 1.0 == true`). */
  count(value: ShareableItem): number {
    let count = 0;
    for (const entry of this) if (equal(value, entry)) count++;
    return count;
  }

  /** The first position of `value`; `ValueError` if it is not there. */
  index(value: ShareableItem): number {
    let position = 0;
    for (const entry of this) {
      if (equal(value, entry)) return position;
      position++;
    }
    throw new ValueError(messages.notInContainer(pythonRepr(value)));
  }

  *[Symbol.iterator](): IterableIterator<ShareableValue> {
    for (let i = 0; i < this.itemCount; i++) yield this.getItem(i);
  }

  /** The items, copied into a plain array. */
  toArray(): ShareableValue[] {
    return [...this];
  }

  /** Python's repr: `ShareableList([1, 'a'], name='psm_1a2b3c4d')`. */
  toString(): string {
    return `ShareableList(${pythonRepr(this.toArray())}, name=${pythonRepr(this.shm.name)})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
