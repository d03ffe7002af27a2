import {
  arrayMethods,
  arrayRepr,
  arrayTypecode,
  checkArrayIndex,
  checkArrayLength,
  coerceArrayItem,
  type ArrayItem,
  messages,
  resolveIndex,
  resolveSlice,
  sliceIndices,
} from '@mpts/proxy/wire';
import { checkItemCount } from '../large-lists.js';
import type { Servant } from '../servant.js';
import type { Typecode } from '../typecodes.js';

type Item = ArrayItem;

/**
 * A manager's `Array(typecode, sequence)`: Python's `array.array` behind `ArrayProxy`, stored
 * in a typed array of the typecode's width (`'u'`: one Unicode character per item).
 */
export class ArrayServant implements Servant {
  readonly code: string;
  /** Undefined for `'u'`. */
  private readonly typecode: Typecode | undefined;
  private readonly items: ArrayLike<Item> & { [index: number]: Item };

  constructor(code: unknown, init: unknown = []) {
    const typecode = arrayTypecode(code);
    this.code = code as string;
    this.typecode = typecode;
    if (typeof init === 'number') {
      // A length, as for multiprocessing's Array('i', 10): zeros, written straight to storage.
      const length = checkArrayLength(init);
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
    checkArrayIndex(index);
    return this.items[resolveIndex(this.items.length, index, messages.arrayIndexOutOfRange, 'array')]!;
  }

  setItem(index: unknown, value: unknown): void {
    checkArrayIndex(index);
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
    return coerceArrayItem(this.typecode, value);
  }
}


/** `length` NUL characters, pushed: `new Array(n).fill()` is slow past a few million, then fatal. */
function nulCharacters(length: number): string[] {
  const chars: string[] = [];
  for (let i = 0; i < length; i++) chars.push('\0');
  return chars;
}

