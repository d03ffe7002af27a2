/**
 * Key names. Every key of one shared object carries the object's hash tag `{prefix:id}`, so
 * all of them sit in one Cluster slot and each method can be one script over them.
 */
export class ObjectKeys {
  readonly tag: string;

  constructor(prefix: string, readonly id: number) {
    this.tag = `${prefix}:{${prefix}:${id}}`;
  }

  /** The object's key named `part` (`h`, `q`, `st`...). */
  key(part: string): string {
    return `${this.tag}:${part}`;
  }

  /** The object's meta hash: its type and reference count. */
  get meta(): string {
    return this.key('meta');
  }
}

/**
 * Keys of a namespace that are not any one object's: the id counter, the object registry, and
 * the live sessions (session → the end of its lease), for `debugInfo()`.
 */
export function namespaceKeys(prefix: string): { nextId: string; objects: string; sessions: string } {
  return { nextId: `${prefix}:{${prefix}}:next-id`, objects: `${prefix}:{${prefix}}:objects`, sessions: `${prefix}:{${prefix}}:sessions` };
}

/** Python's `at 0x…` of a Redis object: its id, the same in every process. */
export function objectAddress(id: number): string {
  return `0x${id.toString(16)}`;
}
