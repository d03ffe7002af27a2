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
  ) {
    super();
  }

  toTokenData(): TokenData {
    return { typeId: this.typeId, id: this.id, address: SELF_ADDRESS, exposed: this.exposed };
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

/** Every `ServerRef` inside a value, however deeply nested. */
export function* refsIn(value: unknown): Generator<ServerRef> {
  if (typeof value !== 'object' || value === null) return;
  if (value instanceof ServerRef) {
    yield value;
  } else if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) yield* refsIn(item);
  } else if (value instanceof Map) {
    for (const [key, item] of value) {
      yield* refsIn(key);
      yield* refsIn(item);
    }
  } else if (!ArrayBuffer.isView(value) && !(value instanceof Date)) {
    for (const item of Object.values(value)) yield* refsIn(item);
  }
}
