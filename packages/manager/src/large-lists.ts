/** Lists and arrays of any size in the manager: how large they may grow, and copying without spreading. */
import { MemoryError, messages } from '@mpts/proxy/wire';

/**
 * The most items a list or an array in the manager may hold: 2**26 (67,108,864). V8 cannot
 * make a JavaScript array much longer than 2**27 (past that it throws, or aborts the whole
 * process), a copy such as `l * n` needs room for both, and no 64 MiB frame could carry more.
 * Where Python raises `MemoryError` for a list it cannot allocate, mpts raises it past this.
 */
export const maxItems = 2 ** 26;

/** Refuses, with a `MemoryError`, to make `what` ('a list') of `count` items past `maxItems`. */
export function checkItemCount(what: string, count: number | bigint): void {
  if (count > maxItems) throw new MemoryError(messages.tooManyItems(what, count, maxItems));
}

/**
 * Appends `source` to `target` item by item: `target.push(...source)` passes every item as an
 * argument and overflows the stack past about 100,000 items.
 */
export function pushAll(target: unknown[], source: ArrayLike<unknown>, start = 0, end = source.length): void {
  for (let i = start; i < end; i++) target.push(source[i]);
}
