import { OverflowError } from './errors.js';
import { asPythonFloat, asPythonInt } from './python-numbers.js';
import { typecodeFacts, type TypecodeFacts } from './typecode-facts.js';

/**
 * The typecodes of Python's `array` module, for `value` and `array` on every backend (the
 * manager's servants, Redis): the facts of
 * each C type (`typecodeFacts`) and the messages of its range check. Python's manager ignores
 * the typecode; mpts keeps values in range the way `array.array` does, raising `OverflowError`
 * with its messages.
 */
export interface RangedTypecode extends TypecodeFacts {
  readonly kind: 'int' | 'bigint' | 'float';
  readonly tooSmall?: string;
  readonly tooLarge?: string;
  /** The wider code Python parses the value as first ('b' as a short, 'H' as an int), whose range and messages apply first. */
  readonly parsedAs?: string;
}

const int = (code: 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q', tooSmall: string,
  tooLarge: string, parsedAs?: string): RangedTypecode => ({
  ...typecodeFacts[code],
  kind: typecodeFacts[code].kind === 'bigint' ? 'bigint' : 'int',
  tooSmall,
  tooLarge,
  parsedAs,
});

const table = new Map<string, RangedTypecode>([
  ['b', int('b', 'signed char is less than minimum', 'signed char is greater than maximum', 'h')],
  ['B', int('B', 'unsigned byte integer is less than minimum', 'unsigned byte integer is greater than maximum')],
  ['h', int('h', 'signed short integer is less than minimum', 'signed short integer is greater than maximum')],
  ['H', int('H', 'unsigned short is less than minimum', 'unsigned short is greater than maximum', 'i')],
  ['i', int('i', 'signed integer is less than minimum', 'signed integer is greater than maximum')],
  ['I', int('I', "can't convert negative value to unsigned int", 'unsigned int is greater than maximum')],
  ['l', int('l', 'Python int too large to convert to C long', 'Python int too large to convert to C long')],
  ['L', int('L', "can't convert negative value to unsigned int", 'Python int too large to convert to C unsigned long')],
  ['q', int('q', 'int too big to convert', 'int too big to convert')],
  ['Q', int('Q', "can't convert negative int to unsigned", 'int too big to convert')],
  ['f', { ...typecodeFacts.f, kind: 'float' }],
  ['d', { ...typecodeFacts.d, kind: 'float' }],
]);

const cLongMin = typecodeFacts.l.min!;
const cLongMax = typecodeFacts.l.max!;
const cUnsignedLongMax = typecodeFacts.L.max!;

/** The typecode, or undefined for a code `array` does not know. */
export function findRangedTypecode(code: unknown): RangedTypecode | undefined {
  return typeof code === 'string' ? table.get(code) : undefined;
}

/** `value` checked against the typecode, as the storage holds it (a bigint for 64-bit codes). */
export function coerceToTypecode(typecode: RangedTypecode, value: unknown): number | bigint {
  if (typecode.kind === 'float') return asPythonFloat(value);
  const integer = asPythonInt(value);
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
