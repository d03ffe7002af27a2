import { BaseProxy } from '../base-proxy.js';

/**
 * A shared `array.array` in the manager (Python's `ArrayProxy`): a fixed-type sequence whose
 * typecode is honoured, so values out of range are an `OverflowError`. Items are numbers,
 * bigints for the 64-bit integer codes, or one-character strings for `'u'`.
 */
export class ArrayProxy<T extends number | bigint | string = number> extends BaseProxy {
  len(): Promise<number> {
    return this.callMethod('len') as Promise<number>;
  }

  getItem(index: number): Promise<T> {
    return this.callMethod('getItem', [index]) as Promise<T>;
  }

  setItem(index: number, value: T): Promise<void> {
    return this.callMethod('setItem', [index, value]) as Promise<void>;
  }

  /** `a[start:stop:step]`, as a new array of values. */
  getSlice(start?: number | null, stop?: number | null, step?: number | null): Promise<T[]> {
    return this.callMethod('getSlice', [start ?? null, stop ?? null, step ?? null]) as Promise<T[]>;
  }

  /** A snapshot of every item. */
  copy(): Promise<T[]> {
    return this.getSlice();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this.copy();
  }
}
