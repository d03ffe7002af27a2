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
import { clusterOptions, parseRedisAddress, redisOptions, type RedisAddressOptions } from './redis-address.js';
import { luaNow, Script, text, type RedisClient } from './script.js';
import { previewItems, readDebugInfo, type RedisDebugInfo } from './debug-info.js';
import { Session } from './session.js';
import { TickWrites } from './tick-writes.js';
import { TurnBatch } from './turn-batch.js';
import type { MethodContext, SharedType } from './shared-type.js';
import type { Holding } from './types/lock.js';
import { sharedTypes } from './type-table.js';

export interface RedisStoreOptions extends RedisAddressOptions {
  /**
   * Seconds what this process holds (locks, permits, items in hand) outlives its last renewal
   * when the process dies or hangs. Choose it longer than your longest event-loop stall.
   * @default 15
   */
  lease?: number;
  /** The first part of every key, so several programs can share one Redis. @default 'mpts' */
  prefix?: string;
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
 * KEYS sessions; ARGV session lease. This session is alive for one more lease; sessions whose
 * lease ended (a crashed process's) leave the list.
 */
const registerSessionScript = new Script(`
${luaNow}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
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
  /** Each object's method context for calls without a signal, made once. */
  readonly #contexts = new Map<number, MethodContext>();

  /** @param address a normalized address (see redis-address.ts): everything is read from it */
  constructor(readonly address: string) {
    const where = parseRedisAddress(address);
    this.prefix = where.prefix;
    if (where.cluster) {
      const { seeds, options } = clusterOptions(where);
      this.client = new Cluster(seeds, options);
    } else {
      // One server, or the primary the Sentinels name: every connection made from this one
      // (the blocking pool's duplicates) asks the Sentinels where the primary is now.
      this.client = new Redis(redisOptions(where));
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
    this.session = new Session(where.lease * 1000);
    this.blocking = new BlockingPool(this.client);
    // Listed among the live sessions (for debugInfo()) while it renews.
    const register = () => registerSessionScript.run(this.client, [namespaceKeys(this.prefix).sessions], [this.session.id, this.session.leaseMs]);
    register().catch(() => {});
    this.session.renew('session', register);
    this.#tickWrites = new TickWrites(this.client);
  }

  /** Whether it is closed or closing: a later manager or proxy of its address opens a new one. */
  get closed(): boolean {
    return this.#closed || this.#closing !== undefined;
  }

  async ping(): Promise<void> {
    await this.#busy(() => this.client.ping());
  }

  /**
   * Resolves once the server answers. Rejects with the first connection error (nothing listens,
   * a certificate the CA does not vouch for, a wrong password) rather than retrying forever as
   * the connections of a running program do (through a restart or a failover).
   */
  async connected(): Promise<void> {
    let onError: (error: Error) => void;
    const failed = new Promise<never>((_, reject) => {
      onError = reject;
      this.client.once('error', onError);
    });
    try {
      await Promise.race([this.ping(), failed]);
    } catch (error) {
      throw this.#sentinelsFailed(error);
    } finally {
      this.client.off('error', onError!);
    }
  }

  /** The Sentinels' failure said as what it is here: no primary came of them, and why. */
  #sentinelsFailed(error: unknown): unknown {
    const { sentinelName, hosts } = parseRedisAddress(this.address);
    const why = error instanceof Error ? /Last error: (.*)$/.exec(error.message) : null;
    if (sentinelName === undefined || why === null) return error;
    const sentinels = hosts.map(({ host, port }) => `${host}:${port}`).join(', ');
    return new Error(`no Sentinel at ${sentinels} gave the primary of '${sentinelName}' (last error: ${why[1]})`, { cause: error });
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

  /** Every object with its reference count, holders and waiters, and the live sessions (see debug-info.ts). */
  debugInfo(): Promise<RedisDebugInfo> {
    this.#checkOpen();
    return this.#busy(() =>
      readDebugInfo(this.client, this.prefix, this.address, [...sharedTypes.keys()].filter((typeId) => typeId !== 'Iterator'), (id, typeId, size) =>
        this.#preview(id, typeId, size),
      ),
    );
  }

  /** Python's `str()` of an object, cut at 75 characters; a count when it has many items. */
  async #preview(id: number, typeId: string, size: number | undefined): Promise<string> {
    if (size !== undefined && size > previewItems) return `<${typeId} of ${size} items>`;
    try {
      return String(await this.#call(id, '#str', [], undefined)).slice(0, 75);
    } catch {
      return `<${typeId}>`;
    }
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
    // `#busy` without its closure: this is every call's path.
    this.#enter();
    let result: Promise<unknown>;
    try {
      result = this.#call(objectId, method, args, signal);
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(this.#done, this.#done);
    return result;
  }

  /**
   * Not an async function: a call's promise is its method's own, with no layer between (one
   * call after another, each layer was a few percent of a round trip). Throws synchronously
   * into `call`, which turns it into a rejection.
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
    let context = signal === undefined ? this.#contexts.get(objectId) : undefined;
    if (context === undefined) {
      context = this.#context(type, typeId, this.keysOf(objectId), signal);
      if (signal === undefined) this.#contexts.set(objectId, context);
    }
    return run(context, args);
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
      if (this.client.status === 'ready') await this.client.zrem(namespaceKeys(this.prefix).sessions, this.session.id).catch(() => {});
      await this.blocking.close();
      // QUIT waits for a connection that may never come (a store that never connected).
      if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
      else this.client.disconnect();
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
      this.#contexts.delete(objectId);
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
    this.#enter();
    let result: Promise<T>;
    try {
      result = work();
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(this.#done, this.#done);
    return result;
  }

  /** A call starts: the connections keep the process alive until it ends (`#done`). */
  #enter(): void {
    if (this.#busyCount++ === 0 && !this.#kept) {
      this.#kept = true;
      this.#keepAlive(true);
    }
  }

  readonly #done = (): void => {
    // Let go at once, as the manager's connection does: Node ends a process only between turns
    // of its event loop, so a program that calls again from this turn's callbacks (one call
    // after another) is kept alive all the same. An unref and a ref per call cost less than a
    // check queued for later (~0.3 µs a call, measured in W1's loop).
    if (--this.#busyCount === 0 && this.#kept) {
      this.#kept = false;
      this.#keepAlive(false);
    }
  };

  #keepAlive(alive: boolean): void {
    if (this.client instanceof Cluster) {
      for (const node of this.client.nodes()) keepAlive(node, alive);
    } else {
      keepAlive(this.client, alive);
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new ManagerClosedError(messages.managerClosed(this.address));
  }
}

/** Whether a connection's socket keeps the process alive. */
function keepAlive(connection: Redis, alive: boolean): void {
  const stream = (connection as unknown as { stream?: { ref(): void; unref(): void } }).stream;
  if (alive) stream?.ref();
  else stream?.unref();
}
