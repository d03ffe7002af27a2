import {
  arrayMethods,
  arrayRepr,
  messages,
  pyTypeName,
  resolveIndex,
  resolveSlice,
  sliceIndices,
  ValueError,
} from '@mpts/proxy/wire';
import { checkItemCount } from '../large-lists.js';
import type { Servant } from '../servant.js';
import { coerce, findTypecode, type Typecode } from '../typecodes.js';

type Item = number | bigint | string;

/**
 * A manager's `Array(typecode, sequence)`: Python's `array.array` behind `ArrayProxy`, stored
 * in a typed array of the typecode's width (`'u'`: one Unicode character per item).
 */
export class ArrayServant implements Servant {
  private readonly code: string;
  /** Undefined for `'u'`. */
  private readonly typecode: Typecode | undefined;
  private readonly items: ArrayLike<Item> & { [index: number]: Item };

  constructor(code: unknown, init: unknown = []) {
    const typecode = findTypecode(code);
    if (typecode === undefined && code !== 'u') throw new ValueError(messages.badTypecode);
    this.code = code as string;
    this.typecode = typecode;
    if (typeof init === 'number') {
      // A length, as for multiprocessing's Array('i', 10): zeros, written straight to storage.
      const length = checkLength(init);
      this.items = typecode === undefined ? nulCharacters(length) : new typecode.View(length);
      return;
    }
    const values = Array.from(init as Iterable<unknown>);
    checkItemCount('an array', values.length);
    this.items = typecode === undefined ? new Array<string>(values.length) : new typecode.View(values.length);
    values.forEach((value, index) => {
      this.items[index] = this.coerce(value);
    });
  }

  static readonly exposed = arrayMethods;

  len(): number {
    return this.items.length;
  }

  getItem(index: unknown): Item {
    checkIndex(index);
    return this.items[resolveIndex(this.items.length, index, messages.arrayIndexOutOfRange, 'array')]!;
  }

  setItem(index: unknown, value: unknown): void {
    checkIndex(index);
    const at = resolveIndex(this.items.length, index, messages.arrayAssignmentIndexOutOfRange, 'array');
    this.items[at] = this.coerce(value);
  }

  getSlice(start: unknown, stop: unknown, step: unknown): Item[] {
    return Array.from(sliceIndices(resolveSlice(this.items.length, start, stop, step)), (i) => this.items[i]!);
  }

  getValue(): Item[] {
    return Array.from(this.items);
  }

  /**
   * Python's repr: `array('i', [1, 2])`, `array('u', 'ab')`, `array('d')` when empty. With
   * `limit`, only its first `limit` characters (a preview), from no more items than that.
   */
  str(limit?: number): string {
    return arrayRepr(this.code, this.items, limit);
  }

  private coerce(value: unknown): Item {
    if (this.typecode !== undefined) return coerce(this.typecode, value);
    // 'u' holds one code point (wchar_t is 4 bytes on Linux): '😀' is one, 'ab' is not.
    if (typeof value === 'string' && value.length > 0 && value.length <= 2 && [...value].length === 1) return value;
    throw new TypeError(messages.arrayItemNotCharacter);
  }
}

/** A length for a new array: Python's errors for a float or a negative, `MemoryError` past the limit. */
function checkLength(length: number): number {
  if (!Number.isSafeInteger(length)) throw new TypeError(messages.noLen(pyTypeName(length)));
  if (length < 0) throw new ValueError(messages.arrayLengthNegative(length));
  checkItemCount('an array', length);
  return length;
}

/** `length` NUL characters, pushed: `new Array(n).fill()` is slow past a few million, then fatal. */
function nulCharacters(length: number): string[] {
  const chars: string[] = [];
  for (let i = 0; i < length; i++) chars.push('\0');
  return chars;
}

function checkIndex(index: unknown): void {
  if (typeof index === 'bigint' || (typeof index === 'number' && Number.isInteger(index))) return;
  throw new TypeError(messages.arrayIndicesNotIntegers);
}
