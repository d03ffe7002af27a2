import type { Servant } from './servant.js';
import type { TypeSpec } from './type-registry.js';

/** One exposed method of a servant, ready to call: the function and how many arguments it takes. */
export interface ServantMethod {
  readonly fn: (...args: unknown[]) => unknown;
  /** Its `length`: the parameters before the first default. */
  readonly min: number;
  /** The parameters it declares; Infinity with a rest parameter. */
  readonly max: number;
}

/** An object's exposed methods by name: one lookup dispatches a call (DESIGN D12). */
export type DispatchTable = ReadonlyMap<string, ServantMethod>;

const tables = new WeakMap<TypeSpec, WeakMap<object, DispatchTable>>();

/**
 * The dispatch table of `servant` under `spec`, built once per type and class: only the
 * exposed names that are methods of the servant are in it, so nothing else (a field,
 * `constructor`, `__proto__`) can ever be called.
 */
export function dispatchTableOf(spec: TypeSpec, servant: Servant): DispatchTable {
  const proto = Object.getPrototypeOf(servant) as object | null;
  // Objects of one class share a table; a plain object's methods are its own, and so are those
  // an object holds in its own fields (an arrow function closes over its instance).
  const kind: object = proto === null || proto === Object.prototype || hasOwnExposed(spec, servant) ? servant : proto;
  let byKind = tables.get(spec);
  if (byKind === undefined) tables.set(spec, (byKind = new WeakMap()));
  let table = byKind.get(kind);
  if (table === undefined) {
    const methods = new Map<string, ServantMethod>();
    for (const name of spec.exposed) {
      if (name === 'constructor' || name === '__proto__') continue;
      const fn = (servant as Record<string, unknown>)[name];
      if (typeof fn === 'function') {
        methods.set(name, { fn: fn as ServantMethod['fn'], min: fn.length, max: declaredParameters(fn) });
      }
    }
    byKind.set(kind, (table = methods));
  }
  return table;
}

function hasOwnExposed(spec: TypeSpec, servant: Servant): boolean {
  for (const name of spec.exposed) if (Object.hasOwn(servant, name)) return true;
  return false;
}

/** The number of declared parameters, read from the source; Infinity when it cannot tell. */
function declaredParameters(method: Function): number {
  const source = Function.prototype.toString.call(method);
  if (source.includes('[native code]')) return Infinity;
  const open = source.indexOf('(');
  const arrow = source.indexOf('=>');
  if (open < 0 || (arrow >= 0 && arrow < open)) return arrow >= 0 ? 1 : Infinity;
  let depth = 0;
  let count = 0;
  let sawToken = false;
  let quote: string | undefined;
  for (let i = open + 1; i < source.length; i++) {
    const c = source[i]!;
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      sawToken = true;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
      sawToken = true;
    } else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return sawToken ? count + 1 : count;
      depth--;
    } else if (c === ',' && depth === 0) {
      count++;
      sawToken = false;
    } else if (c === '.' && depth === 0 && source.startsWith('...', i)) {
      return Infinity;
    } else if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i + 2);
      if (end < 0) return Infinity;
      i = end;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) return Infinity;
      i = end + 1;
    } else if (!/\s/.test(c)) {
      sawToken = true;
    }
  }
  return Infinity;
}
