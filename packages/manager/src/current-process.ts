/**
 * What this process is, as Python's `current_process()` knows it: for now, whether it is a
 * daemonic `Process` child, which may not start children of its own.
 *
 * Kept on `globalThis` under a registered symbol: a child may load this package twice (its
 * entry from `src/` under a loader, the user's `@mpts/manager` import from `dist/`), and both
 * copies must agree.
 */
const DAEMONIC = Symbol.for('mpts.process.daemonic');

type WithFlag = typeof globalThis & { [DAEMONIC]?: boolean };

export function isDaemonic(): boolean {
  return (globalThis as WithFlag)[DAEMONIC] === true;
}

export function markDaemonic(): void {
  (globalThis as WithFlag)[DAEMONIC] = true;
}
