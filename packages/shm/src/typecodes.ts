import {
  asPythonFloat,
  asPythonInt,
  floatRepr,
  isTypecode,
  messages,
  pythonRepr,
  type Typecode,
  typecodeFacts,
  type TypecodeFacts,
  type TypedArray,
} from '@mpts/proxy/wire';

/** Python's typecodes for shared memory, with their Linux (LP64) widths. */
export type { Typecode } from '@mpts/proxy/wire';

/** ctypes type names, as `ctypes.c_int` and friends, accepted wherever a typecode is. */
export type CTypeName =
  | 'c_char' | 'c_byte' | 'c_ubyte' | 'c_short' | 'c_ushort' | 'c_int' | 'c_uint' | 'c_long'
  | 'c_ulong' | 'c_longlong' | 'c_ulonglong' | 'c_float' | 'c_double'
  | 'c_int8' | 'c_uint8' | 'c_int16' | 'c_uint16' | 'c_int32' | 'c_uint32' | 'c_int64'
  | 'c_uint64' | 'c_size_t' | 'c_ssize_t';

/** C type names, as they are spelt in C. */
export type CName =
  | 'char' | 'signed char' | 'unsigned char' | 'byte' | 'ubyte' | 'short' | 'unsigned short'
  | 'int' | 'unsigned int' | 'unsigned' | 'long' | 'unsigned long' | 'long long'
  | 'unsigned long long' | 'float' | 'double';

/** Anything that names a shared-memory type: a typecode, a ctypes name or a C name. */
export type TypecodeOrType = Typecode | CTypeName | CName;

type BigCode = 'l' | 'L' | 'q' | 'Q' | 'c_long' | 'c_ulong' | 'c_longlong' | 'c_ulonglong' |
  'c_int64' | 'c_uint64' | 'c_size_t' | 'c_ssize_t' | 'long' | 'unsigned long' | 'long long' |
  'unsigned long long';
type CharCode = 'c' | 'c_char' | 'char';

/**
 * What reading an object of this type gives: `bigint` for 64-bit integers, a one-byte `Buffer`
 * for `'c'` (Python's `bytes` of length 1), `number` for the rest.
 */
export type ElementOf<C extends TypecodeOrType> =
  C extends BigCode ? bigint : C extends CharCode ? Buffer : number;

/** What may be written to an object of this type (Python's rules, below). */
export type InputOf<C extends TypecodeOrType> =
  C extends BigCode ? bigint | number | boolean :
  C extends CharCode ? Uint8Array | number :
  number | bigint | boolean;

/** One C type: its code, its ctypes name, its width, and how JS values are stored in it. */
export type CType = TypecodeFacts;

const aliases: Record<string, Typecode> = Object.assign(Object.create(null) as object, <Record<string, Typecode>>{
  c_char: 'c', char: 'c',
  c_byte: 'b', c_int8: 'b', 'signed char': 'b', byte: 'b',
  c_ubyte: 'B', c_uint8: 'B', 'unsigned char': 'B', ubyte: 'B',
  c_short: 'h', c_int16: 'h', short: 'h',
  c_ushort: 'H', c_uint16: 'H', 'unsigned short': 'H',
  c_int: 'i', c_int32: 'i', int: 'i',
  c_uint: 'I', c_uint32: 'I', 'unsigned int': 'I', unsigned: 'I',
  c_long: 'l', long: 'l', c_ssize_t: 'l',
  c_ulong: 'L', 'unsigned long': 'L', c_size_t: 'L',
  c_longlong: 'q', c_int64: 'q', 'long long': 'q',
  c_ulonglong: 'Q', c_uint64: 'Q', 'unsigned long long': 'Q',
  c_float: 'f', float: 'f',
  c_double: 'd', double: 'd',
});

/** The ctypes type a typecode or type name stands for; Python's TypeError for anything else. */
export function ctypeOf(typecodeOrType: unknown): CType {
  if (typeof typecodeOrType === 'string') {
    if (isTypecode(typecodeOrType)) return typecodeFacts[typecodeOrType];
    const code = aliases[typecodeOrType];
    if (code !== undefined) {
      // c_long and c_longlong are the same width on Linux but keep their own names.
      const base = typecodeFacts[code];
      return typecodeOrType.startsWith('c_') && typecodeOrType !== base.name
        ? { ...base, name: typecodeOrType }
        : base;
    }
  }
  throw new TypeError(messages.noSize);
}

/**
 * Converts a JS value to what the type's view stores, with Python's TypeErrors. Integers wrap
 * as in C (two's complement): the typed array's store truncates numbers, and bigints are
 * truncated here.
 */
export function toStored(ctype: CType, value: unknown): number | bigint {
  switch (ctype.kind) {
    case 'int':
      // A whole number is stored as it is, the hot path; the rest is truncated to 32 bits.
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      return Number(BigInt.asUintN(32, asPythonInt(value)));
    case 'bigint':
      return asPythonInt(value);
    case 'float':
      return asPythonFloat(value);
    case 'char':
      if (value instanceof Uint8Array && value.length === 1) return value[0]!;
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 256) {
        return value;
      }
      if (typeof value === 'boolean') return value ? 1 : 0;
      throw new TypeError(messages.charExpected);
  }
}

/** What reading a stored value gives: a one-byte Buffer for 'c', the number or bigint else. */
export function fromStored(ctype: CType, stored: number | bigint): unknown {
  return ctype.kind === 'char' ? Buffer.from([stored as number]) : stored;
}

/** The typed array over `length` elements at `byteOffset`. */
export function viewOf(ctype: CType, sab: SharedArrayBuffer | ArrayBuffer, byteOffset: number,
  length: number): TypedArray {
  return new ctype.View(sab, byteOffset, length);
}

/** Python's repr of one element, for `repr`-like strings. */
export function reprElement(ctype: CType, stored: number | bigint): string {
  if (ctype.kind === 'char') return pythonRepr(Buffer.from([stored as number]));
  if (ctype.kind === 'float') return floatRepr(stored as number);
  return String(stored);
}

/** Exported ctypes names, so `Value(c_int, 3)` reads as in Python. */
export const c_char = 'c_char' as const;
export const c_byte = 'c_byte' as const;
export const c_ubyte = 'c_ubyte' as const;
export const c_short = 'c_short' as const;
export const c_ushort = 'c_ushort' as const;
export const c_int = 'c_int' as const;
export const c_uint = 'c_uint' as const;
export const c_long = 'c_long' as const;
export const c_ulong = 'c_ulong' as const;
export const c_longlong = 'c_longlong' as const;
export const c_ulonglong = 'c_ulonglong' as const;
export const c_float = 'c_float' as const;
export const c_double = 'c_double' as const;
export const c_int8 = 'c_int8' as const;
export const c_uint8 = 'c_uint8' as const;
export const c_int16 = 'c_int16' as const;
export const c_uint16 = 'c_uint16' as const;
export const c_int32 = 'c_int32' as const;
export const c_uint32 = 'c_uint32' as const;
export const c_int64 = 'c_int64' as const;
export const c_uint64 = 'c_uint64' as const;
export const c_size_t = 'c_size_t' as const;
export const c_ssize_t = 'c_ssize_t' as const;
