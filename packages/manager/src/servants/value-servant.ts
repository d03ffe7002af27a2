import { pythonRepr } from '@mpts/proxy/wire';
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

  static readonly exposed = ['get', 'set'] as const;

  get(): unknown {
    return this.value;
  }

  set(value: unknown): void {
    this.value = this.typecode ? coerce(this.typecode, value) : value;
  }

  getValue(): unknown {
    return this.value;
  }

  str(): string {
    return `Value(${pythonRepr(this.code)}, ${pythonRepr(this.value)})`;
  }
}
