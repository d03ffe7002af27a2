import { Socket } from 'node:net';
import { ClientSession } from '../client-session.js';
import { describeServant } from '../describe-servant.js';
import { Handoff } from '../handoff.js';
import type { ObjectEntry, ObjectRegistry } from '../object-registry.js';
import { ServerRef } from '../server-ref.js';
import type { TypeRegistry } from '../type-registry.js';
import { decodePickle } from './pickle-decode.js';
import { arrayResult } from './python-arrays.js';
import { encodePickleFrame } from './pickle-encode.js';
import { pythonException, tracebackText } from './python-exceptions.js';
import { callArguments, creationArguments } from './python-floats.js';
import { pythonClientRepr } from './python-repr.js';
import { pythonExposed, pythonMethods, type PythonMethod } from './python-methods.js';
import { asTuple, isTuple, PythonProxyRef, PythonToken } from './python-values.js';

/** What a Python client session needs of the manager's server. */
export interface PythonHost {
  readonly objects: ObjectRegistry;
  readonly types: TypeRegistry;
  createEntry(typeId: string, args: unknown[]): ObjectEntry;
  invoke(client: ClientSession, requestId: number, entry: ObjectEntry, method: string, args: unknown[], receivedRefs: boolean): unknown;
  debugInfoText(): string;
  requestShutdown(): void;
}

/**
 * The manager's Python clients: connections that, once authenticated, speak CPython's manager
 * protocol (pickled `(ident, methodname, args, kwds)` requests, `('#RETURN', value)` replies).
 * Each is told from an mpts client by its first frame (a pickle starts with PROTO, 0x80; an
 * mpts request is a msgpack array).
 *
 * CPython keeps one global reference count per object, because a proxy's `incref` and `decref`
 * each come on a short-lived connection of their own: here they are all held by one session
 * that never closes. A Python thread's method calls use one long-lived connection, so what it
 * holds (a lock) is released when that connection is lost, as for an mpts client.
 */
export class PythonClients {
  /** The references all Python clients hold, together. */
  private readonly references = new ClientSession(new Socket());
  /** Each connection once its first frame told: its Python session, or null for an mpts client. */
  private readonly sessions = new WeakMap<ClientSession, PythonSession | null>();

  constructor(private readonly host: PythonHost) {}

  /**
   * Serves `frame` when `client` is a Python client (true), or leaves it to the mpts protocol
   * (false). Decided by the connection's first frame; `becamePython` runs once when it is one.
   */
  claims(client: ClientSession, frame: Buffer, becamePython: () => void): boolean {
    let session = this.sessions.get(client);
    if (session === null) return false;
    if (session === undefined) {
      if (frame[0] !== 0x80) {
        this.sessions.set(client, null);
        return false;
      }
      client.label = `Python client ${client.id}`;
      session = new PythonSession(client, this.host, this.references);
      this.sessions.set(client, session);
      becamePython();
    }
    session.receive(frame);
    return true;
  }
}

type Reply = [kind: string, value: unknown];

/** One Python client connection: its requests answered one at a time, in order. */
class PythonSession {
  /** After `accept_connection`, the connection serves method calls (CPython's `serve_client`). */
  private serving = false;
  private readonly queued: Buffer[] = [];
  private busy = false;
  private nextRequestId = 1;
  /** Set by `fromPython`: the arguments it converted carried proxies. */
  private receivedRefs = false;

  constructor(
    private readonly client: ClientSession,
    private readonly host: PythonHost,
    private readonly references: ClientSession,
  ) {}

  receive(frame: Buffer): void {
    this.queued.push(frame);
    if (!this.busy) this.next();
    // CPython's clients wait for each reply; one that sends on regardless (while a call blocks)
    // is not read any further until its requests are served, so what waits here stays bounded.
    else this.client.socket.pause();
  }

  private next(): void {
    const frame = this.queued.shift();
    if (frame === undefined) {
      if (this.client.socket.isPaused()) this.client.socket.resume();
      return;
    }
    if (this.client.closed) return;
    this.busy = true;
    let reply: Reply | Promise<Reply>;
    try {
      reply = this.handle(frame);
    } catch (error) {
      reply = this.failure(error);
    }
    if (reply instanceof Promise) {
      reply.then(
        (settled) => this.send(settled),
        (error) => this.send(this.failure(error)),
      );
    } else {
      this.send(reply);
    }
  }

  private send(reply: Reply): void {
    const [kind, value] = reply;
    let frame: Buffer;
    try {
      frame = encodePickleFrame(asTuple([kind, this.forPython(value)]));
    } catch (error) {
      if (value instanceof Handoff) value.returned();
      frame = encodePickleFrame(asTuple(['#UNSERIALIZABLE', tracebackText(error)]));
    }
    if (!this.client.closed) {
      // One reply per request, so nothing to coalesce: written at once, not a microtask later,
      // unless something else (mpts's writer) has bytes waiting to go first.
      if (this.client.writer.pendingBytes === 0) this.client.socket.write(frame);
      else this.client.writer.write(frame);
      // Python has no acknowledgement: a queue item is the client's once it is written.
      if (value instanceof Handoff) value.acknowledged();
    } else if (value instanceof Handoff) {
      value.returned();
    }
    this.busy = false;
    this.next();
  }

  /** An error as the reply CPython's server sends for it. */
  private failure(error: unknown, args?: unknown[]): Reply {
    const exception = pythonException(error, args);
    return exception !== undefined ? ['#ERROR', exception] : ['#TRACEBACK', tracebackText(error)];
  }

  private handle(frame: Buffer): Reply | Promise<Reply> {
    const request = decodePickle(frame);
    if (!isTuple(request) || request.length !== 4 || typeof request[1] !== 'string' || !Array.isArray(request[2]) || !(request[3] instanceof Map)) {
      throw new TypeError('a Python client request is (ident, methodname, args, kwds)');
    }
    const [ident, method, args, kwds] = request as [unknown, string, unknown[], Map<unknown, unknown>];
    return this.serving ? this.call(ident, method, args, kwds) : this.serverCall(method, args, kwds);
  }

  /** CPython's `Server.public`: what a client asks of the manager itself. */
  private serverCall(method: string, args: unknown[], kwds: Map<unknown, unknown>): Reply {
    switch (method) {
      case 'dummy':
        return ['#RETURN', null];
      case 'accept_connection':
        this.serving = true;
        return ['#RETURN', null];
      case 'create':
        return ['#RETURN', this.create(String(args[0]), args.slice(1), kwds)];
      case 'incref':
        this.host.objects.incref(this.references, this.entryOf(args[0]).id);
        return ['#RETURN', null];
      case 'decref':
        this.host.objects.decref(this.references, this.entryOf(args[0]).id, 1);
        return ['#RETURN', null];
      case 'number_of_objects':
        this.host.objects.collect();
        return ['#RETURN', this.host.objects.size];
      case 'debug_info':
        return ['#RETURN', this.host.debugInfoText()];
      case 'get_methods':
        return ['#RETURN', asTuple(this.exposedOf(this.entryOf(args[0])))];
      case 'shutdown':
        setImmediate(() => this.host.requestShutdown());
        return ['#RETURN', null];
      default:
        return ['#TRACEBACK', `AttributeError: 'Server' object has no attribute '${method}'`];
    }
  }

  /** CPython's `Server.create`: a new object with one reference, replied `(ident, exposed)`. */
  private create(typeid: string, args: unknown[], kwds: Map<unknown, unknown>): unknown[] {
    if (kwds.size > 0) {
      // dict(a=1) and Namespace(a=1): keyword arguments are the initial contents.
      if (typeid !== 'dict' && typeid !== 'Namespace') throw new TypeError(`${typeid}() takes no keyword arguments through an mpts manager`);
      args = [new Map([...(args[0] instanceof Map ? args[0] : []), ...kwds])];
    }
    const entry = this.host.createEntry(typeid, creationArguments(typeid, this.fromPython(args) as unknown[]));
    this.host.objects.incref(this.references, entry.id);
    return asTuple([this.tokenOf(entry).id, asTuple(this.exposedOf(entry))]);
  }

  /** CPython's `serve_client`: a method call on a shared object. */
  private call(ident: unknown, method: string, args: unknown[], kwds: Map<unknown, unknown>): Reply | Promise<Reply> {
    const entry = this.entryOf(ident);
    if (method === '#GETVALUE') return ['#RETURN', arrayResult(entry, method, entry.servant.getValue?.())];
    if (method === '__str__' || method === '__repr__') {
      const value = pythonTypeOf(entry) === 'dict' || pythonTypeOf(entry) === 'list' ? pythonClientRepr(entry.servant.getValue?.()) : describeServant(entry.servant);
      return ['#RETURN', value];
    }
    const table = pythonMethods[pythonTypeOf(entry)];
    const mapping: PythonMethod | undefined = table !== undefined ? table[method] : entry.methods.has(method) ? { params: [], to: (a) => [method, a] } : undefined;
    if (mapping === undefined) {
      return ['#TRACEBACK', `AttributeError: method '${method}' of '${entry.spec.typeId}' object is not in exposed=${JSON.stringify(this.exposedOf(entry))}`];
    }
    const positional = withKeywords(method, mapping.params, args, kwds);
    const received = callArguments(table === undefined ? undefined : mapping.params, this.fromPython(positional) as unknown[]);
    const [target, targetArgs] = mapping.to(received);
    let result: unknown;
    try {
      result = this.host.invoke(this.client, this.nextRequestId++, entry, target, targetArgs, this.receivedRefs);
    } catch (error) {
      return this.failure(error, keyErrorArgs(error, target, received));
    }
    const finish = (value: unknown): Reply => {
      if (mapping.proxyOf !== undefined && value instanceof ServerRef) {
        const made = this.host.objects.get(value.id);
        this.host.objects.incref(this.references, made.id);
        return ['#PROXY', asTuple([asTuple(this.exposedOf(made)), this.tokenOf(made)])];
      }
      return ['#RETURN', arrayResult(entry, method, mapping.result ? mapping.result(value) : value)];
    };
    if (result instanceof Promise) {
      return result.then(finish, (error: unknown) => this.failure(error, keyErrorArgs(error, target, received)));
    }
    try {
      return finish(result);
    } catch (error) {
      return this.failure(error);
    }
  }

  /** Proxies in what a Python client sent become references to this manager's objects. */
  private fromPython(value: unknown): unknown {
    this.receivedRefs = false;
    return this.replaceProxies(value, 0);
  }

  private replaceProxies(value: unknown, depth: number): unknown {
    if (value instanceof PythonProxyRef) {
      this.receivedRefs = true;
      const entry = this.entryOf(value.token.id);
      // A token of another manager could name an id of this one: its typeid tells them apart.
      if (entry.spec.typeId !== value.token.typeid) {
        throw new TypeError(`a proxy of another manager (typeid '${value.token.typeid}') cannot be stored in this one`);
      }
      return entry.ref;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.replaceProxies(value[i], depth + 1);
    } else if (value instanceof Map) {
      for (const [key, item] of value) value.set(key, this.replaceProxies(item, depth + 1));
    }
    return value;
  }

  /** A reply's value as Python gets it: shared objects become proxies, a handed-over item its value. */
  private forPython(value: unknown): unknown {
    const plain = value instanceof Handoff ? value.value : value;
    return replaceRefs(plain, (ref) => new PythonProxyRef(this.tokenOf(this.host.objects.get(ref.id))));
  }

  private entryOf(ident: unknown): ObjectEntry {
    const id = typeof ident === 'string' ? Number.parseInt(ident, 16) : typeof ident === 'number' ? ident : Number.NaN;
    const entry = Number.isSafeInteger(id) ? this.host.objects.find(id) : undefined;
    if (entry === undefined) throw new KeyErrorLike(String(ident));
    return entry;
  }

  private tokenOf(entry: ObjectEntry): PythonToken {
    return new PythonToken(entry.spec.typeId, this.address, entry.id.toString(16));
  }

  /**
   * The address this client reached the manager at, as Python writes it: its next connections
   * go there too. A `(host, port)` tuple, or the path of a Unix socket (which an accepted
   * socket knows only through the server that accepted it).
   */
  private get address(): unknown {
    const socket = this.client.socket as Socket & { server?: { address(): unknown } | null };
    if (socket.localPort !== undefined) return asTuple([socket.localAddress, socket.localPort]);
    const listening = socket.server?.address();
    return typeof listening === 'string' ? listening : null;
  }

  private exposedOf(entry: ObjectEntry): string[] {
    return pythonExposed(pythonTypeOf(entry), entry.methods.keys());
  }
}

/**
 * The builtin type whose Python methods an object has: its own, or the one a registered typeid
 * serves (`register('get_queue', () => queue, { proxyType: 'Queue' })`).
 */
function pythonTypeOf(entry: ObjectEntry): string {
  return entry.spec.proxyTypeId ?? entry.spec.typeId;
}

/** An unknown object id: CPython's server fails with the KeyError of the id. */
class KeyErrorLike extends Error {
  override readonly name = 'KeyError';
}

/** Positional arguments, with keyword arguments put in their parameter's place. */
function withKeywords(method: string, params: readonly string[], args: unknown[], kwds: Map<unknown, unknown>): unknown[] {
  if (kwds.size === 0) return args;
  const positional = [...args];
  for (const [name, value] of kwds) {
    const index = params.indexOf(String(name));
    if (index < 0) throw new TypeError(`${method}() got an unexpected keyword argument '${String(name)}'`);
    if (index < args.length) throw new TypeError(`${method}() got multiple values for argument '${String(name)}'`);
    positional[index] = value;
  }
  // A parameter skipped between keywords takes its default.
  return Array.from(positional);
}

/** A dict's KeyError carries the key itself, as Python's does (its str is the key's repr). */
function keyErrorArgs(error: unknown, method: string, args: unknown[]): unknown[] | undefined {
  if (error instanceof Error && error.name === 'KeyError' && ['getItem', 'delItem', 'pop'].includes(method) && args.length > 0) {
    return [args[0]];
  }
  return undefined;
}

/** `value` with every `ServerRef` in it replaced; the same value when it holds none. */
function replaceRefs(value: unknown, replace: (ref: ServerRef) => unknown, depth = 0): unknown {
  if (value instanceof ServerRef) return replace(value);
  if (depth > 1000 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const replaced = replaceRefs(item, replace, depth + 1);
      if (replaced !== item) (copy ??= isTuple(value) ? asTuple([...value]) : [...value])[i] = replaced;
    });
    return copy ?? value;
  }
  if (value instanceof Map) {
    let changed = false;
    const entries = [...value].map(([key, item]) => {
      const replaced = replaceRefs(item, replace, depth + 1);
      if (replaced !== item) changed = true;
      return [key, replaced] as [unknown, unknown];
    });
    return changed ? new Map(entries) : value;
  }
  return value;
}
