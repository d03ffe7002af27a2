import { Cluster, Redis } from 'ioredis';
import type { BaseProxy } from '@mpts/proxy';
import {
  ManagerClosedError,
  messages,
  NotImplementedError,
  ObjectDeletedError,
  pythonRepr,
  RemoteError,
  rebuildProxy,
  type ManagerBackend,
  type ProxyChannel,
} from '@mpts/proxy/wire';
import { BlockingPool } from './blocking-pool.js';
import { namespaceKeys, ObjectKeys } from './keys.js';
import { Script, text, type RedisClient } from './script.js';
import { Session } from './session.js';
import { TickWrites } from './tick-writes.js';
import { TurnBatch } from './turn-batch.js';
import type { MethodContext, SharedType } from './shared-type.js';
import type { Holding } from './types/lock.js';
import { sharedTypes } from './type-table.js';

export interface RedisStoreOptions {
  /**
   * Seconds what this process holds (locks, permits, items in hand) outlives its last renewal
   * when the process dies or hangs. Choose it longer than your longest event-loop stall.
   * @default 15
   */
  lease?: number;
  /** The first part of every key, so several programs can share one Redis. @default 'mpts' */
  prefix?: string;
  /** The URL's host is one node of a Redis Cluster (`?cluster=1`). @default false */
  cluster?: boolean;
}

/** The meta hash of a new object: its type and the creator's reference. */
const createScript = new Script(`
redis.call('HSET', KEYS[1], 'type', ARGV[1], 'refs', 1)
return 1`);

const increfScript = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HINCRBY', KEYS[1], 'refs', 1)
return redis.call('HGET', KEYS[1], 'type')`);

/**
 * KEYS meta extra parts...; ARGV index, entry prefix (both '' for a type without entries).
 * The last reference gone, the object goes with all its keys: its fixed parts, the keys made
 * per session or per waiter (hand-off lists, mailboxes), listed in its `extra` set, and its
 * entries' keys, one per field of its index hash. (Those keys carry the object's hash tag, so
 * they sit in its slot.)
 */
const decrefScript = new Script(`
local refs = redis.call('HINCRBY', KEYS[1], 'refs', -1)
if refs > 0 then return 0 end
for _, key in ipairs(redis.call('SMEMBERS', KEYS[2])) do redis.call('DEL', key) end
if ARGV[1] ~= '' then
  for _, field in ipairs(redis.call('HKEYS', ARGV[1])) do redis.call('DEL', ARGV[2] .. field) end
end
for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end
return 1`);

/**
 * This process's connection to one Redis namespace (`redis://host:port/db`, with a key prefix):
 * the channel every proxy of that address calls through, and the backend of each `Manager`
 * connected to it. One command connection, pipelined (calls to one object keep their order);
 * blocking waits take connections of their own.
 */
export class RedisStore implements ProxyChannel, ManagerBackend {
  readonly client: RedisClient;
  readonly session: Session;
  readonly blocking: BlockingPool;
  readonly prefix: string;
  /** The locks this process holds, by object and owner (see types/lock.ts). */
  readonly holdings = new Map<string, Holding>();
  /** Calls gathered to go as one command (see turn-batch.ts): every other call sends them first. */
  readonly turnBatch = new TurnBatch();
  readonly #types = new Map<number, string>();
  readonly #tickWrites: TickWrites;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Calls in flight: while there are none, the connections do not keep the process alive. */
  #busyCount = 0;
  /** Whether the connections keep the process alive now. */
  #kept = false;
  /** Each object's keys, built once: with `#types`, what this process knows of the objects it reached. */
  readonly #keys = new Map<number, ObjectKeys>();

  constructor(
    readonly address: string,
    options: RedisStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'mpts';
    // The query holds mpts's own options (see normalizeAddress), not the client's.
    const url = address.split('?')[0]!;
    if (options.cluster) {
      const { hostname, port, username, password, protocol } = new URL(url);
      this.client = new Cluster([{ host: hostname, port: Number(port) }], {
        redisOptions: {
          maxRetriesPerRequest: null,
          ...(username ? { username: decodeURIComponent(username) } : {}),
          ...(password ? { password: decodeURIComponent(password) } : {}),
          ...(protocol === 'rediss:' ? { tls: {} } : {}),
        },
      });
    } else {
      this.client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: null });
    }
    // ioredis reports connection trouble on 'error' and keeps reconnecting: the calls in flight
    // see the failure; an unhandled 'error' event must not end the program.
    this.client.on('error', () => {});
    // A new socket (a reconnect, a Cluster's node) keeps the process alive only while calls
    // are in flight.
    this.client.on('connect', () => this.#keepAlive(this.#busyCount > 0));
    if (this.client instanceof Cluster) {
      this.client.on('+node', (node: Redis) => node.on('connect', () => this.#keepAlive(this.#busyCount > 0)));
    }
    this.session = new Session((options.lease ?? 15) * 1000);
    this.blocking = new BlockingPool(this.client);
    this.#tickWrites = new TickWrites(this.client);
  }

  /** Whether it is closed or closing: a later manager or proxy of its address opens a new one. */
  get closed(): boolean {
    return this.#closed || this.#closing !== undefined;
  }

  async ping(): Promise<void> {
    await this.#busy(() => this.client.ping());
  }

  keysOf(id: number): ObjectKeys {
    let keys = this.#keys.get(id);
    if (keys === undefined) this.#keys.set(id, (keys = new ObjectKeys(this.prefix, id)));
    return keys;
  }

  create(typeId: string, args: unknown[]): Promise<unknown> {
    this.turnBatch.settle();
    return this.#busy(() => this.#create(typeId, args));
  }

  async #create(typeId: string, args: unknown[]): Promise<unknown> {
    this.#checkOpen();
    const type = sharedTypes.get(typeId);
    if (type === undefined) throw new NotImplementedError(messages.notOnBackend(`the shared type '${typeId}'`, this.address));
    const { nextId, objects } = namespaceKeys(this.prefix);
    const id = Number(await this.client.incr(nextId));
    const keys = this.keysOf(id);
    try {
      await type.init(this.#context(type, typeId, keys, undefined), args);
    } catch (error) {
      // As in Python (and the manager), a constructor's failure is the manager's: RemoteError.
      if (error instanceof RemoteError || error instanceof NotImplementedError) throw error;
      const remote = new RemoteError(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      if (error instanceof Error) remote.remoteStack = error.stack;
      throw remote;
    }
    await createScript.run(this.client, [keys.meta], [typeId]);
    await this.client.sadd(objects, String(id));
    this.#types.set(id, typeId);
    // Counted by the create script: the proxy owns that reference.
    return rebuildProxy({ typeId, id, address: this.address }, undefined, this) as BaseProxy;
  }

  async numberOfObjects(): Promise<number> {
    this.#checkOpen();
    this.turnBatch.settle();
    return await this.#busy(async () => Number(await this.client.scard(namespaceKeys(this.prefix).objects)));
  }

  call(objectId: number, method: string, args: unknown[], _holder?: object, signal?: AbortSignal): Promise<unknown> {
    // A lone call (one after another) goes out at once, as ioredis writes it; while others are
    // in flight, the calls of this turn leave together.
    if (this.#busyCount > 0) this.#tickWrites.hold();
    this.turnBatch.settle(objectId, method);
    return this.#busy(() => this.#call(objectId, method, args, signal));
  }

  /**
   * Not an async function: a call's promise is its method's own, with no layer between (one
   * call after another, each layer was a few percent of a round trip). Throws synchronously
   * into `#busy`, which turns it into a rejection.
   */
  #call(objectId: number, method: string, args: unknown[], signal: AbortSignal | undefined): Promise<unknown> {
    this.#checkOpen();
    signal?.throwIfAborted();
    const typeId = this.#types.get(objectId);
    if (typeId === undefined) return this.#lookUpType(objectId).then(() => this.#call(objectId, method, args, signal));
    const type = sharedTypes.get(typeId)!;
    // A type that describes itself (`array('i', [1])`) says so; the others are the repr of their value.
    if (method === '#str' && !type.methods['#str'] && type.methods['#getvalue']) {
      return type.methods['#getvalue'](this.#context(type, typeId, this.keysOf(objectId), signal), []).then(pythonRepr);
    }
    const run = type.methods[method];
    if (run === undefined) throw new NotImplementedError(messages.notOnBackend(`${typeId}.${method}()`, this.address));
    return run(this.#context(type, typeId, this.keysOf(objectId), signal), args);
  }

  /** The fencing token and lease signal of a lock this process holds (see `AcquirerProxy.token`). */
  holdOf(objectId: number): { token: number; signal: AbortSignal } | undefined {
    for (const [name, holding] of this.holdings) {
      if (name.startsWith(`lock:${objectId}:`)) return { token: holding.token, signal: holding.controller.signal };
    }
    return undefined;
  }

  incref(objectId: number): Promise<unknown> {
    this.turnBatch.settle();
    return this.#busy(() => this.#incref(objectId));
  }

  async #incref(objectId: number): Promise<unknown> {
    this.#checkOpen();
    const typeId = await increfScript.run(this.client, [this.keysOf(objectId).meta]);
    if (typeId === null) throw new ObjectDeletedError(messages.unknownObject(objectId));
    this.#types.set(objectId, text(typeId));
    return null;
  }

  decref(objectId: number): void {
    if (this.#closed) return;
    this.turnBatch.settle();
    void this.#busy(() => this.#decref(objectId)).catch(() => {});
  }

  /** Gives back what this process holds (locks, items in hand) and closes the connections. */
  close(): Promise<void> {
    // Also at a program's end ('beforeExit'): counted as a call in flight, so the connection
    // keeps the process alive until what it holds is given back, whatever else ends meanwhile.
    this.turnBatch.settle();
    return (this.#closing ??= this.#busy(async () => {
      for (const [id, typeId] of this.#types) {
        const type = sharedTypes.get(typeId)!;
        await type.letGo?.(this.#context(type, typeId, this.keysOf(id), undefined)).catch(() => {});
      }
      this.#closed = true;
      this.session.close();
      await this.blocking.close();
      await this.client.quit().catch(() => this.client.disconnect());
    }));
  }

  async #decref(objectId: number): Promise<void> {
    const typeId = this.#types.get(objectId) ?? (await this.#lookUpType(objectId));
    const type = sharedTypes.get(typeId)!;
    const keys = this.keysOf(objectId);
    const entries = type.entries === undefined ? ['', ''] : [keys.key(type.entries.index), keys.key(type.entries.part)];
    const gone = await decrefScript.run(this.client, [keys.meta, keys.key('extra'), ...type.parts.map((part) => keys.key(part))], entries);
    if (gone === 1) {
      this.#types.delete(objectId);
      this.#keys.delete(objectId);
      await this.client.srem(namespaceKeys(this.prefix).objects, String(objectId));
    }
  }

  async #lookUpType(objectId: number): Promise<string> {
    const typeId = await this.client.hget(this.keysOf(objectId).meta, 'type');
    if (typeId === null || !sharedTypes.has(typeId)) throw new ObjectDeletedError(messages.unknownObject(objectId));
    this.#types.set(objectId, typeId);
    return typeId;
  }

  #context(_type: SharedType, typeId: string, keys: ObjectKeys, signal: AbortSignal | undefined): MethodContext {
    return { client: this.client, keys, store: this, typeId, signal };
  }

  /**
   * Runs `work` with the connections keeping the process alive, as a manager connection does
   * while a call is pending: a program whose work is done ends, and closes this store cleanly
   * on its way out (see redis-backend.ts).
   */
  #busy<T>(work: () => Promise<T>): Promise<T> {
    if (this.#busyCount++ === 0 && !this.#kept) {
      this.#kept = true;
      this.#keepAlive(true);
    }
    let result: Promise<T>;
    try {
      result = work();
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(this.#done, this.#done);
    return result;
  }

  readonly #done = (): void => {
    // Let go after this turn's callbacks: a program that calls again from them (one call after
    // another) keeps its connections referenced, with no ref/unref per call.
    if (--this.#busyCount === 0) process.nextTick(this.#letIdle);
  };

  readonly #letIdle = (): void => {
    if (this.#busyCount > 0 || !this.#kept) return;
    this.#kept = false;
    this.#keepAlive(false);
  };

  #keepAlive(alive: boolean): void {
    const connections = this.client instanceof Cluster ? this.client.nodes() : [this.client];
    for (const connection of connections) {
      const stream = (connection as unknown as { stream?: { ref(): void; unref(): void } }).stream;
      if (alive) stream?.ref();
      else stream?.unref();
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new ManagerClosedError(messages.managerClosed(this.address));
  }
}
