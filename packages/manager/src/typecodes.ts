import { OverflowError, messages } from '@mpts/proxy/wire';
import { pyTypeName } from './python-compare.js';

/**
 * The typecodes of Python's `array` module (Linux widths: `l`/`L` are 8 bytes), for a
 * manager's `value` and `array`. Python's manager ignores the typecode; mpts keeps values in
 * range the way `array.array` does, raising `OverflowError` with its messages.
 */
export interface Typecode {
  readonly code: string;
  readonly kind: 'int' | 'bigint' | 'float';
  readonly storage: new (length: number) => ArrayLike<number | bigint> & { [index: number]: number | bigint };
  readonly min?: bigint;
  readonly max?: bigint;
  readonly tooSmall?: string;
  readonly tooLarge?: string;
  /** The wider code Python parses the value as first ('b' as a short, 'H' as an int), whose range and messages apply first. */
  readonly parsedAs?: string;
}

const int = (
  code: string, storage: Typecode['storage'], bits: number, signed: boolean, tooSmall: string, tooLarge: string,
  parsedAs?: string,
): Typecode => ({
  parsedAs,
  code,
  kind: bits === 64 ? 'bigint' : 'int',
  storage,
  min: signed ? -(1n << BigInt(bits - 1)) : 0n,
  max: signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n,
  tooSmall,
  tooLarge,
});

const table = new Map<string, Typecode>([
  ['b', int('b', Int8Array, 8, true, 'signed char is less than minimum', 'signed char is greater than maximum', 'h')],
  ['B', int('B', Uint8Array, 8, false, 'unsigned byte integer is less than minimum', 'unsigned byte integer is greater than maximum')],
  ['h', int('h', Int16Array, 16, true, 'signed short integer is less than minimum', 'signed short integer is greater than maximum')],
  ['H', int('H', Uint16Array, 16, false, 'unsigned short is less than minimum', 'unsigned short is greater than maximum', 'i')],
  ['i', int('i', Int32Array, 32, true, 'signed integer is less than minimum', 'signed integer is greater than maximum')],
  ['I', int('I', Uint32Array, 32, false, "can't convert negative value to unsigned int", 'unsigned int is greater than maximum')],
  ['l', int('l', BigInt64Array, 64, true, 'Python int too large to convert to C long', 'Python int too large to convert to C long')],
  ['L', int('L', BigUint64Array, 64, false, "can't convert negative value to unsigned int", 'Python int too large to convert to C unsigned long')],
  ['q', int('q', BigInt64Array, 64, true, 'int too big to convert', 'int too big to convert')],
  ['Q', int('Q', BigUint64Array, 64, false, "can't convert negative int to unsigned", 'int too big to convert')],
  ['f', { code: 'f', kind: 'float', storage: Float32Array }],
  ['d', { code: 'd', kind: 'float', storage: Float64Array }],
]);

const cLongMin = -(1n << 63n);
const cLongMax = (1n << 63n) - 1n;
const cUnsignedLongMax = (1n << 64n) - 1n;

/** The typecode, or undefined for a code `array` does not know. */
export function findTypecode(code: unknown): Typecode | undefined {
  return typeof code === 'string' ? table.get(code) : undefined;
}

/** `value` checked against the typecode, as the storage holds it (a bigint for 64-bit codes). */
export function coerce(typecode: Typecode, value: unknown): number | bigint {
  if (typecode.kind === 'float') {
    if (typeof value === 'number') return value;
    if (typeof value === 'bigint' || typeof value === 'boolean') return Number(value);
    throw new TypeError(messages.floatExpected(pyTypeName(value)));
  }
  let integer: bigint;
  if (typeof value === 'bigint') integer = value;
  else if (typeof value === 'boolean') integer = value ? 1n : 0n;
  else if (typeof value === 'number' && Number.isInteger(value)) integer = BigInt(value);
  else throw new TypeError(messages.integerExpected(pyTypeName(value)));
  // Python first converts to a C long (unsigned long for 'I'), then checks the code's range.
  if (typecode.kind === 'int' && (integer < cLongMin || integer > (typecode.code === 'I' ? cUnsignedLongMax : cLongMax))) {
    throw new OverflowError(typecode.code === 'I' && integer > 0n
      ? 'Python int too large to convert to C unsigned long'
      : typecode.code === 'I' ? typecode.tooSmall : 'Python int too large to convert to C long');
  }
  const parsed = typecode.parsedAs === undefined ? undefined : table.get(typecode.parsedAs)!;
  if (parsed !== undefined && integer < parsed.min!) throw new OverflowError(parsed.tooSmall);
  if (parsed !== undefined && integer > parsed.max!) throw new OverflowError(parsed.tooLarge);
  if (integer < typecode.min!) throw new OverflowError(typecode.tooSmall);
  if (integer > typecode.max!) throw new OverflowError(typecode.tooLarge);
  return typecode.kind === 'bigint' ? integer : Number(integer);
}
