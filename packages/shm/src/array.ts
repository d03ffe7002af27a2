import {
  AttributeError,
  IndexError,
  isIterable,
  messages,
  pythonRepr,
  pyTypeName,
  resolveSlice,
  ValueError,
} from '@mpts/proxy/wire';
import type { Lock, RLock } from './lock.js';
import { SynchronizedBase } from './synchronized-base.js';
import { createSegment, DATA_OFFSET, type Segment } from './segment.js';
import {
  ctypeOf, fromStored, reprElement, toStored, viewOf, type CType,
  type ElementOf, type InputOf, type TypecodeOrType,
} from './typecodes.js';
import { atomicView, checkLockOption, resolveLock, type SynchronizedOptions } from './value.js';

type Stored = number | bigint;
type Cells = { [index: number]: Stored; length: number };

/** A slice bound: an integer, or null/undefined for Python's omitted bound. */
export type SliceBound = number | null | undefined;

/** What a slice of the array reads as: a `Buffer` for `'c'` (Python's bytes), else an array. */
export type SliceOf<C extends TypecodeOrType> =
  ElementOf<C> extends Buffer ? Buffer : ElementOf<C>[];

/** The element index for `a[i]`: negative counts from the end; Python's errors. */
function indexOf(length: number, index: unknown): number {
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    throw new TypeError(messages.indicesMustBeIntegers);
  }
  const at = index < 0 ? index + length : index;
  if (at < 0 || at >= length) throw new IndexError(messages.invalidIndex);
  return at;
}

/**
 * `a[i]` and `a[i] = x` on an array object: a Proxy that turns integer keys into
 * `getItem`/`setItem` (and everything else to the object itself, with methods bound to it, so
 * they run at full speed). For hot loops on raw arrays, `asTypedArray()` is faster still.
 */
export function indexed<T extends ArrayLike>(target: T): T {
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(object, key) {
      if (typeof key === 'string') {
        const first = key.charCodeAt(0);
        if ((first >= 48 && first <= 57) || first === 45) {
          const index = Number(key);
          if (!Number.isNaN(index)) return object.getItem(index);
        }
      }
      const value = (object as unknown as Record<PropertyKey, unknown>)[key];
      if (typeof value !== 'function' || key === 'constructor') return value;
      let method = bound.get(key);
      if (method === undefined) {
        method = (value as (...args: unknown[]) => unknown).bind(object);
        bound.set(key, method);
      }
      return method;
    },
    set(object, key, value) {
      if (typeof key === 'string') {
        const first = key.charCodeAt(0);
        if ((first >= 48 && first <= 57) || first === 45) {
          const index = Number(key);
          if (!Number.isNaN(index)) {
            object.setItem(index, value);
            return true;
          }
        }
      }
      return Reflect.set(object, key, value, object);
    },
    has(object, key) {
      if (typeof key === 'string') {
        const index = Number(key);
        if (Number.isInteger(index) && key !== '') return index >= -object.length && index < object.length;
      }
      return Reflect.has(object, key);
    },
  });
}

/** What `indexed` needs of an object. */
export interface ArrayLike {
  readonly length: number;
  getItem(index: number): unknown;
  setItem(index: number, value: unknown): void;
}

/**
 * Python's ctypes array (`c_int_Array_10`) in shared memory: what `RawArray` returns. Index it
 * as `a[i]` (negative indices count from the end), slice it with `getSlice`/`setSlice`.
 */
export class CArray<C extends TypecodeOrType = TypecodeOrType> {
  /** @internal */ readonly segment: Segment;
  /** @internal */ readonly offset: number;
  /** @internal */ readonly ctype: CType;
  /** The number of elements. */
  readonly length: number;
  private readonly cells: Cells;

  /** @internal */
  constructor(segment: Segment, offset: number, ctype: CType, length: number) {
    this.segment = segment;
    this.offset = offset;
    this.ctype = ctype;
    this.length = length;
    this.cells = viewOf(ctype, segment.sab, offset, length) as unknown as Cells;
  }

  /** @internal Makes the indexed (Proxy) form; every CArray handed out is one. */
  static indexed<C extends TypecodeOrType>(segment: Segment, offset: number, ctype: CType,
    length: number): CArray<C> {
    return indexed(new CArray<C>(segment, offset, ctype, length));
  }

  get typecode(): string {
    return this.ctype.code;
  }

  /** `a[i]`. */
  getItem(index: number): ElementOf<C> {
    return fromStored(this.ctype, this.cells[indexOf(this.length, index)]!) as ElementOf<C>;
  }

  /** `a[i] = value`. */
  setItem(index: number, value: InputOf<C>): void {
    const at = indexOf(this.length, index);
    this.cells[at] = toStored(this.ctype, value);
  }

  /** `a[start:stop:step]`, a copy: an array, or a `Buffer` for `'c'`. */
  getSlice(start?: SliceBound, stop?: SliceBound, step?: SliceBound): SliceOf<C> {
    const { start: from, step: by, count } = resolveSlice(this.length, start, stop, step);
    if (this.ctype.kind === 'char') {
      const bytes = Buffer.alloc(count);
      for (let k = 0; k < count; k++) bytes[k] = this.cells[from + k * by] as number;
      return bytes as SliceOf<C>;
    }
    const out = new Array<Stored>(count);
    for (let k = 0; k < count; k++) out[k] = this.cells[from + k * by]!;
    return out as SliceOf<C>;
  }

  /**
   * `a[start:stop] = values` or, with four arguments, `a[start:stop:step] = values`. The
   * values must be as many as the slice holds (`ValueError('Can only assign sequence of same
   * size')`); all are checked before any is written.
   */
  setSlice(start: SliceBound, stop: SliceBound, values: Iterable<InputOf<C>>): void;
  setSlice(start: SliceBound, stop: SliceBound, step: SliceBound, values: Iterable<InputOf<C>>): void;
  setSlice(start: SliceBound, stop: SliceBound, ...rest: unknown[]): void {
    const [step, values] = rest.length >= 2 ? [rest[0] as SliceBound, rest[1]] : [undefined, rest[0]];
    const { start: from, step: by, count } = resolveSlice(this.length, start, stop, step);
    const items = this.storedItems(values);
    if (items.length !== count) throw new ValueError(messages.sameSize);
    for (let k = 0; k < count; k++) this.cells[from + k * by] = items[k]!;
  }

  /** Every element, copied into a JS array. */
  toArray(): ElementOf<C>[] {
    const out = new Array<ElementOf<C>>(this.length);
    for (let k = 0; k < this.length; k++) out[k] = fromStored(this.ctype, this.cells[k]!) as ElementOf<C>;
    return out;
  }

  *[Symbol.iterator](): IterableIterator<ElementOf<C>> {
    for (let k = 0; k < this.length; k++) yield this.getItem(k);
  }

  /**
   * The typed array over the same shared memory (Int32Array for `'i'`, Float64Array for
   * `'d'`...): no index checks, no type checks, no lock, full speed.
   */
  asTypedArray(): Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array |
    BigInt64Array | BigUint64Array | Float32Array | Float64Array {
    return this.cells as never;
  }

  /** `'c'` arrays: the bytes up to the first NUL (Python's `.value`). */
  get value(): Buffer {
    const bytes = this.charBytes('value');
    const end = bytes.indexOf(0);
    return Buffer.from(end === -1 ? bytes : bytes.subarray(0, end));
  }

  /** Writes the bytes, then a NUL if there is room; `ValueError('byte string too long')`. */
  set value(bytes: Uint8Array) {
    const cells = this.charBytes('value');
    if (!(bytes instanceof Uint8Array)) throw new TypeError(messages.bytesExpected(pyTypeName(bytes)));
    if (bytes.length > this.length) throw new ValueError(messages.byteStringTooLong);
    cells.set(bytes);
    if (bytes.length < this.length) cells[bytes.length] = 0;
  }

  /** `'c'` arrays: all the bytes (Python's `.raw`), a copy. */
  get raw(): Buffer {
    return Buffer.from(this.charBytes('raw'));
  }

  /** Overwrites a prefix with the bytes; `ValueError('byte string too long')`. */
  set raw(bytes: Uint8Array) {
    const cells = this.charBytes('raw');
    if (!(bytes instanceof Uint8Array)) throw new TypeError(messages.bytesLikeRequired(pyTypeName(bytes)));
    if (bytes.length > this.length) throw new ValueError(messages.byteStringTooLong);
    cells.set(bytes);
  }

  /** Adds `delta` to `a[index]` atomically (integer typecodes); returns the value before. */
  add(index: number, delta: InputOf<C>): ElementOf<C> {
    const cells = atomicView(this.ctype, this.cells);
    return Atomics.add(cells, indexOf(this.length, index), toStored(this.ctype, delta) as never) as ElementOf<C>;
  }

  /** Stores `replacement` at `index` if it holds `expected`, atomically; returns the value before. */
  compareExchange(index: number, expected: InputOf<C>, replacement: InputOf<C>): ElementOf<C> {
    const cells = atomicView(this.ctype, this.cells);
    return Atomics.compareExchange(cells, indexOf(this.length, index),
      toStored(this.ctype, expected) as never, toStored(this.ctype, replacement) as never) as ElementOf<C>;
  }

  /** See `CValue.unlink`. */
  unlink(): void {
    this.segment.unlink();
  }

  /** ctypes' class name, e.g. `c_int_Array_10`. */
  get typeName(): string {
    return `${this.ctype.name}_Array_${this.length}`;
  }

  toString(): string {
    if (this.ctype.kind === 'char') return `${this.typeName}(${pythonRepr(this.raw)})`;
    const items: string[] = [];
    for (let k = 0; k < this.length; k++) items.push(reprElement(this.ctype, this.cells[k]!));
    return `${this.typeName}([${items.join(', ')}])`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  private charBytes(attribute: string): Uint8Array {
    if (this.ctype.kind !== 'char') throw new AttributeError(messages.noAttribute(this.typeName, attribute));
    return this.cells as unknown as Uint8Array;
  }

  /** @internal Converts (and checks) values for a write. */
  storedItems(values: unknown): Stored[] {
    if (this.ctype.kind === 'char' && values instanceof Uint8Array) return [...values];
    if (!isIterable(values) || typeof values === 'string') {
      throw new ValueError(messages.sameSize);
    }
    const items: Stored[] = [];
    for (const value of values) items.push(toStored(this.ctype, value));
    return items;
  }
}

/** The element list of an initializer, or Python's TypeError. */
function initialItems(ctype: CType, sizeOrInit: unknown): unknown[] | number {
  if (typeof sizeOrInit === 'number') {
    if (!Number.isInteger(sizeOrInit)) throw new TypeError(messages.noLen('float'));
    if (sizeOrInit < 0) throw new ValueError(messages.arrayLengthNegative(sizeOrInit));
    return sizeOrInit;
  }
  if (ctype.kind === 'char' && sizeOrInit instanceof Uint8Array) return [...sizeOrInit];
  if (typeof sizeOrInit === 'object' && isIterable(sizeOrInit)) {
    return [...sizeOrInit];
  }
  if (typeof sizeOrInit === 'string') {
    // Python iterates the str, and each one-letter str is refused.
    if (sizeOrInit.length === 0) return [];
    throw new TypeError(ctype.kind === 'char' ? messages.charExpected
      : ctype.kind === 'float' ? messages.floatExpected('str') : messages.integerExpected('str'));
  }
  throw new TypeError(messages.noLen(pyTypeName(sizeOrInit)));
}

/**
 * Python's `RawArray(typecode_or_type, size_or_initializer)`: an array in shared memory with no
 * lock; zeroed when given a size, else as long as the initializer and filled from it.
 */
export function RawArray<C extends TypecodeOrType>(typecodeOrType: C,
  sizeOrInit: number | Iterable<InputOf<C>> | Uint8Array): Indexed<CArray<C>, C> {
  const ctype = ctypeOf(typecodeOrType);
  const items = initialItems(ctype, sizeOrInit);
  const length = typeof items === 'number' ? items : items.length;
  const stored = typeof items === 'number' ? [] : items.map((item) => toStored(ctype, item));
  const segment = createSegment(length * ctype.size);
  const array = CArray.indexed<C>(segment, DATA_OFFSET, ctype, length);
  const cells = array.asTypedArray() as unknown as Cells;
  for (let k = 0; k < stored.length; k++) cells[k] = stored[k]!;
  return array as Indexed<CArray<C>, C>;
}

/**
 * Python's `SynchronizedArray`: an array with the lock that guards it. Each `a[i]`, `a[i] = x`,
 * slice, `toArray()` takes the lock for that one operation; hold it across several with
 * `a.withLock(...)`. `length` needs no lock.
 */
export class SynchronizedArray<C extends TypecodeOrType = TypecodeOrType> extends SynchronizedBase<CArray<C>> {
  readonly length: number;

  /** @internal */
  constructor(obj: CArray<C>, lock: Lock | RLock) {
    super(obj, lock);
    this.length = obj.length;
  }

  /** @internal */
  static indexed<C extends TypecodeOrType>(obj: CArray<C>, lock: Lock | RLock): SynchronizedArray<C> {
    const Class = obj.ctype.kind === 'char' ? SynchronizedString : SynchronizedArray;
    return indexed(new Class<C>(obj, lock));
  }

  getItem(index: number): ElementOf<C> {
    this.lock.acquire();
    try {
      return this.obj.getItem(index);
    } finally {
      this.lock.release();
    }
  }

  setItem(index: number, value: InputOf<C>): void {
    this.lock.acquire();
    try {
      this.obj.setItem(index, value);
    } finally {
      this.lock.release();
    }
  }

  getSlice(start?: SliceBound, stop?: SliceBound, step?: SliceBound): SliceOf<C> {
    return this.lock.withLock(() => this.obj.getSlice(start, stop, step));
  }

  setSlice(start: SliceBound, stop: SliceBound, values: Iterable<InputOf<C>>): void;
  setSlice(start: SliceBound, stop: SliceBound, step: SliceBound, values: Iterable<InputOf<C>>): void;
  setSlice(start: SliceBound, stop: SliceBound, ...rest: unknown[]): void {
    this.lock.withLock(() => (this.obj.setSlice as (...args: unknown[]) => void)(start, stop, ...rest));
  }

  toArray(): ElementOf<C>[] {
    return this.lock.withLock(() => this.obj.toArray());
  }

  *[Symbol.iterator](): IterableIterator<ElementOf<C>> {
    for (let k = 0; k < this.length; k++) yield this.getItem(k);
  }

  /** Atomic add without the lock; see `CArray.add`. */
  add(index: number, delta: InputOf<C>): ElementOf<C> {
    return this.obj.add(index, delta);
  }

  /** Atomic compare-and-exchange without the lock; see `CArray.compareExchange`. */
  compareExchange(index: number, expected: InputOf<C>, replacement: InputOf<C>): ElementOf<C> {
    return this.obj.compareExchange(index, expected, replacement);
  }

}

/** Python's `SynchronizedString`: a synchronized `'c'` array, with `.value` and `.raw`. */
export class SynchronizedString<C extends TypecodeOrType = 'c'> extends SynchronizedArray<C> {
  /** The bytes up to the first NUL, under the lock. */
  get value(): Buffer {
    return this.lock.withLock(() => this.obj.value);
  }

  set value(bytes: Uint8Array) {
    this.lock.withLock(() => {
      this.obj.value = bytes;
    });
  }

  /** All the bytes, under the lock. */
  get raw(): Buffer {
    return this.lock.withLock(() => this.obj.raw);
  }

  set raw(bytes: Uint8Array) {
    this.lock.withLock(() => {
      this.obj.raw = bytes;
    });
  }
}

/** The indexable form of an array: `a[i]` reads and writes elements. */
export type Indexed<A, C extends TypecodeOrType> = A & { [index: number]: ElementOf<C> };

/**
 * Python's `Array(typecode_or_type, size_or_initializer, lock=True)`: an array in shared
 * memory with a lock (a new RLock by default); `{ lock: false }` returns the raw array.
 * Exported as `SharedArray` and as `Array` (import it under that name if you like; it shadows
 * the global `Array` in that module).
 */
export function SharedArray<C extends TypecodeOrType>(typecodeOrType: C,
  sizeOrInit: number | Iterable<InputOf<C>> | Uint8Array,
  options: SynchronizedOptions<false>): Indexed<CArray<C>, C>;
export function SharedArray<C extends TypecodeOrType>(typecodeOrType: C,
  sizeOrInit: number | Iterable<InputOf<C>> | Uint8Array,
  options?: SynchronizedOptions<true | null | undefined | Lock | RLock>):
  Indexed<C extends 'c' | 'c_char' | 'char' ? SynchronizedString<C> : SynchronizedArray<C>, C>;
export function SharedArray<C extends TypecodeOrType>(typecodeOrType: C,
  sizeOrInit: number | Iterable<InputOf<C>> | Uint8Array,
  options?: SynchronizedOptions): Indexed<SynchronizedArray<C> | CArray<C>, C>;
export function SharedArray<C extends TypecodeOrType>(typecodeOrType: C,
  sizeOrInit: number | Iterable<InputOf<C>> | Uint8Array,
  options: SynchronizedOptions = {}): SynchronizedArray<C> | CArray<C> {
  checkLockOption(options.lock);
  const obj = RawArray(typecodeOrType, sizeOrInit);
  const lock = resolveLock(options.lock, obj.segment);
  return lock === undefined ? obj : SynchronizedArray.indexed(obj, lock);
}

/** @internal Rebuilds an array on the receiving side of a hand-off. */
export function arrayAt<C extends TypecodeOrType>(segment: Segment, offset: number, ctype: CType,
  length: number): CArray<C> {
  return CArray.indexed<C>(segment, offset, ctype, length);
}
