/**
 * A Python float whose value is a whole number (`2.0`), kept apart from the int `2`.
 *
 * A JavaScript number cannot tell `2.0` from `2`, and a Python client can: `type()` and `repr()`
 * do. So a manager that serves Python clients stores a whole float a Python client sent as this
 * box, and gives it back to Python as a float. A float with a fraction, `inf`, `nan` and `-0.0`
 * need no box: no int looks like them.
 *
 * mpts's own clients never see one: the codec sends it as a number (extension type
 * `wholeFloat`, read back as a plain `number`). Inside the manager, Python's rules hold for it:
 * it equals and orders as its number (`2.0 == 2`), is one dict key with `2` and `True`'s
 * peers, prints as `2.0`, and is named `float` in errors.
 */
export class PythonFloat {
  constructor(readonly value: number) {}

  /** A Python float as mpts holds it: a whole number boxed, any other number as it is. */
  static of(value: number): number | PythonFloat {
    return Number.isInteger(value) && !Object.is(value, -0) ? new PythonFloat(value) : value;
  }
}

/** The number a value stands for: a `PythonFloat`'s, else the value itself. */
export function unboxFloat<T>(value: T | PythonFloat): T | number {
  return value instanceof PythonFloat ? value.value : value;
}
