import { MemoryError, messages } from './errors.js';

/**
 * The most items a list or an array may hold on any backend: 2**26 (67,108,864). V8 cannot
 * make a JavaScript array much longer than 2**27 (past that it throws, or aborts the whole
 * process), a copy such as `l * n` needs room for both, and no 64 MiB frame could carry more.
 * Where Python raises `MemoryError` for a list it cannot allocate, mpts raises it past this.
 */
export const maxItems = 2 ** 26;

/** Refuses, with a `MemoryError`, to make `what` ('a list') of `count` items past `maxItems`. */
export function checkItemCount(what: string, count: number | bigint): void {
  if (count > maxItems) throw new MemoryError(messages.tooManyItems(what, count, maxItems));
}
