import {
  messages,
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
    private readonly code: unknown,
    value: unknown = 0,
  ) {
    this.typecode = findTypecode(code);
    this.value = this.typecode ? coerce(this.typecode, value) : value;
  }

  static readonly exposed = valueMethods;

  get(): unknown {
    return this.value;
  }

  set(value: unknown): void {
    this.value = this.typecode ? coerce(this.typecode, value) : value;
  }

  /**
   * Adds `delta` in one step and returns the new value: the cure for the race in
   * `v.set(await v.get() + 1)`, which loses updates when processes interleave. The typecode is
   * honoured as `set` honours it.
   */
  add(delta: unknown): unknown {
    const current = this.value;
    let sum: unknown;
    if (typeof current === 'bigint' && (typeof delta === 'bigint' || Number.isInteger(delta))) {
      sum = current + BigInt(delta as number | bigint);
    } else if (typeof current === 'number' && typeof delta === 'number') {
      sum = current + delta;
    } else if (typeof current === 'number' && typeof delta === 'bigint' && this.typecode?.kind !== 'float') {
      sum = BigInt(current) + delta;
    } else {
      throw new TypeError(messages.unsupportedOperands('+=', pyTypeName(current), pyTypeName(delta)));
    }
    this.value = this.typecode ? coerce(this.typecode, sum) : sum;
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
