import { isUtf8 } from 'node:buffer';
import { PythonFloat } from '@mpts/proxy/wire';
import { allowedGlobal, buildObject, callGlobal, newObject } from './pickle-globals.js';
import { UnpicklingError } from './pickle-error.js';
import { asFrozenSet, asTuple, isTuple } from './python-values.js';

/**
 * A pickle decoder that never runs code: it reads the opcodes of pickle protocols 2 to 5 that
 * CPython's manager clients send (PEP 307, PEP 3154, PEP 574; `pickletools` documents each
 * opcode) and builds plain values. A global is accepted only from `pickle-globals.ts`'s
 * allowlist, and is "called" by a function of that file, never looked up or imported.
 *
 * Python values become mpts values: None → null, int → number (bigint past 2^53), float →
 * number (a whole one → `PythonFloat`, so that it stays a float), str → string, bytes and
 * bytearray → Uint8Array, tuple → array (marked, see python-values.ts), list → array, dict →
 * Map, set and frozenset → Set.
 *
 * Limits keep a hostile pickle cheap: every length is checked against the bytes that are left,
 * the memo and the stack are bounded, and the decoded value is walked once, refusing a cycle,
 * nesting deeper than `maxDepth`, or more than `maxNodes` values counted as a tree (so shared
 * references cannot expand into an exponential value).
 */
export interface PickleLimits {
  readonly maxDepth?: number;
  readonly maxNodes?: number;
  readonly maxMemo?: number;
}

const DEFAULT_MAX_DEPTH = 1000;
const DEFAULT_MAX_NODES = 1_000_000;
const DEFAULT_MAX_MEMO = 1_000_000;
const HIGHEST_PROTOCOL = 5;


/** How long a str may be to be kept in `shortTexts`. */
const SHORT_TEXT = 32;

/**
 * The short strs met lately, by their UTF-8 bytes: a client sends the same method names,
 * object ids and keys call after call, and each is then read without building a string.
 * A table of 256 slots, each holding the last str whose bytes hash there.
 */
class ShortTexts {
  private readonly bytes: (Buffer | undefined)[] = new Array(256).fill(undefined);
  private readonly texts: string[] = new Array(256).fill('');

  find(data: Buffer, at: number, n: number): string | undefined {
    const slot = slotOf(data, at, n);
    const known = this.bytes[slot];
    if (known === undefined || known.length !== n) return undefined;
    for (let i = 0; i < n; i++) if (known[i] !== data[at + i]) return undefined;
    return this.texts[slot];
  }

  remember(raw: Buffer, text: string): void {
    const slot = slotOf(raw, 0, raw.length);
    // A copy: the request's buffer is not kept alive by the table.
    this.bytes[slot] = Buffer.from(raw);
    this.texts[slot] = text;
  }
}

/** FNV-1a of the bytes, folded to a slot. */
function slotOf(data: Buffer, at: number, n: number): number {
  let hash = 0x811c9dc5;
  for (let i = at; i < at + n; i++) hash = Math.imul(hash ^ data[i]!, 0x01000193);
  return (hash ^ (hash >>> 8) ^ (hash >>> 16) ^ (hash >>> 24)) & 0xff;
}

const shortTexts = new ShortTexts();

/** Stands for MARK on the stack. */
const MARK = Symbol('mark');

export function decodePickle(data: Uint8Array, limits: PickleLimits = {}): unknown {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return new PickleReader(bytes, limits).read();
}

/**
 * One decoding: the state of the unpickling machine (a class, not closures, so that a small
 * request, the common case, costs no allocation beyond its values).
 */
class PickleReader {
  private readonly maxDepth: number;
  private readonly maxMemo: number;
  /** Whether a value was taken again (memo, DUP): only then can values be shared or cyclic. */
  private sharedValues = false;
  private pos = 0;
  private stack: unknown[] = [];
  private readonly marks: unknown[][] = [];
  /** The memo by index: an array while its indices run 0, 1, 2... (MEMOIZE's), else a map. */
  private memo: unknown[] | Map<number, unknown> = [];

  constructor(
    private readonly bytes: Buffer,
    private readonly limits: PickleLimits,
  ) {
    this.maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxMemo = limits.maxMemo ?? DEFAULT_MAX_MEMO;
  }

  private need(n: number): number {
    if (n < 0 || n > this.bytes.length - this.pos) throw new UnpicklingError('pickle data was truncated');
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private u8(): number {
    return this.bytes[this.need(1)]!;
  }

  private u16(): number {
    return this.bytes.readUInt16LE(this.need(2));
  }

  private i32(): number {
    return this.bytes.readInt32LE(this.need(4));
  }

  private u32(): number {
    return this.bytes.readUInt32LE(this.need(4));
  }

  private u64(): number {
    const at = this.need(8);
    const high = this.bytes.readUInt32LE(at + 4);
    const value = this.bytes.readUInt32LE(at) + high * 2 ** 32;
    // Past the bytes there are (2^53 and beyond included, where the sum is no longer exact).
    if (high >= 2 ** 21 || value > this.bytes.length) throw new UnpicklingError('pickle data was truncated');
    return value;
  }

  private take(n: number): Buffer {
    const at = this.need(n);
    return this.bytes.subarray(at, this.pos);
  }

  private text(n: number): string {
    const at = this.need(n);
    const bytes = this.bytes;
    if (n <= SHORT_TEXT) {
      const known = shortTexts.find(bytes, at, n);
      if (known !== undefined) return known;
    }
    const raw = bytes.subarray(at, at + n);
    if (!isUtf8(raw)) throw new UnpicklingError('a pickled str is not valid UTF-8');
    const text = raw.toString('utf8');
    if (n <= SHORT_TEXT) shortTexts.remember(raw, text);
    return text;
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new UnpicklingError('pickle data was truncated');
    return this.text(end - this.pos + 1).slice(0, -1);
  }

  private push(value: unknown): void {
    this.stack.push(value);
  }

  private pop(): unknown {
    if (this.stack.length === 0) throw new UnpicklingError('unpickling stack underflow');
    return this.stack.pop();
  }

  private top(): unknown {
    if (this.stack.length === 0) throw new UnpicklingError('unpickling stack underflow');
    return this.stack[this.stack.length - 1];
  }

  /** The items since the last MARK, which is removed. */
  private popMark(): unknown[] {
    const items = this.stack;
    const outer = this.marks.pop();
    if (outer === undefined) throw new UnpicklingError('could not find MARK');
    this.stack = outer;
    return items;
  }

  private get memoSize(): number {
    return Array.isArray(this.memo) ? this.memo.length : this.memo.size;
  }

  private memoize(index: number, value: unknown): void {
    let memo = this.memo;
    if (Array.isArray(memo)) {
      if (index <= memo.length) {
        if (index === memo.length && memo.length >= this.maxMemo) throw new UnpicklingError(`pickle memo has more than ${this.maxMemo} entries`);
        memo[index] = value;
        return;
      }
      memo = this.memo = new Map(memo.map((item, at) => [at, item]));
    }
    if (memo.size >= this.maxMemo && !memo.has(index)) throw new UnpicklingError(`pickle memo has more than ${this.maxMemo} entries`);
    memo.set(index, value);
  }

  private memoGet(index: number): unknown {
    this.sharedValues = true;
    const memo = this.memo;
    if (Array.isArray(memo) ? index >= memo.length : !memo.has(index)) throw new UnpicklingError(`memo value not found at index ${index}`);
    return Array.isArray(memo) ? memo[index] : memo.get(index);
  }

  private integer(n: number): number | bigint {
    const raw = this.take(n);
    if (n === 0) return 0;
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
    if (raw[n - 1]! & 0x80) value -= 1n << BigInt(8 * n);
    return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  }

  private listOf(value: unknown): unknown[] {
    if (!Array.isArray(value) || isTuple(value)) throw new UnpicklingError('APPEND to something not a list');
    return value;
  }

  read(): unknown {
    const bytes = this.bytes;
    const maxDepth = this.maxDepth;
    for (;;) {
      const op = this.u8();
      switch (op) {
        case 0x80: {
          const protocol = this.u8();
          if (protocol > HIGHEST_PROTOCOL) throw new UnpicklingError(`unsupported pickle protocol: ${protocol}`);
          break;
        }
        case 0x95: // FRAME: only a hint of how much to read at once.
          this.u64();
          break;
        case 0x2e: // STOP
          if (this.marks.length > 0 || this.stack.length !== 1) throw new UnpicklingError('STOP with a malformed stack');
          if (this.pos !== bytes.length) throw new UnpicklingError('bytes left after the pickle');
          // Without the memo the value is a tree of fewer values than bytes, and each level of
          // nesting takes a byte at least: only a longer or memo-sharing pickle needs the walk.
          if (!this.sharedValues && bytes.length <= maxDepth) return this.stack[0];
          return checked(this.stack[0], maxDepth, this.limits.maxNodes ?? DEFAULT_MAX_NODES);
        case 0x28: // MARK
          if (this.marks.length >= maxDepth) throw new UnpicklingError(`pickle nests deeper than ${maxDepth}`);
          this.marks.push(this.stack);
          this.stack = [];
          break;
        case 0x30: // POP
          this.pop();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.sharedValues = true;
          this.push(this.top());
          break;
        case 0x94: // MEMOIZE
          this.memoize(this.memoSize, this.top());
          break;
        case 0x71: // BINPUT
          this.memoize(this.u8(), this.top());
          break;
        case 0x72: // LONG_BINPUT
          this.memoize(this.u32(), this.top());
          break;
        case 0x68: // BINGET
          this.push(this.memoGet(this.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.push(this.memoGet(this.u32()));
          break;
        case 0x4e: // NONE
          this.push(null);
          break;
        case 0x88: // NEWTRUE
          this.push(true);
          break;
        case 0x89: // NEWFALSE
          this.push(false);
          break;
        case 0x4a: // BININT
          this.push(this.i32());
          break;
        case 0x4b: // BININT1
          this.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.push(this.u16());
          break;
        case 0x8a: // LONG1
          this.push(this.integer(this.u8()));
          break;
        case 0x8b: {
          // LONG4
          const n = this.i32();
          if (n < 0) throw new UnpicklingError('LONG pickle has negative byte count');
          this.push(this.integer(n));
          break;
        }
        case 0x47: // BINFLOAT
          this.push(PythonFloat.of(bytes.readDoubleBE(this.need(8))));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.push(this.text(this.u8()));
          break;
        case 0x58: // BINUNICODE
          this.push(this.text(this.u32()));
          break;
        case 0x8d: // BINUNICODE8
          this.push(this.text(this.u64()));
          break;
        case 0x43: // SHORT_BINBYTES
          this.push(new Uint8Array(this.take(this.u8())));
          break;
        case 0x42: // BINBYTES
          this.push(new Uint8Array(this.take(this.u32())));
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          this.push(new Uint8Array(this.take(this.u64())));
          break;
        case 0x29: // EMPTY_TUPLE
          this.push(asTuple([]));
          break;
        case 0x85: // TUPLE1
          this.push(asTuple([this.pop()]));
          break;
        case 0x86: {
          // TUPLE2
          const b = this.pop();
          this.push(asTuple([this.pop(), b]));
          break;
        }
        case 0x87: {
          // TUPLE3
          const c = this.pop();
          const b = this.pop();
          this.push(asTuple([this.pop(), b, c]));
          break;
        }
        case 0x74: // TUPLE
          this.push(asTuple(this.popMark()));
          break;
        case 0x5d: // EMPTY_LIST
          this.push([]);
          break;
        case 0x6c: // LIST
          this.push(this.popMark());
          break;
        case 0x61: {
          // APPEND
          const item = this.pop();
          this.listOf(this.top()).push(item);
          break;
        }
        case 0x65: {
          // APPENDS
          const items = this.popMark();
          const list = this.listOf(this.top());
          for (const item of items) list.push(item);
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.push(new Map());
          break;
        case 0x64: // DICT
          this.push(setItems(new Map(), this.popMark()));
          break;
        case 0x73: {
          // SETITEM
          const value = this.pop();
          const key = this.pop();
          setItems(this.top(), [key, value]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          setItems(this.top(), items);
          break;
        }
        case 0x8f: // EMPTY_SET
          this.push(new Set());
          break;
        case 0x90: {
          // ADDITEMS
          const items = this.popMark();
          const set = this.top();
          if (!(set instanceof Set)) throw new UnpicklingError('ADDITEMS to something not a set');
          for (const item of items) set.add(hashable(item));
          break;
        }
        case 0x91: // FROZENSET
          this.push(asFrozenSet(new Set(this.popMark().map(hashable))));
          break;
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw new UnpicklingError('STACK_GLOBAL requires str');
          this.push(allowedGlobal(module, name));
          break;
        }
        case 0x63: {
          // GLOBAL
          const module = this.line();
          this.push(allowedGlobal(module, this.line()));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.pop();
          if (!Array.isArray(args)) throw new UnpicklingError('REDUCE arguments must be a tuple');
          this.push(callGlobal(this.pop(), args));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = this.pop();
          if (!Array.isArray(args)) throw new UnpicklingError('NEWOBJ arguments must be a tuple');
          this.push(newObject(this.pop(), args));
          break;
        }
        case 0x62: {
          // BUILD
          const state = this.pop();
          buildObject(this.top(), state);
          break;
        }
        default:
          throw new UnpicklingError(`pickle opcode 0x${op.toString(16).padStart(2, '0')} is not accepted by an mpts manager`);
      }
    }
  }
}

function setItems(target: unknown, items: unknown[]): Map<unknown, unknown> {
  if (!(target instanceof Map)) throw new UnpicklingError('SETITEM on something not a dict');
  if (items.length % 2 !== 0) throw new UnpicklingError('odd number of items for SETITEMS');
  for (let i = 0; i < items.length; i += 2) target.set(hashable(items[i]), items[i + 1]);
  return target;
}

/** A dict key or set item must be hashable, as in Python: not a list, dict or set. */
function hashable(key: unknown): unknown {
  if ((Array.isArray(key) && !isTuple(key)) || key instanceof Map || key instanceof Set) {
    throw new UnpicklingError('unhashable dict key or set item');
  }
  return key;
}

/** Walks the decoded value once: no cycle, no deeper than `maxDepth`, at most `maxNodes` visits. */
function checked(root: unknown, maxDepth: number, maxNodes: number): unknown {
  let visits = 0;
  const onPath = new Set<object>();
  // [value, depth] to visit, or a container to take off the path once its items are done.
  const pending: object[] = [visit(root, 0)];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (!pendingVisit.has(next)) {
      onPath.delete(next);
      continue;
    }
    const [value, depth] = next as [unknown, number];
    if (++visits > maxNodes) throw new UnpicklingError(`pickle expands to more than ${maxNodes} values`);
    const children = childrenOf(value);
    if (children === undefined) continue;
    if (depth >= maxDepth) throw new UnpicklingError(`pickle nests deeper than ${maxDepth}`);
    if (onPath.has(value as object)) throw new UnpicklingError('pickle holds a cycle, which mpts cannot store');
    onPath.add(value as object);
    pending.push(value as object);
    for (const child of children) pending.push(visit(child, depth + 1));
  }
  return root;
}

/** The entries of `checked`'s work list that are visits (not path ends). */
const pendingVisit = new WeakSet<object>();
function visit(value: unknown, depth: number): [unknown, number] {
  const entry: [unknown, number] = [value, depth];
  pendingVisit.add(entry);
  return entry;
}

function childrenOf(value: unknown): Iterable<unknown> | undefined {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return value;
  if (value instanceof Map) return [...value.keys(), ...value.values()];
  return undefined;
}
