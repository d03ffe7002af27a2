import { fork, type ChildProcess } from 'node:child_process';
import {
  AcquirerProxy,
  ArrayProxy,
  BarrierProxy,
  ConditionProxy,
  DictProxy,
  EventProxy,
  JoinableQueueProxy,
  ListProxy,
  NamespaceProxy,
  QueueProxy,
  ValueProxy,
  SetProxy,
  type BarrierAction,
  type BaseProxy,
} from '@mpts/proxy';
import {
  backendKindFor,
  Command,
  connectionPool,
  NotImplementedError,
  type ManagerBackend,
  generateAuthkey,
  isIterable,
  ManagerClosedError,
  messages,
  prepareValue,
  ProcessError,
} from '@mpts/proxy/wire';
import type { DebugInfo } from './server.js';
import { prepareRemote, type ConnectOptions, type ConnectTarget } from './remote.js';
import { registerOn, registryOwner, type Factory, type RegisterOptions } from './register.js';
import { ManagerServer, moduleUrl, type ServeOptions } from './serve.js';
import { callerModule } from './caller-module.js';
import { initializerStartup } from './initializer.js';
import { resolvesWithin } from './resolves-within.js';
import { removeSocketDir } from './socket-dir.js';
import { deserializeError } from './serialized-error.js';
import type { ServerReady, ServerStartup } from './server-startup.js';
import { serverLaunch, SNAPSHOT_REFUSED_EXIT_CODE, snapshotRefused } from './server-launch.js';

export interface ManagerOptions {
  /** The secret every connection must prove it knows. @default 32 random bytes */
  authkey?: Uint8Array | string;
  /** Seconds to wait for the server at each step of `shutdown()` before SIGTERM, then SIGKILL. @default 1 */
  shutdownTimeout?: number;
  /** The largest frame, in bytes, the server accepts from a client. @default 64 MiB */
  maxFrameSize?: number;
  /** Seconds a connecting client has to authenticate. @default 4 */
  handshakeTimeout?: number;
  /** Seconds of silence from a client before the server checks it with a heartbeat. @default 10 */
  heartbeatInterval?: number;
  /**
   * Seconds of silence after which the server takes a client for lost (its process hung or
   * its host unreachable) and releases what it held as a loan, such as a lock. @default 30
   */
  heartbeatTimeout?: number;
  /**
   * Modules the server process imports before it serves (paths or URLs, e.g. `import.meta.url`):
   * those that call `Manager.register(...)`, whose factories must run in the server.
   */
  register?: readonly (string | URL)[];
  /**
   * Python's `initializer`: a function the manager process calls with `initargs` (and awaits)
   * before it serves. It cannot cross to that process, so it must be a named function exported
   * by its module, which the manager process imports (keep that module's main block behind
   * `isMainModule(import.meta)`): by default the module that calls `start()`. If it throws,
   * `start()` rejects and the manager process ends.
   */
  initializer?: ((...args: any[]) => unknown) | null;
  /**
   * Also serve CPython's manager clients (3.12 or later): the server listens on 127.0.0.1 as
   * well, at `pythonAddress`, where `SyncManager(address=..., authkey=...).connect()` in Python
   * reaches it (docs/python-clients.md). @default false
   */
  pythonClients?: boolean;
  /** The initializer's arguments: plain data. @default [] */
  initargs?: readonly unknown[];
  /** The module that exports `initializer`, e.g. its `import.meta.url`. */
  initializerModule?: string | URL;
}

type State = 'initial' | 'started' | 'connected' | 'shutdown';

/**
 * A manager: a server process holding shared objects, and the factories that create them
 * (Python's `SyncManager`). Start it with `await using manager = await Manager.start()`; the
 * block's end shuts the server down. If this process dies first, the server notices and exits.
 */
export class Manager implements AsyncDisposable {
  private state: State = 'initial';
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private serverAddress: string | undefined;
  /** The backend this manager's objects live in, when connected to one (`redis://`...). */
  private backend: ManagerBackend | undefined;
  private pythonPort: number | undefined;
  private readonly key: Buffer;
  private readonly options: ManagerOptions;

  constructor(options: ManagerOptions = {}) {
    this.options = options;
    this.key = options.authkey === undefined ? generateAuthkey() : Buffer.from(options.authkey);
  }

  /**
   * Registers a shared type of your own (Python's `BaseManager.register`). The factory runs in
   * the server: serve with `register: [moduleUrl]` (or `mpts serve --register`) pointing at the
   * module that makes this call. With `createMethod` (the default), `manager.<typeId>(...args)`
   * creates one; type it with `create<AutoProxy<T>>(typeId, args)` or by declaration merging.
   */
  static register<T extends object>(typeId: string, factory: ((...args: any[]) => T) | null, options: RegisterOptions = {}): void {
    registerOn(this, { typeId, factory: factory as Factory | null, options });
    if (options.createMethod === false) return;
    if (typeId in this.prototype && !Object.hasOwn(this.prototype, typeId)) {
      throw new TypeError(messages.alreadyAMember(typeId, this.name));
    }
    Object.defineProperty(this.prototype, typeId, {
      value: function (this: Manager, ...args: unknown[]) {
        return this.create(typeId, args);
      },
      configurable: true,
      writable: true,
    });
  }

  /**
   * Serves a manager from this process over TCP (optionally TLS) or a socket path, as Python's
   * `get_server().serve_forever()`: `await (await Manager.serve(options)).serveForever()`.
   */
  static serve(options: ServeOptions): Promise<ManagerServer> {
    // This class's registered types (a class that registered none serves those the `register`
    // modules registered on their one manager class).
    return ManagerServer.start({ ...options, manager: options.manager ?? registryOwner(this) });
  }

  /**
   * Connects to a manager served elsewhere (`Manager.serve()`, `mpts serve`): an address
   * (`tcp://host:port`, `tcp://[::1]:port`, a socket path) with options, or `{ host, port,
   * authkey, tls }`. Resolves once authenticated; a wrong authkey rejects with
   * `AuthenticationError`. `shutdown()` then closes this side only.
   *
   * A URL of a registered backend's scheme (`redis://host:6379/0`, once `@mpts/redis` is
   * imported) connects to that backend instead: the same factories then create the shared
   * objects there, and `options` are the backend's own.
   */
  static async connect<M extends Manager>(this: new (options?: ManagerOptions) => M, target: ConnectTarget, options: ConnectOptions = {}): Promise<M> {
    const backendKind = typeof target === 'string' ? backendKindFor(target) : undefined;
    if (backendKind !== undefined) {
      const manager = new this();
      manager.backend = await backendKind.connect(target as string, options as Record<string, unknown>);
      manager.state = 'connected';
      manager.serverAddress = manager.backend.address;
      return manager;
    }
    const scheme = typeof target === 'string' ? /^([a-z][a-z0-9+.-]*):\/\//i.exec(target)?.[1] : undefined;
    if (scheme !== undefined && scheme.toLowerCase() !== 'tcp') throw new TypeError(messages.noBackendForScheme(scheme));
    const { address, authkey, connectionOptions } = prepareRemote(target, options);
    const manager = new this({ authkey });
    manager.state = 'connected';
    manager.serverAddress = address;
    // Proxies of this address work again, even if a manager here shut it down before.
    connectionPool.hold(address);
    try {
      // The manager checks this authkey, even when a connection made with another is open;
      // only a key it accepted is remembered for the address.
      await connectionPool.connectionTo(address, connectionOptions).command(Command.ping);
      connectionPool.setOptions(address, connectionOptions);
    } catch (error) {
      manager.state = 'shutdown';
      await connectionPool.release(address, { markShutDown: false });
      throw error;
    }
    return manager;
  }

  /** Creates a manager and starts its server. */
  static async start<M extends Manager>(this: new (options?: ManagerOptions) => M, options: ManagerOptions = {}): Promise<M> {
    // A subclass (with its registered types' factory methods) starts as itself.
    const manager = new this(options);
    await manager.start();
    return manager;
  }

  /** The server's address (a Unix socket path). */
  get address(): string {
    if (this.serverAddress === undefined) throw new ProcessError(messages.managerNotStarted);
    return this.serverAddress;
  }

  /** The authkey clients of this manager authenticate with. */
  get authkey(): Buffer {
    return this.key;
  }

  /**
   * Where Python clients connect, `{ host, port }` (Python's `address=(host, port)`), when started
   * with `pythonClients: true`; they authenticate with `authkey`.
   */
  get pythonAddress(): { host: string; port: number } | undefined {
    return this.pythonPort === undefined ? undefined : { host: '127.0.0.1', port: this.pythonPort };
  }

  /** The server process's id. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Forks the server process and waits until it listens. */
  async start(): Promise<this> {
    if (this.state === 'started' || this.state === 'connected') throw new ProcessError(messages.alreadyStarted);
    if (this.state === 'shutdown') throw new ProcessError(messages.managerShutDown);
    const { initializer, initargs, initializerModule } = this.options;
    // Checked before anything starts; the caller's module is read now, while it is on the stack.
    const initializerAt = initializerStartup(initializer, initargs, () =>
      initializerModule !== undefined ? moduleUrl(initializerModule) : callerModule('Manager.start()', 'initializerModule'),
    );
    const userModules = [...(this.options.register ?? []).map(String), ...(initializerAt ? [initializerAt.module] : [])];
    this.state = 'started';
    const launch = serverLaunch(userModules);
    // Flags given to a server from its bundle must also be given where the build makes its code
    // cache and its snapshot (scripts/): V8 rejects a cache, and Node a snapshot, made under others.
    const child = fork(launch.entry, [], { execArgv: launch.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const startup: ServerStartup = {
      authkey: this.key.toString('base64'),
      maxFrameSize: this.options.maxFrameSize,
      handshakeTimeout: this.options.handshakeTimeout,
      heartbeatInterval: this.options.heartbeatInterval,
      heartbeatTimeout: this.options.heartbeatTimeout,
      pythonClients: this.options.pythonClients,
      register: (this.options.register ?? []).map(moduleUrl),
      // The server serves this class's registered types: it finds the class by name once it has
      // imported the register modules.
      manager: registryOwner(this.constructor as typeof Manager)?.name,
      initializer: initializerAt,
    };
    child.send(startup);
    let exitCode: number | null | undefined;
    const ready = await new Promise<ServerReady>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => {
        exitCode = code;
        reject(new ProcessError(messages.managerExitedWhileStarting(code)));
      });
      child.once('error', reject);
    }).catch(async (error: unknown) => {
      await this.startFailed();
      if (launch.fromSnapshot && exitCode === SNAPSHOT_REFUSED_EXIT_CODE) return undefined;
      throw error;
    });
    if (ready === undefined) {
      // This Node refused the snapshot (a build of another configuration): start without it.
      snapshotRefused();
      return this.start();
    }
    if ('error' in ready) {
      // The server is ending: wait for it, so that no process is left when start() rejects.
      await this.startFailed();
      if (ready.initializer === undefined) throw new ProcessError(messages.managerFailedToStart(ready.error));
      const { exportName, thrown } = ready.initializer;
      throw new ProcessError(`the manager process failed to start: its initializer ${exportName}() threw ${thrown.name}: ${thrown.message}`, {
        cause: deserializeError(thrown),
      });
    }
    this.serverAddress = ready.address;
    this.pythonPort = ready.pythonPort;
    // However the server ends (SIGKILL included), its private socket directory goes with it.
    child.once('exit', () => removeSocketDir(ready.address));
    connectionPool.setOptions(ready.address, { authkey: this.key, maxFrameSize: this.options.maxFrameSize });
    connectionPool.hold(ready.address);
    // Neither the server process nor its channel keeps this process alive: a program that ends
    // without shutting down still ends, and the server follows when the channel closes.
    child.unref();
    child.channel?.unref();
    return this;
  }

  /**
   * A server that failed to start ends by itself (its socket directory with it); make sure it
   * did, then leave this manager as before `start()`, as Python does, so it may start again.
   */
  private async startFailed(): Promise<void> {
    const child = this.child!;
    // A fork that failed ('error') has no process to wait for.
    if (child.pid !== undefined && !(await resolvesWithin(this.exited!, (this.options.shutdownTimeout ?? 1) * 1000))) {
      child.kill('SIGKILL');
      await this.exited;
    }
    this.child = undefined;
    this.exited = undefined;
    this.state = 'initial';
  }

  /** A shared `dict`, optionally filled from a `Map`, a plain object or `[key, value]` pairs. */
  dict<K = unknown, V = unknown>(init?: Map<K, V> | Iterable<readonly [K, V]> | Record<string, V>): Promise<DictProxy<K, V>> {
    const pairs = init === undefined || init instanceof Map || Array.isArray(init) || !isIterable(init) ? init : [...init];
    return this.create('dict', pairs === undefined ? [] : [pairs]) as Promise<DictProxy<K, V>>;
  }

  /** A shared `list`, optionally filled from any iterable. */
  list<T = unknown>(init?: Iterable<T>): Promise<ListProxy<T>> {
    // What is not iterable goes as it is, and the manager refuses it, as Python's does.
    return this.create('list', init === undefined ? [] : [isIterable(init) ? [...init] : init]) as Promise<ListProxy<T>>;
  }

  /** A shared `set` (Python 3.14's `SyncManager.set`), optionally filled from any iterable. */
  set<T = unknown>(init?: Iterable<T>): Promise<SetProxy<T>> {
    return this.create('set', init === undefined ? [] : [isIterable(init) ? SetProxy.operand(init) : init]) as Promise<SetProxy<T>>;
  }

  /** A shared `Namespace` with these initial attributes. */
  namespace<T extends Record<string, unknown> = Record<string, unknown>>(init?: Partial<T>): Promise<NamespaceProxy<T>> {
    return this.create('Namespace', init === undefined ? [] : [init]) as Promise<NamespaceProxy<T>>;
  }

  /** A shared value; a numeric typecode (`'i'`, `'d'`...) keeps it in range. */
  value<T = number>(typecode: string, value?: T): Promise<ValueProxy<T>> {
    return this.create('Value', value === undefined ? [typecode] : [typecode, value]) as Promise<ValueProxy<T>>;
  }

  /** A shared `array.array` of this typecode, from values or a length (zero-filled). */
  array(typecode: 'u', init?: Iterable<string> | number): Promise<ArrayProxy<string>>;
  array(typecode: string, init?: Iterable<number> | number): Promise<ArrayProxy<number>>;
  array(typecode: string, init: Iterable<bigint>): Promise<ArrayProxy<bigint>>;
  array<T extends number | bigint | string>(typecode: string, init?: Iterable<T> | number): Promise<ArrayProxy<T>>;
  array(typecode: string, init: Iterable<number | bigint | string> | number = []): Promise<ArrayProxy<number | bigint | string>> {
    return this.create('Array', [typecode, typeof init === 'number' ? init : [...init]]) as Promise<ArrayProxy<number | bigint | string>>;
  }

  lock(): Promise<AcquirerProxy> {
    return this.create('Lock', []) as Promise<AcquirerProxy>;
  }

  rlock(): Promise<AcquirerProxy> {
    return this.create('RLock', []) as Promise<AcquirerProxy>;
  }

  /** A counting semaphore with `value` permits (Python's `Semaphore`); a negative value is refused. */
  semaphore(value = 1): Promise<AcquirerProxy> {
    return this.create('Semaphore', [value]) as Promise<AcquirerProxy>;
  }

  /** A semaphore that refuses to be released past `value` (`ValueError`). */
  boundedSemaphore(value = 1): Promise<AcquirerProxy> {
    return this.create('BoundedSemaphore', [value]) as Promise<AcquirerProxy>;
  }

  /** A condition variable over `lock` (a Lock or RLock proxy of this manager), or over its own RLock. */
  condition(lock?: AcquirerProxy): Promise<ConditionProxy> {
    return this.create('Condition', lock === undefined ? [] : [lock]) as Promise<ConditionProxy>;
  }

  /** A shared event flag, initially clear. */
  event(): Promise<EventProxy> {
    return this.create('Event', []) as Promise<EventProxy>;
  }

  /**
   * A barrier for `parties` callers. `timeout` (seconds) is the default for each `wait()`;
   * `action` runs in the process whose `wait()` fills the barrier (see `BarrierProxy`).
   */
  async barrier(parties: number, options: { action?: BarrierAction; timeout?: number } = {}): Promise<BarrierProxy> {
    const { action, timeout } = options;
    const barrier = (await this.create('Barrier', [parties, action !== undefined, timeout ?? null])) as BarrierProxy;
    return barrier.setAction(action);
  }

  /** A FIFO queue; `maxsize <= 0` is unbounded. */
  queue<T = unknown>(maxsize = 0): Promise<QueueProxy<T>> {
    return this.create('Queue', [maxsize]) as Promise<QueueProxy<T>>;
  }

  /** A queue with `taskDone()` and `join()`. */
  joinableQueue<T = unknown>(maxsize = 0): Promise<JoinableQueueProxy<T>> {
    return this.create('JoinableQueue', [maxsize]) as Promise<JoinableQueueProxy<T>>;
  }

  /** Creates a shared object of any registered type and returns its proxy. */
  async create<P extends BaseProxy = BaseProxy>(typeId: string, args: readonly unknown[] = []): Promise<P> {
    const prepared = args.map((arg, i) => prepareValue(arg, `argument ${i + 1} of ${typeId}()`));
    if (this.backend !== undefined) return (await this.backendInUse().create(typeId, prepared)) as P;
    return (await this.connection().create(typeId, prepared)) as P;
  }

  /** How many shared objects the server holds (Python's `_number_of_objects()`). */
  async numberOfObjects(): Promise<number> {
    if (this.backend !== undefined) return await this.backendInUse().numberOfObjects();
    return (await this.connection().command(Command.numberOfObjects)) as number;
  }

  /** Every object with its reference counts, holders and waiters, and every client. */
  async debugInfo(): Promise<DebugInfo> {
    if (this.backend !== undefined) {
      const backend = this.backendInUse();
      if (backend.debugInfo === undefined) throw new NotImplementedError(messages.notOnBackend('debugInfo()', backend.address));
      return await backend.debugInfo();
    }
    return (await this.connection().command(Command.debugInfo)) as DebugInfo;
  }

  /**
   * Stops the server: asks it to shut down, then after `shutdownTimeout` seconds sends SIGTERM,
   * then SIGKILL. Idempotent. Proxies of this manager then reject with `ManagerClosedError`.
   * On a manager reached with `connect()`, closes this process's side only (once no other
   * manager here is connected to that address); its proxies then reject the same way.
   */
  async shutdown(): Promise<void> {
    if (this.state === 'connected' && this.backend !== undefined) {
      this.state = 'shutdown';
      await this.backend.close();
      return;
    }
    if (this.state === 'connected') {
      // A manager reached with connect() belongs to someone else: close this side only, once
      // no other manager of this process is connected to it. Its proxies then reject with
      // ManagerClosedError rather than reconnect (their references went with the connection).
      this.state = 'shutdown';
      await connectionPool.release(this.serverAddress!);
      return;
    }
    if (this.state !== 'started') {
      this.state = 'shutdown';
      return;
    }
    this.state = 'shutdown';
    const timeoutMs = (this.options.shutdownTimeout ?? 1) * 1000;
    const child = this.child!;
    const address = this.serverAddress;
    if (address !== undefined) {
      await resolvesWithin(connectionPool.connectionTo(address).command(Command.shutdown).catch(() => {}), timeoutMs);
    }
    if (!(await resolvesWithin(this.exited!, timeoutMs))) {
      child.kill('SIGTERM');
      if (!(await resolvesWithin(this.exited!, timeoutMs))) {
        child.kill('SIGKILL');
        await this.exited;
      }
    }
    // A server that was killed could not remove its private socket directory: do it here.
    removeSocketDir(address);
    if (address !== undefined) await connectionPool.release(address, { now: true });
  }

  /** Waits for the server process to end (at most `timeout` seconds). */
  async join(options: { timeout?: number } = {}): Promise<void> {
    if (this.exited === undefined) throw new ProcessError(messages.managerNotStarted);
    if (options.timeout === undefined) await this.exited;
    else await resolvesWithin(this.exited, options.timeout * 1000);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  private backendInUse(): ManagerBackend {
    if (this.state === 'shutdown') throw new ManagerClosedError(messages.managerClosed(this.serverAddress ?? 'unknown'));
    return this.backend!;
  }

  private connection() {
    if (this.state === 'initial') throw new ProcessError(messages.managerNotStarted);
    if (this.state === 'shutdown') throw new ManagerClosedError(messages.managerClosed(this.serverAddress ?? 'unknown'));
    return connectionPool.connectionTo(this.address);
  }
}
