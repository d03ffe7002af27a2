import { SELF_ADDRESS, TokenCarrier, type TokenData } from '@mpts/proxy/wire';

/**
 * A shared object as it appears inside the manager's own values: a proxy stored in a dict or a
 * list becomes a `ServerRef` there, and a proxy again when it is read back. The object stays
 * alive while a container holds its `ServerRef` (DESIGN D5).
 */
export class ServerRef extends TokenCarrier {
  constructor(
    readonly id: number,
    readonly typeId: string,
    readonly exposed: readonly string[] | undefined,
    /** The server instance that made the object (see `TokenData.instance`). */
    readonly instance: string,
  ) {
    super();
  }

  toTokenData(): TokenData {
    return { typeId: this.typeId, id: this.id, address: SELF_ADDRESS, instance: this.instance, exposed: this.exposed };
  }

  override toString(): string {
    return `<${this.typeId} proxy, id ${this.id}>`;
  }
}

/** A proxy of another manager, stored here: kept and returned as it came. */
export class ForeignToken extends TokenCarrier {
  constructor(private readonly data: TokenData) {
    super();
  }

  toTokenData(): TokenData {
    return this.data;
  }

  override toString(): string {
    return `<${this.data.typeId} proxy at ${this.data.address}, id ${this.data.id}>`;
  }
}

/**
 * Every `ServerRef` inside a value, however deeply nested: in arrays, `Map` keys and values,
 * `Set`s and plain objects. Iterative and cycle-safe, so no stored value can overflow the stack
 * of the manager or keep it walking forever. Instances of other classes are not looked into
 * (a servant's internals: sockets, waiters), except `value` itself when `intoInstance` says so.
 */
export function refsIn(value: unknown, intoInstance = false): ServerRef[] {
  const found: ServerRef[] = [];
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  let first = intoInstance;
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null || seen.has(item)) continue;
    if (item instanceof ServerRef) {
      found.push(item);
      continue;
    }
    seen.add(item);
    if (Array.isArray(item) || item instanceof Set) {
      for (const child of item) if (typeof child === 'object' && child !== null) stack.push(child);
    } else if (item instanceof Map) {
      for (const [key, child] of item) {
        if (typeof key === 'object' && key !== null) stack.push(key);
        if (typeof child === 'object' && child !== null) stack.push(child);
      }
    } else if (first || isPlainObject(item)) {
      for (const child of Object.values(item)) if (typeof child === 'object' && child !== null) stack.push(child);
    }
    first = false;
  }
  return found;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
