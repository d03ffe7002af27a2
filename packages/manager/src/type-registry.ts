import { messages, RemoteError, ValueError } from '@mpts/proxy/wire';
import type { Servant } from './servant.js';

/**
 * One shared type a manager serves: Python's registry entry `typeid → (callable, exposed,
 * method_to_typeid, proxytype)`. Built-in types (builtin-types.ts) and registered ones
 * (register.ts) are rows of the same kind.
 */
export interface TypeSpec {
  readonly typeId: string;
  /**
   * Python's `callable`: builds the object from the arguments of `create` (or wraps the result
   * of a `methodToTypeId` method). See `TypeRegistry.register` for a type registered without one.
   */
  readonly create: (...args: any[]) => Servant;
  /**
   * Python's `exposed`: the only methods a proxy may call. null: each object's public methods
   * (Python's `public_methods(obj)`, see dispatch-table.ts).
   */
  readonly exposed: ReadonlySet<string> | null;
  /** Python's `method_to_typeid`: methods whose result becomes a shared object of that type. */
  readonly methodToTypeId: ReadonlyMap<string, string>;
  /**
   * Python's `proxytype`, as the typeId written in tokens: the client's proxy class is the one
   * registered under that name (`'Queue'` gives a `QueueProxy`). null: Python's `AutoProxy`,
   * and tokens carry the exposed names, from which any process builds a generic proxy.
   */
  readonly proxyTypeId: string | null;
  /**
   * Whether a call's argument count is checked against the method's declared parameters, with
   * Python's message: built-in servants, whose methods have no optional parameters the proxies
   * leave out. Python's manager checks nothing for a registered type (the call itself raises),
   * so those are only refused more arguments than the method declares (dispatch-table.ts).
   */
  readonly checksArity: boolean;
}

/** What `TypeRegistry.register` needs; the rest has Python's defaults. */
export interface TypeSpecInit {
  /** Python's `callable`; null for a type that only wraps what it is given. */
  readonly create: ((...args: any[]) => object) | null;
  readonly exposed?: Iterable<string> | null;
  readonly methodToTypeId?: Readonly<Record<string, string>>;
  /** @default null (a generic proxy) */
  readonly proxyTypeId?: string | null;
  /** @default false, as registered types */
  readonly checksArity?: boolean;
}

/** typeId → how to make and serve it: the one table of a manager's shared types. */
export class TypeRegistry {
  private readonly specs = new Map<string, TypeSpec>();

  /** Adds a type, or replaces the one of the same typeId. */
  register(typeId: string, init: TypeSpecInit): TypeSpec {
    const methodToTypeId = new Map(Object.entries(init.methodToTypeId ?? {}));
    // As Python's Server.create, the methods whose results are wrapped are exposed too.
    const exposed = init.exposed == null ? null : new Set([...init.exposed, ...methodToTypeId.keys()]);
    const spec: TypeSpec = {
      typeId,
      create: (init.create ?? theOneArgument) as TypeSpec['create'],
      exposed,
      methodToTypeId,
      proxyTypeId: init.proxyTypeId ?? null,
      checksArity: init.checksArity ?? false,
    };
    this.specs.set(typeId, spec);
    return spec;
  }

  get(typeId: string): TypeSpec {
    const spec = this.specs.get(typeId);
    if (spec === undefined) throw new RemoteError(messages.unknownType(typeId));
    return spec;
  }

  has(typeId: string): boolean {
    return this.specs.has(typeId);
  }

  typeIds(): string[] {
    return [...this.specs.keys()];
  }
}

/**
 * Python's `callable=None`: the one argument is the object itself. That is how a
 * `methodToTypeId` result is served as it is; a client creating one directly must pass it.
 */
function theOneArgument(...args: unknown[]): object {
  if (args.length !== 1) throw new ValueError(messages.withoutCallable);
  return args[0] as object;
}
