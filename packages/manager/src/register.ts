import { registerProxyType, type ProxyClass } from '@mpts/proxy';
import { builtinTypes } from './builtin-types.js';
import type { TypeRegistry } from './type-registry.js';
import { messages } from '@mpts/proxy/wire';

/**
 * Your own shared types: Python's `BaseManager.register(typeid, callable, proxytype, exposed,
 * method_to_typeid, create_method)`.
 *
 * As in Python, registrations belong to a manager class: `register` writes the class's own
 * registry, copied from its parent's on the first write, so a subclass inherits what its parent
 * registered and never changes it. Two classes may register one typeId differently (the server's
 * with a factory, the client's without). A server serves one class's registry: the class that
 * started or serves it (`SubManager.start()`, `SubManager.serve()`), found by name in the server
 * process once it has imported the `register` modules. The factories always run in the server
 * process; that is why the server must import the module that registers them.
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

/** A manager class (registrations are kept on the class object itself). */
export type ManagerClass = abstract new (...args: any[]) => object;

// Keyed with Symbol.for on the class and globalThis: a process may load mpts twice (from source
// and from dist), and both copies must see one registry per class.
const registryKey: unique symbol = Symbol.for('mpts.registry') as never;
const ownersKey: unique symbol = Symbol.for('mpts.registryOwners') as never;
type WithRegistry = ManagerClass & { [registryKey]?: Map<string, Registration> };
/** Every class that registered a type in this process, to find a server's class by name. */
const owners: Set<ManagerClass> = ((globalThis as { [ownersKey]?: Set<ManagerClass> })[ownersKey] ??= new Set());

/** Records a registration on `managerClass`, and sets up the client's proxy class. */
export function registerOn(managerClass: ManagerClass, registration: Registration): void {
  const { typeId, factory, options } = registration;
  if (typeof typeId !== 'string' || typeId === '') throw new TypeError(messages.typeIdNotString);
  if (factory !== null && typeof factory !== 'function') {
    throw new TypeError(messages.factoryNotFunction(typeId));
  }
  for (const [method, target] of Object.entries(options.methodToTypeId ?? {})) {
    if (typeof method !== 'string' || typeof target !== 'string') {
      throw new TypeError(messages.methodToTypeIdNotStrings);
    }
  }
  const owner = managerClass as WithRegistry;
  // Python's `if '_registry' not in cls.__dict__: cls._registry = cls._registry.copy()`.
  if (!Object.hasOwn(owner, registryKey)) owner[registryKey] = new Map(registryOf(managerClass));
  owner[registryKey]!.set(typeId, registration);
  owners.add(managerClass);
  // A token alone must become a proxy in any process (a child given the proxy), so a proxy class
  // of your own is known by its typeId process-wide. A generic proxy needs nothing: its token
  // lists its methods; a built-in typeId's tokens name that type.
  if (typeof options.proxyType === 'function') registerProxyType(typeId, options.proxyType);
}

/** The registrations `managerClass` serves: its own, else those it inherits. */
export function registryOf(managerClass: ManagerClass): ReadonlyMap<string, Registration> {
  const owner = registryOwner(managerClass);
  return owner === undefined ? new Map() : (owner as WithRegistry)[registryKey]!;
}

/** The class whose registry `managerClass` uses: itself, or the nearest parent that registered. */
export function registryOwner(managerClass: ManagerClass): ManagerClass | undefined {
  for (let level: unknown = managerClass; typeof level === 'function'; level = Object.getPrototypeOf(level)) {
    if (Object.hasOwn(level, registryKey)) return level as ManagerClass;
  }
  return undefined;
}

/**
 * The class a server serves the registry of: `manager` itself; or, given a name, the class of
 * that name that registered types in this process. Given nothing, a server that imported
 * `register` modules serves the one class they registered on (`mpts serve --register
 * ./my-types.js`, or a plain `Manager.serve({ register })`); otherwise only the built-in types.
 * `importedModules`: the server imported `register` modules, so a named class must be there.
 */
export function findManagerClass(manager: ManagerClass | string | undefined, importedModules: boolean): ManagerClass | undefined {
  if (typeof manager === 'function') return manager;
  if (manager === undefined && !importedModules) return undefined;
  const candidates = [...owners].filter((known) => manager === undefined || known.name === manager);
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) {
    const names = candidates.map((known) => known.name || '(anonymous)').join(', ');
    throw new TypeError(
      manager === undefined ? messages.severalManagerClasses(names) : messages.severalManagerClassesNamed(manager),
    );
  }
  if (manager !== undefined && importedModules) {
    throw new TypeError(messages.noManagerClassNamed(manager));
  }
  return undefined;
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

/**
 * Adds `registrations` to a server's type table. A built-in `proxyType` (`'Queue'`) lends its
 * exposed methods, as Python's `exposed or proxytype._exposed_`.
 */
export function addRegistrations(types: TypeRegistry, registrations: Iterable<Registration>): void {
  for (const { typeId, factory, options } of registrations) {
    const { proxyType, methodToTypeId } = options;
    const builtin = typeof proxyType === 'string' && types.has(proxyType) ? types.get(proxyType) : undefined;
    types.register(typeId, {
      create: factory,
      exposed: options.exposed ?? builtin?.exposed ?? null,
      methodToTypeId,
      proxyTypeId: typeof proxyType === 'string' ? proxyType : proxyType === undefined ? null : typeId,
    });
  }
}
