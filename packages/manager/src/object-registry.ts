import { messages, RemoteError } from '@mpts/proxy/wire';
import type { ClientSession } from './client-session.js';
import { dispatchTableOf, type DispatchTable } from './dispatch-table.js';
import type { Servant } from './servant.js';
import { refsIn, ServerRef } from './server-ref.js';
import type { TypeSpec } from './type-registry.js';

/** One shared object in the manager. */
export interface ObjectEntry {
  readonly id: number;
  readonly spec: TypeSpec;
  readonly servant: Servant;
  /** Its exposed methods, ready to call. */
  readonly methods: DispatchTable;
  /** References held by client connections, summed. */
  refcount: number;
  /** Set once a proxy was stored in it: only such objects can keep others alive. */
  mayHoldRefs: boolean;
  /** The one `ServerRef` standing for this object inside the manager's values. */
  readonly ref: ServerRef;
}

/** Each object's entry by the `ServerRef` that stands for it, across every registry. */
const entriesByRef = new WeakMap<ServerRef, ObjectEntry>();

/**
 * The servant behind a `ServerRef` a servant received as an argument (a Condition built over a
 * passed Lock), or undefined if that object is gone.
 */
export function servantOf(ref: ServerRef): Servant | undefined {
  return entriesByRef.get(ref)?.servant;
}

/**
 * id → shared object, with reference counts (DESIGN D5).
 *
 * An object lives while a client connection references it or while a living object holds a
 * `ServerRef` to it (a proxy stored in a dict or list). Counts are kept per connection, so a
 * connection that closes gives back exactly what it held. When some count reaches zero, a
 * collection runs at the end of the tick: objects nobody references and no living container
 * holds are deleted. Only containers that ever received a proxy are searched, so plain data
 * costs nothing.
 */
export class ObjectRegistry {
  private readonly entries = new Map<number, ObjectEntry>();
  private nextId = 1;
  private collectScheduled = false;
  private containersWithRefs = 0;

  /** @param instance the server instance whose objects these are; their tokens carry it */
  constructor(readonly instance: string) {}

  add(spec: TypeSpec, servant: Servant): ObjectEntry {
    const id = this.nextId++;
    const methods = dispatchTableOf(spec, servant);
    // The token names the client's proxy class; a generic proxy (null) is built from its methods.
    const exposed = spec.proxyTypeId === null ? [...methods.keys()] : undefined;
    const ref = new ServerRef(id, spec.proxyTypeId ?? spec.typeId, exposed, this.instance);
    const entry: ObjectEntry = { id, spec, servant, methods, refcount: 0, mayHoldRefs: false, ref };
    this.entries.set(id, entry);
    entriesByRef.set(ref, entry);
    // Nothing references it yet; the reply that hands it out will. Until then it must survive.
    this.scheduleCollect();
    return entry;
  }

  get(id: number): ObjectEntry {
    const entry = this.entries.get(id);
    if (entry === undefined) throw new RemoteError(messages.unknownObject(id));
    return entry;
  }

  find(id: number): ObjectEntry | undefined {
    return this.entries.get(id);
  }

  get size(): number {
    return this.entries.size;
  }

  values(): IterableIterator<ObjectEntry> {
    return this.entries.values();
  }

  incref(client: ClientSession, id: number): void {
    const entry = this.get(id);
    entry.refcount++;
    client.refs.set(id, (client.refs.get(id) ?? 0) + 1);
  }

  /**
   * Counts one reference per ref for `client` (a reply that carries them was encoded), all or
   * none: if one of them is gone, nothing is counted and the error says which.
   */
  increfAll(client: ClientSession, refs: readonly ServerRef[]): void {
    for (const ref of refs) this.get(ref.id);
    for (const ref of refs) this.incref(client, ref.id);
  }

  /** Whether `ref` was made by this registry's server (not another's); `increfAll` checks it still lives. */
  owns(ref: ServerRef): boolean {
    return ref.instance === this.instance;
  }

  /** Drops up to `count` of the client's references; more than it holds is ignored. */
  decref(client: ClientSession, id: number, count: number): void {
    const held = client.refs.get(id) ?? 0;
    const dropped = Math.min(held, Math.max(0, Math.floor(count)));
    if (dropped === 0) return;
    if (held === dropped) client.refs.delete(id);
    else client.refs.set(id, held - dropped);
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    entry.refcount -= dropped;
    if (entry.refcount === 0) this.scheduleCollect();
  }

  /** A closed connection's references are all given back. */
  dropClient(client: ClientSession): void {
    for (const [id, count] of client.refs) {
      const entry = this.entries.get(id);
      if (entry === undefined) continue;
      entry.refcount -= count;
      if (entry.refcount === 0) this.scheduleCollect();
    }
    client.refs.clear();
  }

  /** `entry` received a proxy into its value, so it may keep other objects alive. */
  markHoldsRefs(entry: ObjectEntry): void {
    if (entry.mayHoldRefs) return;
    entry.mayHoldRefs = true;
    this.containersWithRefs++;
  }

  /**
   * A container that may hold other objects was called: it may have dropped one (a `del`, a
   * `pop`, a `clear`), which may now be unreachable, so a collection runs at the end of the tick.
   */
  containerChanged(entry: ObjectEntry): void {
    if (entry.mayHoldRefs) this.scheduleCollect();
  }

  /**
   * Deletes every object nothing references any more. It runs from `setImmediate`, so nothing
   * may escape it: a servant's `dispose` that throws is reported and the collection goes on.
   */
  collect(): void {
    this.collectScheduled = false;
    let reachable: Set<number> | undefined;
    try {
      reachable = this.containersWithRefs > 0 ? this.markReachable() : undefined;
    } catch (error) {
      // A registered type's heldValues() threw: keep everything rather than guess.
      process.emitWarning(`mpts: a collection was skipped: ${String(error)}`);
      return;
    }
    for (const entry of [...this.entries.values()]) {
      if (entry.refcount > 0 || reachable?.has(entry.id)) continue;
      this.entries.delete(entry.id);
      entriesByRef.delete(entry.ref);
      if (entry.mayHoldRefs) this.containersWithRefs--;
      try {
        entry.servant.dispose?.();
      } catch (error) {
        process.emitWarning(`mpts: disposing shared object ${entry.id} (${entry.spec.typeId}) failed: ${String(error)}`);
      }
    }
  }

  /** The objects `entry` keeps alive: see `Servant.heldValues`. */
  heldBy(entry: ObjectEntry): ServerRef[] {
    const { servant } = entry;
    return servant.heldValues ? refsIn([...servant.heldValues()]) : refsIn(servant, true);
  }

  private markReachable(): Set<number> {
    const reachable = new Set<number>();
    const stack: ObjectEntry[] = [];
    for (const entry of this.entries.values()) {
      if (entry.refcount > 0) {
        reachable.add(entry.id);
        stack.push(entry);
      }
    }
    while (stack.length > 0) {
      const entry = stack.pop()!;
      if (!entry.mayHoldRefs) continue;
      for (const ref of this.heldBy(entry)) {
        const held = this.entries.get(ref.id);
        if (held === undefined || reachable.has(held.id)) continue;
        reachable.add(held.id);
        stack.push(held);
      }
    }
    return reachable;
  }

  private scheduleCollect(): void {
    if (this.collectScheduled) return;
    this.collectScheduled = true;
    setImmediate(() => this.collect());
  }
}
