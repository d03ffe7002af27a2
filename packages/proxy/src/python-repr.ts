import { messages, RecursionError, ValueError } from './errors.js';
import { PythonFloat } from './python-float.js';

/**
 * Renders values the way Python's `repr()` prints them, so a program ported from Python prints
 * what it printed there: `{1: '1', '2': 2, 0.25: None}`, `[9, 8, 7]`, `b'ab'`, `True`.
 *
 * JavaScript has one number type, so a whole number prints as an integer (`1`); a whole float
 * a Python client stored (a `PythonFloat`) prints as Python prints it, `1.0`. An array is a list (`[1, 2]`), except as a dict key or a set
 * element, where it stands for a tuple (`{(1, 2): [3]}`).
 *
 * As in Python, a value nested deeper than the recursion limit is a `RecursionError`, an int of
 * more than 4,300 digits is a `ValueError`, and a container that holds itself prints as `[...]`.
 */
export function pythonRepr(value: unknown): string {
  return render(value, Infinity);
}

/**
 * Python's repr of an `array.array` of typecode `code`: `array('i', [1, 2])`, `array('d', [0.0,
 * 0.5])` (a float array's items are floats, whole or not), `array('u', 'ab')`, `array('d')`
 * when empty. With `limit`, only its first `limit` characters, from no more items than that
 * (every item takes at least one character).
 */
export function arrayRepr(code: string, items: ArrayLike<unknown>, limit?: number): string {
  if (items.length === 0) return `array(${pythonRepr(code)})`;
  const prefix = `array(${pythonRepr(code)}, `;
  const shown: unknown[] = Array.prototype.slice.call(items, 0, limit ?? items.length);
  if (code === 'f' || code === 'd') {
    const floats = `${prefix}[${(shown as number[]).map(floatRepr).join(', ')}])`;
    return limit === undefined ? floats : floats.slice(0, limit);
  }
  const value = code === 'u' ? shown.join('') : shown;
  if (limit === undefined) return `${prefix}${pythonRepr(value)})`;
  return `${prefix}${pythonReprPreview(value, limit - prefix.length)})`.slice(0, limit);
}

/**
 * The first `limit` characters of `pythonRepr(value)`, rendering no more of the value than
 * that: a preview of a value of any size costs about `limit` steps, not the whole value.
 */
export function pythonReprPreview(value: unknown, limit: number): string {
  return render(value, Math.max(0, limit));
}

/**
 * The repr of the key a `KeyError` carries (a dict key, a set element, so an array is a tuple:
 * `(1, 2)`): Python renders it only when the error is printed, and prints `<exception str()
 * failed>` when it cannot be rendered (an int past 4,300 digits, a value nested too deeply), so
 * the error keeps its class.
 */
export function exceptionValueRepr(value: unknown): string {
  try {
    return render(value, Infinity, true);
  } catch {
    return messages.exceptionStrFailed;
  }
}

/** Python's `str()`: a string prints as itself, everything else as its repr. */
export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

/**
 * Python's default recursion limit (`sys.getrecursionlimit()`): containers nested deeper than
 * this are a `RecursionError` to print or compare, as in Python, instead of a JavaScript stack
 * overflow.
 */
export const recursionLimit = 1000;

/** CPython's `sys.int_info.default_max_str_digits`: an int longer than this has no decimal text. */
const maxStrDigits = 4300;
const tooManyDigits = 10n ** BigInt(maxStrDigits);

/**
 * Python's `str(int)`: a `ValueError` past 4,300 digits, as CPython's guard against quadratic
 * conversions, decided by one comparison instead of writing the digits out.
 */
function intToDecimal(value: bigint): string {
  if (value >= tooManyDigits || value <= -tooManyDigits) {
    throw new ValueError(messages.intMaxStrDigits(maxStrDigits));
  }
  return value.toString();
}

/** Thrown to stop a rendering that has written its `limit` characters. */
class Full {}
const full = new Full();

/** The text being written, which stops the walk once it holds `limit` characters. */
class Output {
  private readonly parts: string[] = [];
  private length = 0;

  constructor(readonly limit: number) {}

  /** How many more characters are wanted. */
  get room(): number {
    return this.limit - this.length;
  }

  write(text: string): void {
    this.parts.push(text);
    this.length += text.length;
    if (this.length >= this.limit) throw full;
  }

  text(): string {
    const text = this.parts.join('');
    return text.length > this.limit ? text.slice(0, this.limit) : text;
  }
}

function render(value: unknown, limit: number, tuple = false): string {
  const out = new Output(limit);
  try {
    write(out, value, 0, new Set(), tuple);
  } catch (error) {
    if (error !== full) throw error;
  }
  return out.text();
}

/**
 * Writes `value` at nesting `depth`. `open` holds the containers being written around it: one
 * met again inside itself prints as Python prints it, `[...]`, instead of looping. `tuple`: the
 * value is a dict key or a set element, or inside one, where an array is a Python tuple (mpts
 * takes arrays as tuples there, since only tuples are hashable) and prints as `(1, 2)`, `(1,)`.
 */
function write(out: Output, value: unknown, depth: number, open: Set<object>, tuple = false): void {
  switch (typeof value) {
    case 'undefined':
      return out.write('None');
    case 'boolean':
      return out.write(value ? 'True' : 'False');
    case 'number':
      return out.write(numberRepr(value));
    case 'bigint':
      return out.write(intToDecimal(value));
    case 'string':
      return out.write(stringRepr(value, out.room));
    case 'symbol':
    case 'function':
      return out.write(String(value));
  }
  if (value === null || typeof value !== 'object') return out.write('None');
  if (value instanceof PythonFloat) return out.write(floatRepr(value.value));
  if (value instanceof Uint8Array) return out.write(bytesRepr(value, out.room));
  if (value instanceof Date) return out.write(`datetime.datetime.fromisoformat(${stringRepr(value.toISOString(), Infinity)})`);
  if (ArrayBuffer.isView(value)) {
    // A typed array holds numbers only: nothing nested, so no depth to count.
    const items = value as unknown as ArrayLike<unknown>;
    out.write('[');
    for (let i = 0; i < (items.length ?? 0); i++) {
      if (i > 0) out.write(', ');
      write(out, items[i], depth, open);
    }
    return out.write(']');
  }
  const proto = Object.getPrototypeOf(value);
  const isPlainObject = proto === Object.prototype || proto === null;
  if (!Array.isArray(value) && !(value instanceof Map) && !(value instanceof Set) && !isPlainObject) {
    return out.write(String(value));
  }
  if (open.has(value)) return out.write(Array.isArray(value) ? (tuple ? '(...)' : '[...]') : '{...}');
  if (depth >= recursionLimit) throw new RecursionError(messages.recursionInRepr);
  open.add(value);
  const inner = depth + 1;
  if (Array.isArray(value)) {
    out.write(tuple ? '(' : '[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.write(', ');
      write(out, value[i], inner, open, tuple);
    }
    out.write(tuple ? (value.length === 1 ? ',)' : ')') : ']');
  } else if (value instanceof Set) {
    if (value.size === 0) out.write('set()');
    else writeItems(out, value, (item) => write(out, item, inner, open, true));
  } else if (value instanceof Map) {
    writeItems(out, value, ([key, item]: [unknown, unknown]) => {
      write(out, key, inner, open, true);
      out.write(': ');
      write(out, item, inner, open);
    });
  } else {
    writeItems(out, Object.keys(value), (key: string) => {
      out.write(stringRepr(key, out.room));
      out.write(': ');
      write(out, (value as Record<string, unknown>)[key], inner, open);
    });
  }
  open.delete(value);
}

/** `{a, b}`: each item written by `writeItem`, comma-separated in braces. */
function writeItems<T>(out: Output, items: Iterable<T>, writeItem: (item: T) => void): void {
  out.write('{');
  let first = true;
  for (const item of items) {
    if (!first) out.write(', ');
    first = false;
    writeItem(item);
  }
  out.write('}');
}

/**
 * Python's repr of a float, for a value known to be one (a `'d'` or `'f'` typecode): a whole
 * float prints as `1.0`, where `pythonRepr`, which cannot tell, prints `1`.
 */
export function floatRepr(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e16 && !Object.is(value, -0)
    ? `${value.toFixed(0)}.0`
    : numberRepr(value);
}

function numberRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Object.is(value, -0)) return '-0.0';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return value.toFixed(0);
  // Python's float repr: the shortest digits that round-trip (as JavaScript's), written in
  // scientific notation when the exponent is below -4 or at least 16.
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const text = String(value);
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}

/** The repr of `text`, or its first `room` characters or so: a long string is escaped no further. */
function stringRepr(text: string, room: number): string {
  const quote = reprQuote(text.includes("'"), text.includes('"'));
  let out = quote;
  for (const char of text) {
    if (out.length > room) return out;
    const code = char.codePointAt(0)!;
    out += asciiEscape(char, code, quote) ?? (code >= 0x80 && nonPrintable.test(char) ? escapeCodePoint(code) : char);
  }
  return out + quote;
}

/** The repr of `bytes`, or its first `room` characters or so, as `stringRepr`. */
function bytesRepr(bytes: Uint8Array, room: number): string {
  const quote = reprQuote(bytes.includes(0x27), bytes.includes(0x22));
  let out = `b${quote}`;
  for (const byte of bytes) {
    if (out.length > room) return out;
    const char = String.fromCharCode(byte);
    out += asciiEscape(char, byte, quote) ?? (byte >= 0x80 ? escapeCodePoint(byte) : char);
  }
  return out + quote;
}

/** Python's quote for a str or bytes repr: single, unless the text holds a single quote and no double. */
function reprQuote(hasSingle: boolean, hasDouble: boolean): string {
  return hasSingle && !hasDouble ? '"' : "'";
}

/**
 * How Python's str and bytes reprs alike escape an ASCII character: the quote and the
 * backslash, `\n`, `\r`, `\t`, other controls and DEL in hex; undefined for one written as is.
 */
function asciiEscape(char: string, code: number, quote: string): string | undefined {
  if (char === quote || char === '\\') return `\\${char}`;
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  if (code < 0x20 || code === 0x7f) return escapeCodePoint(code);
  return undefined;
}

/** What Python's `str.isprintable()` calls non-printable: control, format, unassigned, separators. */
const nonPrintable = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

function escapeCodePoint(code: number): string {
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}
