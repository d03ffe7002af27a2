import { IndexError, messages, ValueError } from './errors.js';
import { fitsSsize } from './python-ssize.js';
import { pyTypeName } from './python-type-name.js';

/** A slice resolved against a length, as Python's `slice.indices()` does it. */
export interface ResolvedSlice {
  readonly start: number;
  readonly stop: number;
  readonly step: number;
  /** How many items it selects. */
  readonly count: number;
}

export function resolveSlice(length: number, start: unknown, stop: unknown, step: unknown): ResolvedSlice {
  const s = step === null || step === undefined ? 1 : sliceInteger(step);
  if (s === 0) throw new ValueError(messages.sliceStepZero);
  const lower = s < 0 ? -1 : 0;
  const upper = s < 0 ? length - 1 : length;
  const clamp = (value: unknown, fallback: number) => {
    if (value === null || value === undefined) return fallback;
    let index = sliceInteger(value);
    if (index < 0) {
      index += length;
      if (index < lower) index = lower;
    } else if (index > upper) {
      index = upper;
    }
    return index;
  };
  const b = clamp(start, s < 0 ? upper : lower);
  const e = clamp(stop, s < 0 ? lower : upper);
  let count = 0;
  if (s < 0 ? e < b : b < e) count = Math.floor((Math.abs(e - b) - 1) / Math.abs(s)) + 1;
  return { start: b, stop: e, step: s, count };
}

/** The indices a resolved slice selects, in order. */
export function* sliceIndices(slice: ResolvedSlice): Generator<number> {
  for (let i = 0, index = slice.start; i < slice.count; i++, index += slice.step) yield index;
}

/** A list index checked and made non-negative, or an `IndexError` with `outOfRange`. */
export function resolveIndex(length: number, index: unknown, outOfRange: string, container = 'list'): number {
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    // As in Python, a bool is an int: l[True] is l[1].
    if (typeof index === 'boolean') return resolveIndex(length, Number(index), outOfRange, container);
    if (typeof index === 'bigint') {
      // Python refuses an index past a C ssize_t before it looks at the length.
      if (!fitsSsize(index)) throw new IndexError(messages.indexSizedInteger);
      return resolveIndex(length, Number(index), outOfRange, container);
    }
    throw new TypeError(messages.indicesNotIntegersOrSlices(container, pyTypeName(index)));
  }
  const resolved = index < 0 ? index + length : index;
  if (resolved < 0 || resolved >= length) throw new IndexError(outOfRange);
  return resolved;
}

function sliceInteger(value: unknown): number {
  if (typeof value === 'bigint' || typeof value === 'boolean') return Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(messages.sliceIndicesNotIntegers);
  }
  return value;
}
