import { messages, RemoteError } from '@mpts/proxy/wire';
import type { Servant } from './servant.js';

/** How the manager makes and serves one shared type (Python's `register`, server side). */
export interface TypeSpec {
  readonly typeId: string;
  /** Builds the real object from the factory's arguments. */
  readonly create: (...args: any[]) => Servant;
  /** The only methods a proxy may call. */
  readonly exposed: ReadonlySet<string>;
  /**
   * Whether the client's proxy class is generic (no class of its own), so tokens carry the
   * exposed list to whoever rebuilds the proxy.
   */
  readonly tokenCarriesExposed: boolean;
  /** Methods whose result is returned as a proxy to a new shared object of the given type. */
  readonly methodToTypeId: ReadonlyMap<string, string>;
  /**
   * Registered types (see `register.ts`): `exposed` is worked out from each object (its class's
   * static `exposed`, or its public methods), as Python's `public_methods(obj)`.
   */
  readonly autoExposed?: boolean;
  /** The typeId written in tokens, which picks the client's proxy class (e.g. `'Queue'`). */
  readonly proxyTypeId?: string;
  /**
   * A type with no factory (Python's `callable=None`): it only wraps what a `methodToTypeId`
   * method returns, and clients cannot create it.
   */
  readonly wrapsResults?: boolean;
}

/** typeId → how to make and serve it: the one table of the manager's shared types. */
export class TypeRegistry {
  private readonly specs = new Map<string, TypeSpec>();

  register<S extends Servant>(
    typeId: string,
    create: (...args: any[]) => S,
    exposed: Iterable<keyof S & string> | Iterable<string>,
    options: { tokenCarriesExposed?: boolean; methodToTypeId?: Record<string, string> } = {},
  ): void {
    this.specs.set(typeId, {
      typeId,
      create,
      exposed: new Set(exposed as Iterable<string>),
      tokenCarriesExposed: options.tokenCarriesExposed ?? false,
      methodToTypeId: new Map(Object.entries(options.methodToTypeId ?? {})),
    });
  }

  /** Adds a fully described type (user types, see `register.ts`); replaces one of the same id. */
  add(spec: TypeSpec): void {
    this.specs.set(spec.typeId, spec);
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
