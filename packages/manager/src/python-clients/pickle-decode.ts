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


/** Stands for MARK on the stack. */
const MARK = Symbol('mark');

export function decodePickle(data: Uint8Array, limits: PickleLimits = {}): unknown {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  /** Whether a value was taken again (memo, DUP): only then can values be shared or cyclic. */
  let sharedValues = false;
  const maxMemo = limits.maxMemo ?? DEFAULT_MAX_MEMO;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number): number => {
    if (n < 0 || n > bytes.length - pos) throw new UnpicklingError('pickle data was truncated');
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = () => bytes[need(1)]!;
  const u16 = () => view.getUint16(need(2), true);
  const i32 = () => view.getInt32(need(4), true);
  const u32 = () => view.getUint32(need(4), true);
  const u64 = () => {
    const value = view.getBigUint64(need(8), true);
    if (value > BigInt(bytes.length)) throw new UnpicklingError('pickle data was truncated');
    return Number(value);
  };
  const take = (n: number) => bytes.subarray(need(n), pos);
  const text = (n: number) => {
    const raw = take(n);
    if (!isUtf8(raw)) throw new UnpicklingError('a pickled str is not valid UTF-8');
    return raw.toString('utf8');
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new UnpicklingError('pickle data was truncated');
    return text(end - pos + 1).slice(0, -1);
  };
  const push = (value: unknown) => stack.push(value);
  const pop = (): unknown => {
    if (stack.length === 0) throw new UnpicklingError('unpickling stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw new UnpicklingError('unpickling stack underflow');
    return stack[stack.length - 1];
  };
  /** The items since the last MARK, which is removed. */
  const popMark = (): unknown[] => {
    const items = stack;
    const outer = marks.pop();
    if (outer === undefined) throw new UnpicklingError('could not find MARK');
    stack = outer;
    return items;
  };
  const memoize = (index: number, value: unknown) => {
    if (memo.size >= maxMemo && !memo.has(index)) throw new UnpicklingError(`pickle memo has more than ${maxMemo} entries`);
    memo.set(index, value);
  };
  const memoGet = (index: number) => {
    sharedValues = true;
    if (!memo.has(index)) throw new UnpicklingError(`memo value not found at index ${index}`);
    return memo.get(index);
  };
  const integer = (n: number): number | bigint => {
    const raw = take(n);
    if (n === 0) return 0;
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
    if (raw[n - 1]! & 0x80) value -= 1n << BigInt(8 * n);
    return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  };
  const listOf = (value: unknown): unknown[] => {
    if (!Array.isArray(value) || isTuple(value)) throw new UnpicklingError('APPEND to something not a list');
    return value;
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: {
        const protocol = u8();
        if (protocol > HIGHEST_PROTOCOL) throw new UnpicklingError(`unsupported pickle protocol: ${protocol}`);
        break;
      }
      case 0x95: // FRAME: only a hint of how much to read at once.
        u64();
        break;
      case 0x2e: // STOP
        if (marks.length > 0 || stack.length !== 1) throw new UnpicklingError('STOP with a malformed stack');
        if (pos !== bytes.length) throw new UnpicklingError('bytes left after the pickle');
        // Without the memo the value is a tree of fewer values than bytes, and each level of
        // nesting takes a byte at least: only a longer or memo-sharing pickle needs the walk.
        if (!sharedValues && bytes.length <= maxDepth) return stack[0];
        return checked(stack[0], maxDepth, limits.maxNodes ?? DEFAULT_MAX_NODES);
      case 0x28: // MARK
        if (marks.length >= maxDepth) throw new UnpicklingError(`pickle nests deeper than ${maxDepth}`);
        marks.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        sharedValues = true;
        push(top());
        break;
      case 0x94: // MEMOIZE
        memoize(memo.size, top());
        break;
      case 0x71: // BINPUT
        memoize(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memoize(u32(), top());
        break;
      case 0x68: // BINGET
        push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        push(memoGet(u32()));
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4a: // BININT
        push(i32());
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        push(u16());
        break;
      case 0x8a: // LONG1
        push(integer(u8()));
        break;
      case 0x8b: {
        // LONG4
        const n = i32();
        if (n < 0) throw new UnpicklingError('LONG pickle has negative byte count');
        push(integer(n));
        break;
      }
      case 0x47: // BINFLOAT
        push(PythonFloat.of(view.getFloat64(need(8), false)));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(text(u8()));
        break;
      case 0x58: // BINUNICODE
        push(text(u32()));
        break;
      case 0x8d: // BINUNICODE8
        push(text(u64()));
        break;
      case 0x43: // SHORT_BINBYTES
        push(new Uint8Array(take(u8())));
        break;
      case 0x42: // BINBYTES
        push(new Uint8Array(take(u32())));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        push(new Uint8Array(take(u64())));
        break;
      case 0x29: // EMPTY_TUPLE
        push(asTuple([]));
        break;
      case 0x85: // TUPLE1
        push(asTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        push(asTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        push(asTuple([pop(), b, c]));
        break;
      }
      case 0x74: // TUPLE
        push(asTuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        listOf(top()).push(item);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = listOf(top());
        for (const item of items) list.push(item);
        break;
      }
      case 0x7d: // EMPTY_DICT
        push(new Map());
        break;
      case 0x64: // DICT
        push(setItems(new Map(), popMark()));
        break;
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f: // EMPTY_SET
        push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const set = top();
        if (!(set instanceof Set)) throw new UnpicklingError('ADDITEMS to something not a set');
        for (const item of items) set.add(hashable(item));
        break;
      }
      case 0x91: // FROZENSET
        push(asFrozenSet(new Set(popMark().map(hashable))));
        break;
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new UnpicklingError('STACK_GLOBAL requires str');
        push(allowedGlobal(module, name));
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        push(allowedGlobal(module, line()));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        if (!Array.isArray(args)) throw new UnpicklingError('REDUCE arguments must be a tuple');
        push(callGlobal(pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        if (!Array.isArray(args)) throw new UnpicklingError('NEWOBJ arguments must be a tuple');
        push(newObject(pop(), args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        buildObject(top(), state);
        break;
      }
      default:
        throw new UnpicklingError(`pickle opcode 0x${op.toString(16).padStart(2, '0')} is not accepted by an mpts manager`);
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
