import { registerProxyType, type ProxyClass } from '@mpts/proxy';
import { AutoProxy, proxyClassFor } from '@mpts/proxy/wire';
import { builtinTypes } from './builtin-types.js';
import type { Servant } from './servant.js';
import type { TypeRegistry, TypeSpec } from './type-registry.js';

/**
 * Your own shared types: Python's `BaseManager.register(typeid, callable, proxytype, exposed,
 * method_to_typeid, create_method)`.
 *
 * A registration is recorded twice over:
 * - on the manager class it was made on (and its subclasses), for the client side: the proxy
 *   class of the type and the factory method `manager.<typeId>(...)`;
 * - in one process-wide list, for the server side: a server (`Manager.serve()`, the forked
 *   server of `Manager.start({ register: [moduleUrl] })`, `mpts serve --register`) imports the
 *   user's modules first, and serves every type they registered. The factories always run in
 *   the server process; that is why the server must import the module that registers them.
 */
export interface RegisterOptions {
  /**
   * The methods a proxy may call. By default, those of the object: its class's static
   * `exposed` list if it has one, else its public methods (names not starting with `_`), as
   * Python's `public_methods(obj)`.
   */
  exposed?: readonly string[];
  /** Methods whose result is returned as a proxy to a new shared object of that type. */
  methodToTypeId?: Record<string, string>;
  /**
   * The client's proxy class: a class (registered for this typeId), or the typeId of a built-in
   * type whose proxy and methods to use (`'Queue'`, `'dict'`...). By default a generic
   * `AutoProxy` with one method per exposed name.
   */
  proxyType?: ProxyClass | string;
  /** Adds `manager.<typeId>(...args)`. @default true */
  createMethod?: boolean;
}

/** A factory run in the server: it returns the real object (a new one, or a shared one). */
export type Factory = (...args: any[]) => object;

export interface Registration {
  readonly typeId: string;
  /** null: Python's `callable=None`, a type that only wraps what other methods return. */
  readonly factory: Factory | null;
  readonly options: RegisterOptions;
}

/** Every registration made in this process, for a server started here (see above). */
const global = globalThis as { [key: symbol]: Registration[] | undefined };
const registrationsKey = Symbol.for('mpts.registrations');
const processRegistrations: Registration[] = (global[registrationsKey] ??= []);

/** What a `register()` on any manager class says the server should serve. */
export function registrations(): readonly Registration[] {
  return processRegistrations;
}

/** Records a registration for this process's servers, and sets up the client's proxy class. */
export function recordRegistration(registration: Registration): void {
  const { typeId, factory, options } = registration;
  if (typeof typeId !== 'string' || typeId === '') throw new TypeError('a registered typeId must be a non-empty string');
  if (factory !== null && typeof factory !== 'function') {
    throw new TypeError(`the factory of '${typeId}' must be a function, or null for a type that only wraps results`);
  }
  for (const [method, target] of Object.entries(options.methodToTypeId ?? {})) {
    if (typeof method !== 'string' || typeof target !== 'string') {
      throw new TypeError('methodToTypeId maps method names to typeIds, both strings');
    }
  }
  const index = processRegistrations.findIndex((known) => known.typeId === typeId);
  if (index >= 0) processRegistrations.splice(index, 1);
  processRegistrations.push(registration);
  const proxyType = options.proxyType;
  if (typeof proxyType === 'function') registerProxyType(typeId, proxyType);
  else if (typeof proxyType === 'string') registerProxyType(typeId, proxyClassFor(proxyType));
  else registerProxyType(typeId, AutoProxy as unknown as ProxyClass);
}

let builtins: TypeRegistry | undefined;

/**
 * The real object of a built-in type (`'Queue'`, `'dict'`, `'Lock'`...), made here, to hand out
 * from a registered factory: one object that every client gets a proxy to (Python's
 * `register('get_queue', callable=lambda: queue)`).
 *
 * @example
 * let queue: object | undefined;
 * QueueManager.register('getQueue', () => (queue ??= builtinObject('Queue')), { proxyType: 'Queue' });
 */
export function builtinObject(typeId: string, ...args: unknown[]): object {
  return (builtins ??= builtinTypes()).get(typeId).create(...args);
}

/** Adds every registration made in this process to a server's type table. */
export function applyRegistrations(types: TypeRegistry, list: readonly Registration[] = processRegistrations): void {
  for (const { typeId, factory, options } of list) {
    const builtin = typeof options.proxyType === 'string' && types.has(options.proxyType)
      ? types.get(options.proxyType)
      : undefined;
    const exposed = options.exposed ?? (builtin ? [...builtin.exposed] : undefined);
    const methodToTypeId = new Map(Object.entries(options.methodToTypeId ?? {}));
    const spec: TypeSpec = {
      typeId,
      create: factory === null ? refuseCreate(typeId) : (factory as TypeSpec['create']),
      exposed: new Set([...(exposed ?? []), ...methodToTypeId.keys()]),
      // A generic proxy learns its methods from the token, in any process.
      tokenCarriesExposed: options.proxyType === undefined,
      methodToTypeId,
      autoExposed: exposed === undefined,
      proxyTypeId: typeof options.proxyType === 'string' ? options.proxyType : undefined,
      wrapsResults: factory === null,
    };
    types.add(spec);
  }
}

function refuseCreate(typeId: string): TypeSpec['create'] {
  return () => {
    throw new TypeError(`'${typeId}' has no factory: it only wraps what other shared objects' methods return`);
  };
}

/** Servant hooks the manager calls itself; never callable through a proxy. */
const servantHooks = new Set(['constructor', 'str', 'getValue', 'clientGone', 'dispose', 'debugState', 'then']);
const derivedSpecs = new WeakMap<TypeSpec, WeakMap<object, TypeSpec>>();

/**
 * The spec an object of a registered type is served under: its exposed methods (worked out
 * once per class), and the typeId its tokens carry.
 */
export function objectSpec(spec: TypeSpec, servant: Servant): TypeSpec {
  if (!spec.autoExposed && spec.proxyTypeId === undefined) return spec;
  const kind: object = Object.getPrototypeOf(servant) === Object.prototype || Object.getPrototypeOf(servant) === null
    ? servant
    : Object.getPrototypeOf(servant);
  let byKind = derivedSpecs.get(spec);
  if (byKind === undefined) derivedSpecs.set(spec, (byKind = new WeakMap()));
  let derived = byKind.get(kind);
  if (derived === undefined) {
    const exposed = spec.autoExposed ? new Set([...publicMethods(servant), ...spec.methodToTypeId.keys()]) : spec.exposed;
    derived = { ...spec, typeId: spec.proxyTypeId ?? spec.typeId, exposed };
    byKind.set(kind, derived);
  }
  return derived;
}

/** Python's `public_methods(obj)`: the class's static `exposed`, else its public methods. */
export function publicMethods(servant: object): string[] {
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
