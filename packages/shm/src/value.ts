import { AttributeError, messages, pyTypeName } from '@mpts/proxy/wire';
import { Lock, ownRLock, RLock } from './lock.js';
import { SynchronizedBase } from './synchronized-base.js';
import { createSegment, DATA_OFFSET, type Segment } from './segment.js';
import {
  ctypeOf, fromStored, reprElement, toStored, viewOf, type CType, type ElementOf,
  type InputOf, type TypecodeOrType,
} from './typecodes.js';

/** The `lock` option of `Value` and `Array`, as Python's `lock=`. */
export type LockOption = boolean | null | undefined | Lock | RLock;

/** Options of `Value` and `Array`. */
export interface SynchronizedOptions<L extends LockOption = LockOption> {
  /**
   * `true` (or `null`): a new RLock, as in Python; `false`: no lock, the raw object is returned;
   * a `Lock` or `RLock`: used as it is (several objects may share one).
   * @default true
   */
  lock?: L;
}

/** Python's ctypes simple value (`c_int(5)`) in shared memory: what `RawValue` returns. */
export class CValue<C extends TypecodeOrType = TypecodeOrType> {
  /** @internal */ readonly segment: Segment;
  /** @internal */ readonly offset: number;
  /** @internal */ readonly ctype: CType;
  private readonly view;

  /** @internal */
  constructor(segment: Segment, offset: number, ctype: CType) {
    this.segment = segment;
    this.offset = offset;
    this.ctype = ctype;
    this.view = viewOf(ctype, segment.sab, offset, 1) as unknown as { 0: number | bigint };
  }

  /** The type code of the value, e.g. `'i'`. */
  get typecode(): string {
    return this.ctype.code;
  }

  /** The value, read and written straight in shared memory. */
  get value(): ElementOf<C> {
    return fromStored(this.ctype, this.view[0]) as ElementOf<C>;
  }

  set value(value: InputOf<C>) {
    this.view[0] = toStored(this.ctype, value);
  }

  /**
   * Adds `delta` atomically (an integer typecode only; wraps around as C does) and returns the
   * value before. The cure for `v.value += 1`, which is a read then a write.
   */
  add(delta: InputOf<C>): ElementOf<C> {
    return Atomics.add(atomicView(this.ctype, this.view), 0, toStored(this.ctype, delta) as never) as ElementOf<C>;
  }

  /** Stores `replacement` if the value is `expected`, atomically; returns the value before. */
  compareExchange(expected: InputOf<C>, replacement: InputOf<C>): ElementOf<C> {
    // Atomics wraps `expected` to the type as it does the stored value, so -1 matches 255 in 'B'.
    return Atomics.compareExchange(atomicView(this.ctype, this.view), 0,
      toStored(this.ctype, expected) as never, toStored(this.ctype, replacement) as never) as ElementOf<C>;
  }

  /**
   * This process will not pass the value to another process any more: the shared memory's name
   * goes (now, or once children already handed it have attached). Done automatically when the
   * value is garbage collected, and at exit.
   */
  unlink(): void {
    this.segment.unlink();
  }

  toString(): string {
    return `${this.ctype.name}(${reprElement(this.ctype, this.view[0])})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The typed view for Atomics, or the TypeError for a type Atomics cannot do. */
export function atomicView<V>(ctype: CType, view: V): V & Int32Array {
  // Atomics work on every integer view; a 'c' is a byte, not an integer, as in Python.
  if (ctype.kind !== 'int' && ctype.kind !== 'bigint') throw new TypeError(messages.atomicNeedsInteger(ctype.code));
  return view as V & Int32Array;
}

/**
 * Python's `Synchronized`: a value with the lock that guards it. Reading or writing `.value`
 * takes the lock for that one access; `v.value += 1` is therefore two accesses and NOT atomic,
 * as in Python: use `v.withLock(() => { v.value += 1 })`, or `v.add(1)` for integer types.
 */
export class Synchronized<C extends TypecodeOrType = TypecodeOrType> extends SynchronizedBase<CValue<C>> {
  /** The value, under the lock. */
  get value(): ElementOf<C> {
    this.lock.acquire();
    try {
      return this.obj.value;
    } finally {
      this.lock.release();
    }
  }

  set value(value: InputOf<C>) {
    this.lock.acquire();
    try {
      this.obj.value = value;
    } finally {
      this.lock.release();
    }
  }

  /** Atomic add without the lock; see `CValue.add`. */
  add(delta: InputOf<C>): ElementOf<C> {
    return this.obj.add(delta);
  }

  /** Atomic compare-and-exchange without the lock; see `CValue.compareExchange`. */
  compareExchange(expected: InputOf<C>, replacement: InputOf<C>): ElementOf<C> {
    return this.obj.compareExchange(expected, replacement);
  }

}

/**
 * Python's `lock=` rules, checked before any shared memory is made, so a refused option leaves
 * no segment behind.
 */
export function checkLockOption(lock: unknown): void {
  if (lock === undefined || lock === null || typeof lock === 'boolean') return;
  if (lock instanceof Lock || lock instanceof RLock) return;
  if (typeof (lock as { acquire?: unknown }).acquire === 'function') {
    throw new TypeError(messages.notOurLock(pyTypeName(lock)));
  }
  throw new AttributeError(messages.noAcquire(String(lock)));
}

/** The lock a `lock=` option already checked by `checkLockOption` stands for; `undefined`: none. */
export function resolveLock(lock: unknown, segment: Segment): Lock | RLock | undefined {
  if (lock === false) return undefined;
  if (lock instanceof Lock || lock instanceof RLock) return lock;
  return ownRLock(segment);
}

/**
 * Python's `RawValue(typecode_or_type, init)`: a value in shared memory with no lock.
 * `typecode_or_type` is a typecode (`'i'`, `'d'`...) or a ctypes/C name (`c_int`, `'double'`).
 */
export function RawValue<C extends TypecodeOrType>(typecodeOrType: C, init?: InputOf<C>): CValue<C> {
  const ctype = ctypeOf(typecodeOrType);
  const segment = createSegment(ctype.size);
  const value = new CValue<C>(segment, DATA_OFFSET, ctype);
  if (init !== undefined) value.value = init;
  return value;
}

/**
 * Python's `Value(typecode_or_type, init, lock=True)`: a value in shared memory with a lock
 * (a new RLock by default); `{ lock: false }` returns the raw value.
 */
export function Value<C extends TypecodeOrType>(typecodeOrType: C, init: InputOf<C> | undefined,
  options: SynchronizedOptions<false>): CValue<C>;
export function Value<C extends TypecodeOrType>(typecodeOrType: C, init?: InputOf<C>,
  options?: SynchronizedOptions<true | null | undefined | Lock | RLock>): Synchronized<C>;
export function Value<C extends TypecodeOrType>(typecodeOrType: C, init?: InputOf<C>,
  options?: SynchronizedOptions): Synchronized<C> | CValue<C>;
export function Value<C extends TypecodeOrType>(typecodeOrType: C, init?: InputOf<C>,
  options: SynchronizedOptions = {}): Synchronized<C> | CValue<C> {
  checkLockOption(options.lock);
  const obj = RawValue(typecodeOrType, init);
  const lock = resolveLock(options.lock, obj.segment);
  return lock === undefined ? obj : new Synchronized(obj, lock);
}
