/**
 * How Python values that mpts's own values cannot tell apart are kept apart on their way
 * through a manager that serves Python clients.
 *
 * mpts stores a Python tuple and a list alike as a JS array. The pickle decoder marks each
 * array it made from a tuple (a private mark, see `Stamp`), and the servants keep the very
 * array they were given, so a tuple key stored by one Python client comes back to another as a
 * tuple.
 */

/**
 * Marks an object by giving it a class's private field: a class whose base constructor returns
 * the object it is given stamps that object. The mark is invisible to every reflection (keys,
 * equality, the codec) and, unlike a WeakSet entry, costs the garbage collector nothing.
 */
class Stamp {
  constructor(target: object) {
    return target;
  }
}

class TupleMark extends Stamp {
  #tuple = true;
  static has(value: object): boolean {
    return #tuple in value;
  }
}

/** `items` as a tuple: the array is returned, marked. */
export function asTuple<T extends unknown[]>(items: T): T {
  if (!TupleMark.has(items)) new TupleMark(items);
  return items;
}

export function isTuple(value: unknown): value is unknown[] {
  return Array.isArray(value) && TupleMark.has(value);
}

/**
 * A `multiprocessing.managers.Token` as Python sends or receives it: what type, which server
 * address (a `(host, port)` tuple or a socket path), which object (CPython's ids are strings).
 */
export class PythonToken {
  // Not readonly: a pickled Token is made empty and then given its state (BUILD).
  constructor(
    public typeid: string,
    public address: unknown,
    public id: string,
  ) {}
}

/**
 * A proxy a Python client sent (pickled by `BaseProxy.__reduce__` as a call of `RebuildProxy`):
 * only its token matters to the manager.
 */
export class PythonProxyRef {
  constructor(readonly token: PythonToken) {}
}

/** An exception to be rebuilt on the Python side as the class `module.name` with `args`. */
export class PythonException {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly args: readonly unknown[],
  ) {}
}

/** A Python `slice` (what `l[1:3]` sends), as its three parts (None → null). */
export interface PythonSlice {
  readonly start: unknown;
  readonly stop: unknown;
  readonly step: unknown;
}

const slices = new WeakSet<object>();

export function pythonSlice(start: unknown, stop: unknown, step: unknown): PythonSlice {
  const slice = { start, stop, step };
  slices.add(slice);
  return slice;
}

export function isPythonSlice(value: unknown): value is PythonSlice {
  return typeof value === 'object' && value !== null && slices.has(value);
}

class FrozenSetMark extends Stamp {
  #frozen = true;
  static has(value: object): boolean {
    return #frozen in value;
  }
}

/** `items` as a frozenset: the set is returned, marked (as tuples are). */
export function asFrozenSet<T extends Set<unknown>>(items: T): T {
  if (!FrozenSetMark.has(items)) new FrozenSetMark(items);
  return items;
}

export function isFrozenSet(value: unknown): value is Set<unknown> {
  return value instanceof Set && FrozenSetMark.has(value);
}

/**
 * An `array.array` for a Python client: what CPython's manager replies for a slice of a shared
 * `Array` or its `_getvalue()`. Pickled as `array.array(typecode, [items])`, the form CPython
 * itself writes for protocols before 3.
 */
export class PythonArray {
  constructor(
    readonly typecode: string,
    readonly items: readonly unknown[],
  ) {}
}
