import { PythonException } from './python-values.js';

/**
 * The Python class each mpts error is raised as on a Python client, by the error's name (mpts
 * names its errors after Python's). Only these are sent as exceptions (`#ERROR`); any other
 * error reaches Python as `#TRACEBACK` text, which its proxy raises as `RemoteError`.
 */
const pythonClasses: Record<string, [module: string, name: string]> = {
  KeyError: ['builtins', 'KeyError'],
  IndexError: ['builtins', 'IndexError'],
  ValueError: ['builtins', 'ValueError'],
  TypeError: ['builtins', 'TypeError'],
  RuntimeError: ['builtins', 'RuntimeError'],
  RecursionError: ['builtins', 'RecursionError'],
  AttributeError: ['builtins', 'AttributeError'],
  AssertionError: ['builtins', 'AssertionError'],
  OverflowError: ['builtins', 'OverflowError'],
  MemoryError: ['builtins', 'MemoryError'],
  NotImplementedError: ['builtins', 'NotImplementedError'],
  StopIteration: ['builtins', 'StopIteration'],
  // Where CPython's own classes live: pickle names them so.
  QueueEmpty: ['_queue', 'Empty'],
  QueueFull: ['queue', 'Full'],
  BrokenBarrierError: ['threading', 'BrokenBarrierError'],
};

/**
 * The exception `error` is for Python, or undefined when it has no Python class. `args`
 * replaces the message as the exception's arguments (a KeyError carries the key itself).
 */
export function pythonException(error: unknown, args?: unknown[]): PythonException | undefined {
  if (!(error instanceof Error)) return undefined;
  const target = pythonClasses[error.name];
  if (target === undefined) return undefined;
  return new PythonException(target[0], target[1], args ?? (error.message === '' ? [] : [error.message]));
}

/** What Python's `RemoteError` shows for an error with no Python class. */
export function tracebackText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return `${error.name}: ${error.message}\n${(error as { remoteStack?: string }).remoteStack ?? error.stack ?? ''}`;
}
