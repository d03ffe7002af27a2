/** Python's `range()`, for examples ported from Python. */
export function* range(start: number, stop?: number, step = 1): Generator<number> {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  for (let i = from; step > 0 ? i < to : i > to; i += step) yield i;
}
