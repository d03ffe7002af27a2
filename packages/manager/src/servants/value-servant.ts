import {
  messages,
  PythonFloat,
  pythonRepr,
  pythonReprPreview,
  pyTypeName,
  valueMethods,
} from '@mpts/proxy/wire';
import type { Servant } from '../servant.js';
import { coerce, findTypecode, type Typecode } from '../typecodes.js';

/**
 * A manager's `Value(typecode, value)`, served to `ValueProxy`. A numeric typecode of Python's
 * `array` module is honoured (an `OverflowError` for an int out of range, a `TypeError` for a
 * wrong type); any other typecode (`'c_char_p'`, `'u'`...) holds any value, as Python does.
 */
export class ValueServant implements Servant {
  private readonly typecode: Typecode | undefined;
  private value: unknown;

  constructor(
    readonly code: unknown,
    value: unknown = 0,
  ) {
    this.typecode = findTypecode(code);
    this.value = this.honour(value);
  }

  /** `value` checked against the typecode; a Python client's whole float stays one, as in CPython. */
  private honour(value: unknown): unknown {
    if (this.typecode === undefined) return value;
    const coerced = coerce(this.typecode, value);
    return value instanceof PythonFloat && this.typecode.kind === 'float' ? value : coerced;
  }

  static readonly exposed = valueMethods;

  get(): unknown {
    return this.value;
  }

  set(value: unknown): void {
    this.value = this.honour(value);
  }

  /**
   * Adds `delta` in one step and returns the new value: the cure for the race in
   * `v.set(await v.get() + 1)`, which loses updates when processes interleave. The typecode is
   * honoured as `set` honours it.
   */
  add(delta: unknown): unknown {
    const float = this.value instanceof PythonFloat || this.typecode?.kind === 'float';
    const current = this.value instanceof PythonFloat ? this.value.value : this.value;
    let sum: unknown;
    if (typeof current === 'bigint' && (typeof delta === 'bigint' || Number.isInteger(delta))) {
      sum = current + BigInt(delta as number | bigint);
    } else if (typeof current === 'number' && typeof delta === 'number') {
      sum = current + delta;
    } else if (typeof current === 'number' && typeof delta === 'bigint' && !float) {
      sum = BigInt(current) + delta;
    } else {
      throw new TypeError(messages.unsupportedOperands('+=', pyTypeName(current), pyTypeName(delta)));
    }
    // A float plus a number is a float, in Python: 2.0 + 1 is 3.0.
    if (this.value instanceof PythonFloat && typeof sum === 'number') sum = PythonFloat.of(sum);
    this.value = this.honour(sum);
    return this.value;
  }

  getValue(): unknown {
    return this.value;
  }

  /** `Value('i', 5)`; with `limit`, only its first `limit` characters (a preview). */
  str(limit?: number): string {
    const prefix = `Value(${pythonRepr(this.code)}, `;
    if (limit === undefined) return `${prefix}${pythonRepr(this.value)})`;
    return `${prefix}${pythonReprPreview(this.value, limit - prefix.length)})`.slice(0, limit);
  }
}
