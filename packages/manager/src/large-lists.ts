/** Lists and arrays of any size in the manager: how large they may grow, and copying without spreading. */
export { checkItemCount, maxItems } from '@mpts/proxy/wire';

/**
 * Appends `source` to `target` item by item: `target.push(...source)` passes every item as an
 * argument and overflows the stack past about 100,000 items.
 */
export function pushAll(target: unknown[], source: ArrayLike<unknown>, start = 0, end = source.length): void {
  for (let i = start; i < end; i++) target.push(source[i]);
}
