import { pyTypeName } from '@mpts/proxy/wire';
import { asTuple, isPythonSlice } from './python-values.js';

/**
 * How a Python proxy's method call maps onto an mpts servant's: Python's name, its parameters
 * (so keyword arguments find their place), and the mpts method called with the arguments.
 *
 * Each builtin typeid lists what its CPython proxy calls (its `_exposed_`), by CPython's name.
 * A typeid with no table here (a `register()`ed type) is called by its own exposed names, with
 * positional arguments only.
 */
export interface PythonMethod {
  /** Python's parameter names, in order, for keyword arguments. */
  readonly params: readonly string[];
  /** The mpts method and its arguments. */
  readonly to: (args: unknown[]) => [method: string, args: unknown[]];
  /** What the result becomes for Python (an iterator step, a tuple). */
  readonly result?: (value: unknown) => unknown;
  /** The typeid whose proxy the result becomes (CPython's `method_to_typeid`). */
  readonly proxyOf?: string;
}

const same = (method: string, ...params: string[]): PythonMethod => ({ params, to: (args) => [method, args] });

/** `l[i]` or `l[a:b:c]`: a slice arrives as a `slice` object. */
const getItem: PythonMethod = {
  params: ['index'],
  to: ([index]) => (isPythonSlice(index) ? ['getSlice', [index.start, index.stop, index.step]] : ['getItem', [index]]),
};

/**
 * `l * n`: a Python client calls the list's `__mul__` itself, which names a non-int count as
 * `'float' object cannot be interpreted as an integer` (the `*` operator words it differently).
 */
const repeat = (method: string): PythonMethod => ({
  params: ['times'],
  to: ([times]) => {
    if (typeof times !== 'bigint' && typeof times !== 'boolean' && !Number.isInteger(times)) {
      throw new TypeError(`'${pyTypeName(times)}' object cannot be interpreted as an integer`);
    }
    return [method, [times]];
  },
});

const acquirer = {
  acquire: same('acquire', 'blocking', 'timeout'),
  release: same('release'),
};

const queue = {
  put: same('put', 'item', 'block', 'timeout'),
  put_nowait: { params: ['item'], to: ([item]: unknown[]) => ['put', [item, false]] } as PythonMethod,
  get: same('get', 'block', 'timeout'),
  get_nowait: { params: [], to: () => ['get', [false]] } as PythonMethod,
  qsize: same('qsize'),
  empty: same('empty'),
  full: same('full'),
  task_done: same('taskDone'),
  join: same('join'),
};

export const pythonMethods: Record<string, Record<string, PythonMethod>> = {
  dict: {
    __contains__: same('contains', 'key'),
    __delitem__: same('delItem', 'key'),
    __getitem__: same('getItem', 'key'),
    __iter__: { ...same('iter'), proxyOf: 'Iterator' },
    __len__: same('len'),
    __setitem__: same('setItem', 'key', 'value'),
    clear: same('clear'),
    copy: same('copy'),
    get: same('get', 'key', 'default'),
    items: { ...same('items'), result: (pairs) => (pairs as unknown[][]).map((pair) => asTuple(pair)) },
    keys: same('keys'),
    pop: same('pop', 'key', 'default'),
    popitem: { ...same('popitem'), result: (pair) => asTuple(pair as unknown[]) },
    setdefault: same('setdefault', 'key', 'default'),
    update: same('update', 'other'),
    values: same('values'),
  },
  list: {
    __add__: same('concat', 'other'),
    __contains__: same('contains', 'value'),
    __delitem__: {
      params: ['index'],
      to: ([index]) => (isPythonSlice(index) ? ['delSlice', [index.start, index.stop, index.step]] : ['delItem', [index]]),
    },
    __getitem__: getItem,
    __len__: same('len'),
    __mul__: repeat('repeat'),
    __rmul__: repeat('repeat'),
    __imul__: repeat('imul'),
    __setitem__: {
      params: ['index', 'value'],
      to: ([index, value]) =>
        isPythonSlice(index) ? ['setSlice', [index.start, index.stop, index.step, value]] : ['setItem', [index, value]],
    },
    append: same('append', 'object'),
    clear: same('clear'),
    copy: same('copy'),
    count: same('count', 'value'),
    extend: same('extend', 'iterable'),
    index: same('index', 'value', 'start', 'stop'),
    insert: same('insert', 'index', 'object'),
    pop: same('pop', 'index'),
    remove: same('remove', 'value'),
    reverse: same('reverse'),
    // Python's sort takes key= too, a function, which cannot cross to the manager.
    sort: { params: ['key', 'reverse'], to: ([, reverse]) => ['sort', reverse === undefined ? [] : [reverse]] },
  },
  Iterator: {
    __next__: { params: [], to: () => ['next', []], result: (step) => iteratorStep(step) },
  },
  Namespace: {
    __getattribute__: same('getattr', 'name'),
    __setattr__: same('setattr', 'name', 'value'),
    __delattr__: same('delattr', 'name'),
  },
  Value: { get: same('get'), set: same('set', 'value') },
  Array: { __len__: same('len'), __getitem__: getItem, __setitem__: same('setItem', 'index', 'value') },
  Lock: acquirer,
  RLock: acquirer,
  Semaphore: acquirer,
  BoundedSemaphore: acquirer,
  Condition: {
    ...acquirer,
    wait: same('wait', 'timeout'),
    notify: same('notify', 'n'),
    notify_all: same('notifyAll'),
  },
  Event: { is_set: same('isSet'), set: same('set'), clear: same('clear'), wait: same('wait', 'timeout') },
  Barrier: {
    wait: same('wait', 'timeout'),
    abort: same('abort'),
    reset: same('reset'),
    __getattribute__: {
      params: ['name'],
      to: ([name]) => {
        const method = barrierAttributes[String(name)];
        if (method === undefined) throw new AttributeError(`'Barrier' object has no attribute '${String(name)}'`);
        return [method, []];
      },
    },
  },
  Queue: queue,
  JoinableQueue: queue,
};

const barrierAttributes: Record<string, string> = { parties: 'parties', n_waiting: 'nWaiting', broken: 'broken' };

/**
 * The methods a Python client's AutoProxy may call, for the typeids CPython serves through
 * AutoProxy (its `public_methods` of the object); the others have proxy classes of their own.
 */
export function pythonExposed(typeid: string, mptsExposed: Iterable<string>): string[] {
  const table = pythonMethods[typeid];
  return table === undefined ? [...mptsExposed] : Object.keys(table);
}

class AttributeError extends Error {
  override readonly name = 'AttributeError';
}

class StopIterationError extends Error {
  override readonly name = 'StopIteration';
}

function iteratorStep(step: unknown): unknown {
  const { done, value } = step as IteratorResult<unknown>;
  if (done) throw new StopIterationError('');
  return value;
}
