import {
  exceptionValueRepr,
  KeyError,
  messages,
  pythonRepr,
  pythonReprPreview,
  setMethods,
} from '@mpts/proxy/wire';
import { HashableKeys } from '../hashable-keys.js';
import { elementsOf } from '../python-iteration.js';
import type { Servant } from '../servant.js';

/**
 * A set of Python-hashable values: `1`, `1.0`, `true` and `1n` are one element (the first one
 * added stays), arrays are tuples compared by value, and `Map`s, `Set`s and plain objects are
 * unhashable (`TypeError`), as in Python.
 */
class HashableSet {
  readonly items = new Set<unknown>();
  private readonly keys = new HashableKeys((key) => this.items.has(key));

  constructor(elements: Iterable<unknown> = []) {
    for (const element of elements) this.add(element);
  }

  get size(): number {
    return this.items.size;
  }

  add(element: unknown): void {
    this.items.add(this.keys.resolve(element, true));
  }

  has(element: unknown): boolean {
    return this.items.has(this.keys.resolve(element, false));
  }

  /** The stored element equal to `element`, or `missing`. */
  find(element: unknown): unknown {
    const resolved = this.keys.resolve(element, false);
    return this.items.has(resolved) ? resolved : missing;
  }

  delete(element: unknown): boolean {
    const resolved = this.keys.resolve(element, false);
    if (!this.items.delete(resolved)) return false;
    this.keys.forget(resolved);
    return true;
  }

  clear(): void {
    this.items.clear();
    this.keys.clear();
  }
}

const missing = Symbol('missing');

/**
 * Python's `set` (3.14's `SyncManager.set`), served to `SetProxy`. Elements keep the order they
 * were added in (Python's order is arbitrary), and `pop` removes the oldest.
 */
export class SetServant implements Servant {
  private readonly set = new HashableSet();

  constructor(init?: unknown) {
    if (init !== undefined) for (const element of elementsOf(init)) this.set.add(element);
  }

  static readonly exposed = setMethods;

  add(element: unknown): void {
    this.set.add(element);
  }

  /** Removes `element` if present. As in Python, a `Set` is looked up as a frozenset: never here. */
  discard(element: unknown): void {
    this.delete(element);
  }

  remove(element: unknown): void {
    if (!this.delete(element)) throw new KeyError(exceptionValueRepr(element));
  }

  /** JavaScript's `Set.delete`: `discard`, resolving to whether the element was there. */
  delete(element: unknown): boolean {
    if (element instanceof Set) return false;
    return this.set.delete(element);
  }

  contains(element: unknown): boolean {
    if (element instanceof Set) return false;
    return this.set.has(element);
  }

  pop(): unknown {
    const first = this.set.items.values().next();
    if (first.done) throw new KeyError(messages.popFromEmptySet);
    this.set.delete(first.value);
    return first.value;
  }

  clear(): void {
    this.set.clear();
  }

  len(): number {
    return this.set.size;
  }

  copy(): Set<unknown> {
    return new Set(this.set.items);
  }

  update(...others: unknown[]): void {
    for (const other of others) for (const element of elementsOf(other)) this.set.add(element);
  }

  differenceUpdate(...others: unknown[]): void {
    for (const other of others) for (const element of elementsOf(other)) this.set.delete(element);
  }

  intersectionUpdate(...others: unknown[]): void {
    const result = intersect(this.set, others);
    this.set.clear();
    for (const element of result.items) this.set.add(element);
  }

  symmetricDifferenceUpdate(other: unknown): void {
    // As Python does, `other` becomes a set first: an element it holds twice toggles once.
    for (const element of new HashableSet(elementsOf(other)).items) {
      if (!this.set.delete(element)) this.set.add(element);
    }
  }

  union(...others: unknown[]): Set<unknown> {
    const result = new HashableSet(this.set.items);
    for (const other of others) for (const element of elementsOf(other)) result.add(element);
    return result.items;
  }

  intersection(...others: unknown[]): Set<unknown> {
    return intersect(this.set, others).items;
  }

  difference(...others: unknown[]): Set<unknown> {
    const result = new HashableSet(this.set.items);
    for (const other of others) for (const element of elementsOf(other)) result.delete(element);
    return result.items;
  }

  symmetricDifference(other: unknown): Set<unknown> {
    const result = new HashableSet(this.set.items);
    for (const element of new HashableSet(elementsOf(other)).items) {
      if (!result.delete(element)) result.add(element);
    }
    return result.items;
  }

  isdisjoint(other: unknown): boolean {
    for (const element of elementsOf(other)) if (this.set.has(element)) return false;
    return true;
  }

  issubset(other: unknown): boolean {
    const superset = new HashableSet(elementsOf(other));
    for (const element of this.set.items) if (!superset.has(element)) return false;
    return true;
  }

  issuperset(other: unknown): boolean {
    for (const element of elementsOf(other)) if (!this.set.has(element)) return false;
    return true;
  }

  getValue(): Set<unknown> {
    return this.copy();
  }

  /** Its elements (tuples may hold proxies): see `Servant.heldValues`. */
  heldValues(): Iterable<unknown> {
    return this.set.items;
  }

  /** Python's repr; with `limit`, only its first `limit` characters (a preview). */
  str(limit?: number): string {
    return limit === undefined ? pythonRepr(this.set.items) : pythonReprPreview(this.set.items, limit);
  }

  debugState(): Record<string, unknown> {
    return { size: this.set.size };
  }
}

/**
 * Python's `set.intersection(*others)`, keeping the element Python keeps: the one of the set
 * it iterates, which is `other` unless `other` is a larger set (`{1} & {True}` is `{True}`).
 */
function intersect(start: HashableSet, others: unknown[]): HashableSet {
  let result = new HashableSet(start.items);
  for (const other of others) {
    const next = new HashableSet();
    const elements = elementsOf(other);
    if (elements instanceof Set && elements.size > result.size) {
      const larger = new HashableSet(elements);
      for (const element of result.items) if (larger.has(element)) next.add(element);
    } else {
      for (const element of elements) if (result.find(element) !== missing) next.add(element);
    }
    result = next;
  }
  return result;
}
