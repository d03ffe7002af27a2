import type { Servant } from './servant.js';
import type { TypeSpec } from './type-registry.js';

/** One exposed method of a servant, ready to call: the function and how many arguments it takes. */
export interface ServantMethod {
  readonly fn: (...args: unknown[]) => unknown;
  /**
   * The fewest arguments: the parameters before the first default for a built-in servant; 0 for
   * a registered type, as Python's manager checks nothing (an optional TypeScript parameter has
   * no default, and a built-in function's `length` counts optional ones: a generator's `next`).
   */
  readonly min: number;
  /** The parameters it declares; Infinity with a rest parameter or when it cannot tell. */
  readonly max: number;
}

/** An object's exposed methods by name: one lookup dispatches a call (DESIGN D12). */
export type DispatchTable = ReadonlyMap<string, ServantMethod>;

const tables = new WeakMap<TypeSpec, WeakMap<object, DispatchTable>>();

/**
 * The dispatch table of `servant` under `spec`, built once per type and class: only the
 * exposed names that are methods of the servant are in it, so nothing else (a field,
 * `constructor`, `__proto__`) can ever be called. A type registered without an exposed list
 * exposes the object's public methods (Python's `public_methods(obj)`); its tokens carry the
 * table's names, from which the client builds its proxy.
 */
export function dispatchTableOf(spec: TypeSpec, servant: Servant): DispatchTable {
  const proto = Object.getPrototypeOf(servant) as object | null;
  // Objects of one class share a table; a plain object's methods are its own, and so are those
  // an object holds in its own fields (an arrow function closes over its instance).
  const kind: object = proto === null || proto === Object.prototype || hasOwnMethods(spec, servant) ? servant : proto;
  let byKind = tables.get(spec);
  if (byKind === undefined) tables.set(spec, (byKind = new WeakMap()));
  let table = byKind.get(kind);
  if (table === undefined) {
    const methods = new Map<string, ServantMethod>();
    const exposed = spec.exposed ?? [...publicMethods(servant), ...spec.methodToTypeId.keys()];
    for (const name of exposed) {
      if (name === 'constructor' || name === '__proto__') continue;
      const fn = (servant as Record<string, unknown>)[name];
      if (typeof fn === 'function') {
        methods.set(name, { fn: fn as ServantMethod['fn'], min: spec.checksArity ? fn.length : 0, max: declaredParameters(fn) });
      }
    }
    byKind.set(kind, (table = methods));
  }
  return table;
}

/** Whether the servant holds methods of its own that a proxy may call (its table is its own). */
function hasOwnMethods(spec: TypeSpec, servant: Servant): boolean {
  if (spec.exposed !== null) {
    for (const name of spec.exposed) if (Object.hasOwn(servant, name)) return true;
    return false;
  }
  for (const name of Object.getOwnPropertyNames(servant)) {
    if (!name.startsWith('_') && typeof Object.getOwnPropertyDescriptor(servant, name)?.value === 'function') return true;
  }
  return false;
}

/** Servant hooks the manager calls itself; never callable through a proxy. */
const servantHooks = new Set(['constructor', 'str', 'getValue', 'heldValues', 'clientGone', 'dispose', 'debugState', 'then']);

/** Python's `public_methods(obj)`: the class's static `exposed`, else its public methods. */
function publicMethods(servant: object): string[] {
  const declared = (servant.constructor as { exposed?: unknown } | undefined)?.exposed;
  if (Array.isArray(declared) && declared.every((name) => typeof name === 'string')) return [...declared];
  const names = new Set<string>();
  for (let level: object | null = servant; level !== null && level !== Object.prototype; level = Object.getPrototypeOf(level)) {
    for (const name of Object.getOwnPropertyNames(level)) {
      if (name.startsWith('_') || servantHooks.has(name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(level, name);
      if (descriptor !== undefined && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return [...names];
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
