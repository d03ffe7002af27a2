import { BaseProxy } from '../base-proxy.js';
import type { ArrayMethod } from '../exposed-methods.js';

/**
 * A shared `array.array` in the manager (Python's `ArrayProxy`): a fixed-type sequence whose
 * typecode is honoured, so values out of range are an `OverflowError`. Items are numbers,
 * bigints for the 64-bit integer codes, or one-character strings for `'u'`.
 */
export class ArrayProxy<T extends number | bigint | string = number> extends BaseProxy<ArrayMethod> {
  len(): Promise<number> {
    return this.callExposed<number>('len');
  }

  getItem(index: number): Promise<T> {
    return this.callExposed<T>('getItem', [index]);
  }

  setItem(index: number, value: T): Promise<void> {
    return this.callExposed<void>('setItem', [index, value]);
  }

  /** `a[start:stop:step]`, as a new array of values. */
  getSlice(start?: number | null, stop?: number | null, step?: number | null): Promise<T[]> {
    return this.callExposed<T[]>('getSlice', [start ?? null, stop ?? null, step ?? null]);
  }

  /** A snapshot of every item. */
  copy(): Promise<T[]> {
    return this.getSlice();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this.copy();
  }
}
