/**
 * The facts of Python's C typecodes, written once: width, signedness, range, the typed array
 * that stores them, and which JS type holds a value. A manager's `value`/`array` (which raise
 * Python's `OverflowError` out of range) and shared memory's `Value`/`Array` (which wrap
 * around as C does) apply their own rules on top of these.
 *
 * Widths are Linux's (LP64), as mpts's shared memory runs there: `l` and `L` are 8 bytes.
 */
export type Typecode = 'c' | 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd';

/** A typed array of any element type. */
export type TypedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array |
  Uint32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

/** The constructor of a typed array: zeroed of a length, or a view over a buffer. */
export interface TypedArrayConstructor {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray;
}

export interface TypecodeFacts {
  readonly code: Typecode;
  /** ctypes' name for it, e.g. `c_int`. */
  readonly name: string;
  /** Its width in bytes. */
  readonly size: number;
  /**
   * What a JS value of it is: `'char'` a byte (Python's one-byte `bytes`), `'int'` an integer
   * `number`, `'bigint'` a `bigint` (the 64-bit codes, past `Number.MAX_SAFE_INTEGER`),
   * `'float'` a `number`.
   */
  readonly kind: 'char' | 'int' | 'bigint' | 'float';
  readonly signed: boolean;
  /** The smallest value it holds; none for a float. */
  readonly min?: bigint;
  /** The largest value it holds; none for a float. */
  readonly max?: bigint;
  /** The typed array that stores it. */
  readonly View: TypedArrayConstructor;
}

function integer(code: Typecode, name: string, size: number, signed: boolean,
  View: TypedArrayConstructor): TypecodeFacts {
  const bits = BigInt(size * 8);
  return {
    code,
    name,
    size,
    kind: size === 8 ? 'bigint' : 'int',
    signed,
    min: signed ? -(1n << (bits - 1n)) : 0n,
    max: signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n,
    View,
  };
}

function float(code: Typecode, name: string, size: number, View: TypedArrayConstructor): TypecodeFacts {
  return { code, name, size, kind: 'float', signed: true, View };
}

export const typecodeFacts: Readonly<Record<Typecode, TypecodeFacts>> = {
  c: { ...integer('c', 'c_char', 1, false, Uint8Array), kind: 'char' },
  b: integer('b', 'c_byte', 1, true, Int8Array),
  B: integer('B', 'c_ubyte', 1, false, Uint8Array),
  h: integer('h', 'c_short', 2, true, Int16Array),
  H: integer('H', 'c_ushort', 2, false, Uint16Array),
  i: integer('i', 'c_int', 4, true, Int32Array),
  I: integer('I', 'c_uint', 4, false, Uint32Array),
  l: integer('l', 'c_long', 8, true, BigInt64Array),
  L: integer('L', 'c_ulong', 8, false, BigUint64Array),
  q: integer('q', 'c_longlong', 8, true, BigInt64Array),
  Q: integer('Q', 'c_ulonglong', 8, false, BigUint64Array),
  f: float('f', 'c_float', 4, Float32Array),
  d: float('d', 'c_double', 8, Float64Array),
};

/** Whether `code` is one of the typecodes above. */
export function isTypecode(code: unknown): code is Typecode {
  return typeof code === 'string' && Object.hasOwn(typecodeFacts, code);
}
