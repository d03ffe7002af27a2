import { PythonFloat } from '@mpts/proxy/wire';

/**
 * Where a Python client's whole floats (`PythonFloat`, see python-float.ts) are kept and where
 * they become plain numbers.
 *
 * They are kept in what the builtin containers store (dict and list items, Namespace
 * attributes, a Value's value, queue items), so that they come back to Python as floats. Code
 * of mpts's users, a `register()`ed type's factory and methods, gets plain numbers, as it would
 * from an mpts client; so do the manager's own numeric parameters (a timeout, a semaphore's
 * value), which Python lets be a float.
 */

/** The typeids whose objects store the values they are given. */
const storesValues = new Set(['dict', 'list', 'Namespace', 'Value', 'Array']);

/** The parameters, among the builtin types' methods, that take any number. */
const numericParams = new Set(['timeout']);

/** A new object's arguments as its factory takes them. */
export function creationArguments(typeid: string, args: unknown[]): unknown[] {
  return storesValues.has(typeid) ? args : (plainNumbers(args) as unknown[]);
}

/** A method's arguments as the servant takes them: `params` names them (a builtin type), or undefined (a registered type). */
export function callArguments(params: readonly string[] | undefined, args: unknown[]): unknown[] {
  if (params === undefined) return plainNumbers(args) as unknown[];
  for (let i = 0; i < args.length; i++) {
    if (args[i] instanceof PythonFloat && numericParams.has(params[i]!)) args[i] = (args[i] as PythonFloat).value;
  }
  return args;
}

/**
 * `value` with each whole float a plain number, changed in place: the decoder's values belong
 * to the request (a set or map is refilled, so a frozenset keeps its mark).
 */
function plainNumbers(value: unknown, depth = 0): unknown {
  if (value instanceof PythonFloat) return value.value;
  // The decoder refuses values nested deeper than 1,000.
  if (typeof value !== 'object' || value === null || depth > 1000) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = plainNumbers(value[i], depth + 1);
  } else if (value instanceof Map) {
    const entries = [...value];
    value.clear();
    for (const [key, item] of entries) value.set(plainNumbers(key, depth + 1), plainNumbers(item, depth + 1));
  } else if (value instanceof Set) {
    const items = [...value];
    value.clear();
    for (const item of items) value.add(plainNumbers(item, depth + 1));
  }
  return value;
}
