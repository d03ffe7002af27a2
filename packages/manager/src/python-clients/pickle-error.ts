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

/**
 * A pickle naming a global the manager does not rebuild (a function, a datetime, a user
 * class): a value mpts cannot hold. A Python client gets it as a `TypeError`.
 */
export class UnsupportedGlobalError extends UnpicklingError {
  // The class stays an UnpicklingError for mpts; the name is what Python raises.
  override readonly name = 'TypeError' as 'UnpicklingError';
}
