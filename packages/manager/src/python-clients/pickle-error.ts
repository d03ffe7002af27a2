/**
 * A pickle the manager refuses: malformed, beyond its limits, or naming a global outside the
 * allowlist. Python's `pickle.UnpicklingError` is the same kind of failure.
 */
export class UnpicklingError extends Error {
  override readonly name = 'UnpicklingError';
}

/** A value that has no pickle the manager may send (Python's `PicklingError`). */
export class PicklingError extends TypeError {
  override readonly name = 'TypeError';
}
