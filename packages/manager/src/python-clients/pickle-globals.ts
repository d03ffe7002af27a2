import { UnpicklingError, UnsupportedGlobalError } from './pickle-error.js';
import { asFrozenSet, PythonProxyRef, PythonToken, pythonSlice } from './python-values.js';

/**
 * The only globals a Python client's pickle may name: what CPython's manager clients put in
 * requests (tokens, proxies sent as arguments, bytearrays). Naming one never runs anything:
 * each is a function of this file that builds a plain value from validated arguments.
 */

/** A global the pickle named, as it sits on the unpickler's stack. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

interface GlobalRules {
  /** REDUCE: the global called with positional `args`. */
  readonly call?: (args: unknown[]) => unknown;
  /** NEWOBJ: `cls.__new__(cls, *args)`; BUILD then gives it its state. */
  readonly create?: (args: unknown[]) => unknown;
}

/** Proxy classes a pickled proxy names as its rebuilder's first argument. */
const proxyClasses = [
  'AutoProxy', 'BaseProxy', 'DictProxy', 'ListProxy', 'BaseListProxy', 'ValueProxy', 'AcquirerProxy',
  'ConditionProxy', 'EventProxy', 'BarrierProxy', 'NamespaceProxy', 'IteratorProxy', 'ArrayProxy', 'PoolProxy',
];

const rules = new Map<string, GlobalRules>([
  [
    'multiprocessing.managers.Token',
    {
      call: (args) => tokenFrom(args),
      create: (args) => {
        if (args.length !== 0) throw new UnpicklingError('Token.__new__ takes no arguments');
        return new PythonToken('', null, '');
      },
    },
  ],
  [
    'multiprocessing.managers.RebuildProxy',
    {
      call: (args) => {
        const [func, token] = args;
        if (args.length !== 4 || !(func instanceof PickleGlobal) || !(token instanceof PythonToken)) {
          throw new UnpicklingError('RebuildProxy takes (proxy class, Token, serializer, kwds)');
        }
        return new PythonProxyRef(token);
      },
    },
  ],
  [
    'builtins.bytearray',
    {
      call: (args) => {
        if (args.length === 0) return new Uint8Array(0);
        if (args.length === 1 && args[0] instanceof Uint8Array) return new Uint8Array(args[0]);
        throw new UnpicklingError('bytearray is rebuilt only from bytes');
      },
    },
  ],
  [
    'builtins.slice',
    {
      call: (args) => {
        if (args.length < 1 || args.length > 3) throw new UnpicklingError('slice takes 1 to 3 arguments');
        return args.length === 1 ? pythonSlice(null, args[0], null) : pythonSlice(args[0], args[1], args[2] ?? null);
      },
    },
  ],
  // `m.list(range(10))` sends the range itself: it becomes its list, within the decoder's size.
  ['builtins.range', { call: (args) => rangeItems(args) }],
  // Protocols 2 and 3 have no set opcodes: a set is `set(list)`.
  ['builtins.set', { call: (args) => new Set(collectionArgument(args, 'set')) }],
  ['builtins.frozenset', { call: (args) => asFrozenSet(new Set(collectionArgument(args, 'frozenset'))) }],
  ...proxyClasses.map((name): [string, GlobalRules] => [`multiprocessing.managers.${name}`, {}]),
]);

/** The global `module.name`, or the refusal that names it. */
export function allowedGlobal(module: string, name: string): PickleGlobal {
  // Protocol 2 writes Python 2's name of the builtins module.
  if (module === '__builtin__') module = 'builtins';
  if (!rules.has(`${module}.${name}`)) {
    throw new UnsupportedGlobalError(`global '${module}.${name}' is not allowed: an mpts manager rebuilds only plain values, tokens and proxies`);
  }
  return new PickleGlobal(module, name);
}

export function callGlobal(callable: unknown, args: unknown[]): unknown {
  const call = callable instanceof PickleGlobal ? rules.get(callable.qualifiedName)?.call : undefined;
  if (call === undefined) throw new UnpicklingError(`${describe(callable)} cannot be called in a pickle sent to an mpts manager`);
  return call(args);
}

export function newObject(cls: unknown, args: unknown[]): unknown {
  const create = cls instanceof PickleGlobal ? rules.get(cls.qualifiedName)?.create : undefined;
  if (create === undefined) throw new UnpicklingError(`${describe(cls)} cannot be instantiated in a pickle sent to an mpts manager`);
  return create(args);
}

/** BUILD: only a Token takes a state, its `(typeid, address, id)`. */
export function buildObject(target: unknown, state: unknown): void {
  if (!(target instanceof PythonToken) || !Array.isArray(state)) {
    throw new UnpicklingError(`${describe(target)} cannot be given a state in a pickle sent to an mpts manager`);
  }
  const token = tokenFrom(state);
  target.typeid = token.typeid;
  target.address = token.address;
  target.id = token.id;
}

function collectionArgument(args: unknown[], name: string): unknown[] {
  if (args.length === 0) return [];
  if (args.length === 1 && Array.isArray(args[0])) return args[0];
  throw new UnpicklingError(`${name} is rebuilt only from a list`);
}

const MAX_RANGE = 1_000_000;

function rangeItems(args: unknown[]): number[] {
  if (args.length < 1 || args.length > 3 || !args.every((n) => typeof n === 'number' && Number.isSafeInteger(n))) {
    throw new UnpicklingError('range is rebuilt only from 1 to 3 ints');
  }
  const [start, stop, step] = (args.length === 1 ? [0, args[0], 1] : [args[0], args[1], args[2] ?? 1]) as number[];
  if (step === 0) throw new UnpicklingError('range() arg 3 must not be zero');
  const length = Math.max(0, Math.ceil((stop! - start!) / step!));
  if (length > MAX_RANGE) throw new UnpicklingError(`a range of more than ${MAX_RANGE} items is not sent to an mpts manager`);
  return Array.from({ length }, (_, i) => start! + i * step!);
}

function tokenFrom(args: unknown[]): PythonToken {
  const [typeid, address, id] = args;
  if (args.length !== 3 || typeof typeid !== 'string' || (typeof id !== 'string' && typeof id !== 'number')) {
    throw new UnpicklingError('a Token is (typeid: str, address, id: str)');
  }
  return new PythonToken(typeid, address, String(id));
}

function describe(value: unknown): string {
  return value instanceof PickleGlobal ? `'${value.qualifiedName}'` : `a ${typeof value === 'object' && value !== null ? value.constructor.name : typeof value}`;
}
