import { messages, pythonRepr, ValueError } from '@mpts/proxy/wire';
import { resolveIndex, resolveSlice, sliceIndices } from '../python-slice.js';
import type { Servant } from '../servant.js';
import { coerce, findTypecode, type Typecode } from '../typecodes.js';

/**
 * A manager's `Array(typecode, sequence)`: Python's `array.array` behind `ArrayProxy`, stored
 * in a typed array of the typecode's width.
 */
export class ArrayServant implements Servant {
  private readonly typecode: Typecode;
  private readonly items: ArrayLike<number | bigint> & { [index: number]: number | bigint };

  constructor(code: unknown, init: unknown = []) {
    const typecode = findTypecode(code);
    if (typecode === undefined) throw new ValueError(messages.badTypecode);
    this.typecode = typecode;
    const values = typeof init === 'number' ? new Array<number>(init).fill(0) : Array.from(init as Iterable<unknown>);
    this.items = new typecode.storage(values.length);
    values.forEach((value, index) => {
      this.items[index] = coerce(typecode, value);
    });
  }

  static readonly exposed = ['len', 'getItem', 'setItem', 'getSlice'] as const;

  len(): number {
    return this.items.length;
  }

  getItem(index: unknown): number | bigint {
    checkIndex(index);
    return this.items[resolveIndex(this.items.length, index, messages.arrayIndexOutOfRange, 'array')]!;
  }

  setItem(index: unknown, value: unknown): void {
    checkIndex(index);
    const at = resolveIndex(this.items.length, index, messages.arrayAssignmentIndexOutOfRange, 'array');
    this.items[at] = coerce(this.typecode, value);
  }

  getSlice(start: unknown, stop: unknown, step: unknown): (number | bigint)[] {
    return Array.from(sliceIndices(resolveSlice(this.items.length, start, stop, step)), (i) => this.items[i]!);
  }

  getValue(): (number | bigint)[] {
    return Array.from(this.items);
  }

  str(): string {
    return `array(${pythonRepr(this.typecode.code)}, ${pythonRepr(this.getValue())})`;
  }
}

function checkIndex(index: unknown): void {
  if (typeof index === 'bigint' || (typeof index === 'number' && Number.isInteger(index))) return;
  throw new TypeError('array indices must be integers');
}
