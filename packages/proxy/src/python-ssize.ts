/**
 * Whether an int fits a C `Py_ssize_t` (64 bits), as Python requires of an index, a position or
 * a repeat count before it looks at the value. Which error a misfit raises is the caller's:
 * Python's `list.insert` says OverflowError, a subscript IndexError, `list * n` OverflowError
 * in other words.
 */
export function fitsSsize(value: bigint): boolean {
  return value >= SSIZE_MIN && value <= SSIZE_MAX;
}

const SSIZE_MAX = 2n ** 63n - 1n;
const SSIZE_MIN = -(2n ** 63n);
