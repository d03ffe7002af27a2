import { Packr, addExtension, RESERVE_START_SPACE } from 'msgpackr';
import { HEADER_BYTES, sealFrame } from './framing.js';
import { messages } from './errors.js';
import { isTransferableInstance } from './transfer.js';

/**
 * The one msgpack configuration of mpts (DESIGN D3), shared by clients and servers.
 *
 * - Records stay on: msgpack has a single map type, and only msgpackr's record extension keeps a
 *   plain object apart from a `Map`, so a dict's number keys (`1`, `'1'`, `0.25`) stay distinct.
 * - Not `sequential`: every message decodes on its own, so a reconnecting child never depends
 *   on structures a stream saw before.
 * - `useToJSON: false`: a value is sent as it is, never as what its `toJSON()` says.
 * - 64-bit integers decode as `bigint`, and bigints beyond 64 bits use msgpackr's extension, so
 *   a `bigint` always comes back a `bigint` and a `number` a `number`.
 */
const packr = new Packr({
  moreTypes: true,
  useToJSON: false,
  int64AsType: 'bigint',
  useBigIntExtension: true,
});

/** msgpack extension types owned by mpts itself (packages take 16..99). */
export const ExtensionType = {
  token: 1,
  negativeZero: 2,
} as const;

/** What identifies a shared object: its type, its id in the manager, and the manager's address. */
export interface TokenData {
  readonly typeId: string;
  readonly id: number;
  readonly address: string;
  /** The methods a proxy may call, for types registered without a proxy class of their own. */
  readonly exposed?: readonly string[] | undefined;
}

/**
 * Anything that stands for a shared object and crosses the wire as its token: a client's proxy,
 * a reference held inside the manager, or a bare token.
 */
export abstract class TokenCarrier {
  abstract toTokenData(): TokenData;
}

let tokenRead: (data: TokenData) => unknown = (data) => data;
let tokenWritten: ((carrier: TokenCarrier, data: TokenData) => void) | undefined;

/**
 * Sets what a decoded token becomes in this process (a live proxy in a client, a reference in
 * the manager), and what happens when one is encoded (the manager counts a reference for the
 * client it is about to reply to).
 */
export function setTokenHooks(hooks: {
  read: (data: TokenData) => unknown;
  written?: (carrier: TokenCarrier, data: TokenData) => void;
}): void {
  tokenRead = hooks.read;
  tokenWritten = hooks.written;
}

addExtension({
  Class: TokenCarrier as never,
  type: ExtensionType.token,
  write(carrier: TokenCarrier) {
    const data = carrier.toTokenData();
    tokenWritten?.(carrier, data);
    return data.exposed === undefined
      ? [data.typeId, data.id, data.address]
      : [data.typeId, data.id, data.address, data.exposed];
  },
  read(data: unknown) {
    if (!Array.isArray(data) || typeof data[0] !== 'string' || typeof data[1] !== 'number' ||
        typeof data[2] !== 'string') {
      throw new TypeError('malformed proxy token');
    }
    const exposed = Array.isArray(data[3]) ? (data[3] as string[]) : undefined;
    return tokenRead({ typeId: data[0], id: data[1], address: data[2], exposed });
  },
});

/** msgpack folds `-0` into the integer 0; this marker carries the sign across. */
class NegativeZero {}
const negativeZero = new NegativeZero();
/** Set once this process decoded a `-0`: only then can its own values hold one to send back. */
let negativeZeroDecoded = false;
addExtension({
  Class: NegativeZero as never,
  type: ExtensionType.negativeZero,
  write: () => null,
  read: () => {
    negativeZeroDecoded = true;
    return -0;
  },
});

/**
 * What to encode for a value this process holds and sends back (a manager's reply): `value`
 * itself, or a copy that keeps the sign of its `-0`s. Free until a `-0` was ever received.
 */
export function keepNegativeZeros(value: unknown): unknown {
  if (!negativeZeroDecoded) return value;
  return containsNegativeZero(value) ? withNegativeZeros(value) : value;
}

function containsNegativeZero(value: unknown): boolean {
  if (typeof value === 'number') return Object.is(value, -0);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) if (containsNegativeZero(item)) return true;
    return false;
  }
  if (value instanceof Map) {
    for (const [key, item] of value) if (containsNegativeZero(key) || containsNegativeZero(item)) return true;
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) if (containsNegativeZero((value as Record<string, unknown>)[key])) return true;
  return false;
}

declare global {
  interface String {
    /** ES2024; in Node since 20. */
    isWellFormed(): boolean;
  }
}

/** Encodes one message. The result may share memory with later encodings: copy it at once. */
export function encode(value: unknown): Buffer {
  return packr.pack(value);
}

/**
 * Encodes one message as a whole frame: msgpackr leaves room for the length header at the
 * start of its own output, so a frame costs no extra copy.
 */
export function encodeFrame(message: unknown): Buffer {
  return sealFrame(packr.pack(message, RESERVE_START_SPACE | HEADER_BYTES));
}

/** Decodes one message. */
export function decode(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}

/**
 * Checks that `value` can cross to the manager and come back equal, before anything is sent,
 * and returns what to encode: `value` itself, or (only when it holds a `-0`) a copy that keeps
 * the sign. Throws a `TypeError` naming the path of the first value that cannot cross:
 * a function, a symbol, a class instance, or a cycle.
 */
export function prepareValue(value: unknown, path: string): unknown {
  // Most arguments are primitives: answer them without setting up a walk.
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'number') return Object.is(value, -0) ? negativeZero : value;
    if (typeof value === 'string') return value.isWellFormed() ? value : refuse(path, value);
    if (typeof value === 'function' || typeof value === 'symbol') refuse(path, value);
    return value;
  }
  const walk = new ValueWalk();
  walk.visit(value, path);
  return walk.sawNegativeZero ? withNegativeZeros(value) : value;
}

function refuse(path: string, value: unknown): never {
  throw new TypeError(messages.cannotTransfer(path, describe(value)));
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'symbol') return `a symbol (${value.toString()})`;
  // UTF-8 has no lone surrogates: such a string would arrive with U+FFFD in their place.
  if (typeof value === 'string') return 'a string with a lone surrogate (not valid Unicode)';
  const name = (value as object).constructor?.name;
  return name ? `an instance of class ${name}` : 'an object of unknown kind';
}

class ValueWalk {
  sawNegativeZero = false;
  private readonly ancestors = new Set<object>();

  visit(value: unknown, path: string): void {
    switch (typeof value) {
      case 'number':
        if (value === 0 && 1 / value < 0) this.sawNegativeZero = true;
        return;
      case 'string':
        if (!value.isWellFormed()) refuse(path, value);
        return;
      case 'boolean':
      case 'bigint':
      case 'undefined':
        return;
      case 'function':
      case 'symbol':
        refuse(path, value);
    }
    if (value === null) return;
    const object = value as object;
    if (ArrayBuffer.isView(object) || object instanceof Date || object instanceof RegExp) return;
    if (object instanceof TokenCarrier || isTransferableInstance(object)) return;
    if (this.ancestors.has(object)) {
      throw new TypeError(`the value at ${path} contains itself; cyclic values cannot be sent`);
    }
    this.ancestors.add(object);
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) this.visit(object[i], `${path}[${i}]`);
    } else if (object instanceof Map) {
      for (const [key, item] of object) {
        const at = `${path}.get(${keyLabel(key)})`;
        this.visit(key, `a key of ${path}`);
        this.visit(item, at);
      }
    } else if (object instanceof Set) {
      for (const item of object) this.visit(item, `an element of ${path}`);
    } else {
      const proto = Object.getPrototypeOf(object);
      if (proto !== Object.prototype && proto !== null) refuse(path, object);
      // The decoder renames an own `__proto__` key (its guard against prototype pollution), so
      // such an object would not come back equal: refuse it rather than change it.
      if (Object.hasOwn(object, '__proto__')) {
        throw new TypeError(messages.cannotTransfer(`${path}.__proto__`, 'a property named __proto__'));
      }
      for (const key of Object.keys(object)) {
        if (!key.isWellFormed()) refuse(`a key of ${path}`, key);
        this.visit((object as Record<string, unknown>)[key], `${path}.${key}`);
      }
      if (Object.getOwnPropertySymbols(object).length > 0) {
        refuse(`${path}[symbol key]`, Object.getOwnPropertySymbols(object)[0]);
      }
    }
    this.ancestors.delete(object);
  }
}

function keyLabel(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : String(key);
}

function withNegativeZeros(value: unknown): unknown {
  if (typeof value === 'number') return Object.is(value, -0) ? negativeZero : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(withNegativeZeros);
  if (value instanceof Map) {
    return new Map([...value].map(([k, v]) => [withNegativeZeros(k), withNegativeZeros(v)]));
  }
  if (value instanceof Set) return new Set([...value].map(withNegativeZeros));
  if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = withNegativeZeros(v);
    return copy;
  }
  return value;
}
