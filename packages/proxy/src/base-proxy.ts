import { inspect } from 'node:util';
import { prepareArgument, TokenCarrier, type TokenData } from './codec.js';
import { channelTo, type ProxyChannel } from './backend.js';
import { ManagerClosedError, ProxyReleasedError, messages } from './errors.js';
import { SELF_ADDRESS } from './protocol.js';
import { maybeActiveCodecContext } from './codec-context.js';

/**
 * The references this process holds, returned to the manager if a proxy is garbage-collected
 * without `release()`. Only a backstop (DESIGN D5): a pending call keeps its proxy reachable,
 * so the backstop can never fire while one is in flight. A reference is given back on the
 * connection that counted it, never on a later one to the same address.
 */
const backstop = new FinalizationRegistry<{ connection: ProxyChannel | undefined; id: number }>(({ connection, id }) => {
  connection?.decref(id);
});

/** Each proxy's number in its repr (see `BaseProxy.toString`). */
const reprSerials = new WeakMap<BaseProxy, number>();
let lastReprSerial = 0;

/** Options every blocking call takes. */
export interface SignalOption {
  /** Abandons the wait: the manager removes it, and the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/**
 * A client's handle on one object held by a manager (Python's `BaseProxy`).
 *
 * Ownership: each proxy owns exactly one reference, counted on one connection of this process,
 * and gives it back on that connection only. A proxy decoded from a reply was counted by the
 * manager before the reply was sent, on the connection that received it; a proxy rebuilt from a
 * token that came another way (a child's arguments, a worker message) counts itself with an
 * `incref` before its first call. `release()` gives the reference back once. If that connection
 * is lost, so is the reference (the manager dropped the connection's counts) and the proxy's
 * calls reject: it never rebinds to a later connection, whose manager may be another.
 *
 * `Method` names the methods the shared type exposes (see exposed-methods.ts); a proxy class
 * calls them through `callExposed`, which takes no other name.
 */
export class BaseProxy<Method extends string = string> extends TokenCarrier {
  readonly typeId: string;
  readonly id: number;
  readonly address: string;
  readonly exposed: readonly string[] | undefined;
  /** The manager instance that made the object (see `TokenData.instance`). */
  readonly instance: string | undefined;
  #released = false;
  readonly #counting: { connection: ProxyChannel | undefined; id: number };
  /** Resolves once this proxy's own reference is counted, when it had to ask for one. */
  readonly ready: Promise<unknown>;

  /**
   * @param token what identifies the object
   * @param countedOn the connection on which the manager already counted this proxy's
   *   reference, or undefined when the proxy must count itself
   */
  constructor(token: TokenData, countedOn: ProxyChannel | undefined) {
    super();
    this.typeId = token.typeId;
    this.id = token.id;
    this.address = token.address;
    this.exposed = token.exposed;
    this.instance = token.instance;
    this.#counting = { connection: countedOn, id: this.id };
    this.ready = countedOn ? Promise.resolve() : this.countSelf();
    this.ready.catch(() => {});
    backstop.register(this, this.#counting, this);
  }

  /** Whether `release()` was called. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Calls a method of the shared object by name (Python's `_callmethod`). The typed methods of
   * each proxy class are built on this.
   */
  callMethod(method: string, args: readonly unknown[] = [], signal?: AbortSignal): Promise<unknown> {
    if (this.#released) return Promise.reject(new ProxyReleasedError(messages.proxyReleased(this.typeId, this.id)));
    let prepared = args as unknown[];
    try {
      for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        const value = prepareArgument(arg, i, method);
        if (value !== arg) {
          if (prepared === args) prepared = [...args];
          prepared[i] = value;
        }
      }
      return this.connection().call(this.id, method, prepared, this, signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * `callMethod` for the proxy classes: `method` must be one the type exposes (a misspelt name
   * does not compile), and the result has the type the servant's method returns. That type is
   * the one thing no compiler checks: the value is decoded from the manager's reply. (Not named
   * `call`: an `AutoProxy` never shadows a `BaseProxy` member, so a registered type's exposed
   * `call` would lose its method.)
   */
  protected callExposed<R>(method: Method, args: readonly unknown[] = [], signal?: AbortSignal): Promise<R> {
    return this.callMethod(method, args, signal) as Promise<R>;
  }

  /** Python's `str(proxy)`: the manager's rendering of the object, in Python's notation. */
  str(): Promise<string> {
    return this.callMethod('#str') as Promise<string>;
  }

  /** Python's `_getvalue()`: a copy of the shared object's value. */
  getValue(): Promise<unknown> {
    return this.callMethod('#getvalue');
  }

  /**
   * Gives this proxy's reference back to the manager. Idempotent; later calls reject. (On lock
   * proxies `release()` releases the lock, as in Python; use `releaseProxy()` or disposal.)
   */
  release(): void | Promise<void> {
    this.releaseProxy();
  }

  /** Gives this proxy's reference back to the manager, whatever kind of proxy it is. */
  releaseProxy(): void {
    if (this.#released) return;
    this.#released = true;
    backstop.unregister(this);
    this.#counting.connection?.decref(this.id);
  }

  [Symbol.dispose](): void {
    this.releaseProxy();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.releaseProxy();
    return Promise.resolve();
  }

  /** The token that rebuilds this proxy in another process (see `toToken` in token.ts). */
  toTokenData(): TokenData {
    // To the manager on the other end, its own objects are named without an address.
    const address = maybeActiveCodecContext()?.peerAddress === this.address ? SELF_ADDRESS : this.address;
    return { typeId: this.typeId, id: this.id, address, instance: this.instance, exposed: this.exposed };
  }

  /** A proxy is never a thenable: `await proxy` gives the proxy, not a remote call. */
  get then(): undefined {
    return undefined;
  }

  /**
   * Python's `repr(proxy)`: `<DictProxy object, typeid 'dict' at 0x1f>`. Python shows the
   * proxy's memory address (`id(proxy)`); JavaScript has none, so the number is this proxy
   * object's serial number in this process, given at its first repr and kept: two proxies of one
   * shared object differ, as in Python, and one proxy always shows the same. A generic proxy is
   * `AutoProxy[typeid]`, as Python names it.
   */
  override toString(): string {
    const className = this.constructor.name === 'AutoProxy' ? `AutoProxy[${this.typeId}]` : this.constructor.name;
    let serial = reprSerials.get(this);
    if (serial === undefined) reprSerials.set(this, (serial = ++lastReprSerial));
    return `<${className} object, typeid '${this.typeId}' at 0x${serial.toString(16)}>`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /**
   * Asks the manager to count this proxy's reference. A manager known to be gone rejects
   * `ready`; one this process has no way to reach (no authkey) throws, so the reply or the
   * `fromToken` that carried the token fails, not a later call.
   */
  private countSelf(): Promise<unknown> {
    let connection: ProxyChannel;
    try {
      connection = this.connection();
    } catch (error) {
      if (error instanceof ManagerClosedError) return Promise.reject(error);
      throw error;
    }
    return connection.incref(this.id, this.instance);
  }

  /**
   * The channel this proxy's reference is counted on: the manager connection of its address,
   * or the channel of the backend that owns the address (see backend.ts).
   */
  protected connection(): ProxyChannel {
    return (this.#counting.connection ??= channelTo(this.address));
  }
}
