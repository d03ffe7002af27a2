import { describe, expect, it } from 'vitest';
import { AuthenticationError, Manager, ManagerClosedError, RemoteError, type DictProxy, type NamespaceProxy } from '@mpts/manager';
import { Command, Connection, decode, encodeFrame, FAILURE, Op, Reply } from '@mpts/proxy/wire';
import { RawClient, within } from '../raw-client.js';
import { startRemoteServer } from '../remote-helpers.js';

describe('before authentication', () => {
  it('reads nothing but the handshake: a request in place of the answer is refused, not run', async () => {
    await using server = await startRemoteServer();
    for (const request of [[Op.create, 1, 'dict', []], [Op.command, 1, Command.shutdown, []]]) {
      const raw = new RawClient(server.port);
      expect((await raw.next())?.subarray(0, 11).toString()).toBe('#CHALLENGE#');
      raw.write(encodeFrame(request));
      expect(await raw.next()).toEqual(FAILURE);
      expect(await within(raw.closed, 2000)).toBe(true);
    }
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    expect(await manager.numberOfObjects()).toBe(0);
  });

  it('closes a connection whose handshake frame is over 256 bytes', async () => {
    await using server = await startRemoteServer();
    const raw = new RawClient(server.port);
    await raw.next();
    raw.write(Buffer.from([0, 0, 4, 0])); // announces 1024 bytes
    expect(await within(raw.closed, 2000)).toBe(true);
  });

  it('closes a connection that does not authenticate before the deadline', async () => {
    await using server = await startRemoteServer({ handshakeTimeout: 0.3 });
    const raw = new RawClient(server.port);
    const started = Date.now();
    expect(await within(raw.closed, 3000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('caps connections still authenticating: one more waits its turn, and gets it as a place frees up', async () => {
    await using server = await startRemoteServer({ maxUnauthenticated: 3, handshakeTimeout: 30 });
    const idle = [0, 1, 2].map(() => new RawClient(server.port));
    await Promise.all(idle.map((raw) => raw.next()));
    const extra = new RawClient(server.port);
    const challenge = extra.next();
    expect(await within(challenge, 500)).toBe(false); // no challenge yet, and not closed
    expect(extra.isClosed).toBe(false);
    idle[0]!.destroy();
    expect((await challenge)?.subarray(0, 11).toString()).toBe('#CHALLENGE#');
    for (const raw of [...idle, extra]) raw.destroy();
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    expect(await manager.numberOfObjects()).toBe(0);
  });

  it('a wrong authkey gets AuthenticationError; the server carries on for everyone else', async () => {
    await using server = await startRemoteServer();
    await using good = await Manager.connect(server.address, { authkey: server.authkey });
    using d = await good.dict({ kept: 1 });
    for (let i = 0; i < 3; i++) {
      const wrong = new Connection(server.address, { authkey: Buffer.from(`wrong ${i}`) });
      await expect(wrong.command(Command.ping)).rejects.toThrow(AuthenticationError);
    }
    expect(await d.getItem('kept')).toBe(1);
  });
});

describe('after authentication', () => {
  it('a frame over the size limit closes that connection only', async () => {
    await using server = await startRemoteServer({ maxFrameSize: 4096 });
    await using good = await Manager.connect(server.address, { authkey: server.authkey });
    using d = await good.dict<string, string>({ kept: 'yes' });
    const raw = new RawClient(server.port);
    await raw.authenticate(server.authkey);
    raw.write(encodeFrame([Op.call, 1, d.id, 'setItem', ['big', 'x'.repeat(10_000)]]));
    const reply = decode((await raw.next())!) as unknown[];
    expect(reply[0]).toBe(Reply.fatal);
    expect(String(reply[2])).toMatch(/over the limit of 4096 bytes/);
    expect(await within(raw.closed, 2000)).toBe(true);
    expect(await d.copy()).toEqual(new Map([['kept', 'yes']]));
  });

  it('unknown objects, unknown or unexposed methods, wrong argument counts and types: clear errors, no side effects', async () => {
    await using server = await startRemoteServer();
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    using d = await manager.dict<string, number>({ a: 1 });
    using v = await manager.value('i', 7);
    using q = await manager.queue();
    const connection = new Connection(server.address, { authkey: server.authkey });
    await expect(connection.call(999_999, 'len', [])).rejects.toThrow('no shared object with id 999999');
    await expect(connection.call(999_999, 'len', [])).rejects.toBeInstanceOf(RemoteError);
    await expect(connection.call('x' as never, 'len', [])).rejects.toThrow(RemoteError);
    await expect(d.callMethod('nope')).rejects.toThrow("method 'nope' of dict object is not in exposed");
    for (const name of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'getValue', 'dispose']) {
      await expect(d.callMethod(name)).rejects.toThrow(/not in exposed/);
    }
    await expect(d.callMethod('setItem', [])).rejects.toThrow(/setItem\(\) takes .*2 arguments? .*0 given|takes 2 arguments but 0 were given/);
    await expect(d.callMethod('setItem', ['b', 2, 3, 4, 5])).rejects.toThrow(TypeError);
    await expect(v.set('seven' as never)).rejects.toThrow(TypeError);
    await expect(q.put(1, { timeout: 'soon' as never })).rejects.toThrow(TypeError);
    await expect(q.get({ timeout: -1 })).rejects.toThrow('must be a non-negative number');
    for (const typeId of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      await expect(manager.create(typeId)).rejects.toThrow(`unknown shared type '${typeId}'`);
    }
    for (const name of ['constructor', '__proto__', 'toString']) {
      await expect(connection.command(name)).rejects.toThrow(RemoteError);
    }
    await expect(connection.incref(123_456)).rejects.toThrow(RemoteError);
    // Decrefs of what this connection does not hold, or with nonsense counts, change nothing.
    connection.decref(d.id, 5);
    connection.decref(d.id, Number.NaN);
    connection.decref(d.id, 'lots' as never);
    connection.decref(d.id, -3);
    await connection.command(Command.ping);
    const info = await manager.debugInfo();
    expect(info.objects.find((o) => o.id === d.id)?.refcount).toBe(1);
    expect(await d.copy()).toEqual(new Map([['a', 1]]));
    expect(await v.get()).toBe(7);
    expect(await q.qsize()).toBe(0);
    await connection.close();
  });

  it('the connection of a client that breaks the protocol is closed with a reason', async () => {
    await using server = await startRemoteServer();
    const raw = new RawClient(server.port);
    await raw.authenticate(server.authkey);
    raw.write(encodeFrame({ not: 'an array' }));
    const reply = decode((await raw.next())!) as unknown[];
    expect(reply[0]).toBe(Reply.fatal);
    expect(await within(raw.closed, 2000)).toBe(true);
  });
});

describe('no path to prototypes or constructors', () => {
  it('__proto__, constructor and prototype are plain dict keys and namespace names', async () => {
    await using server = await startRemoteServer();
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    using d: DictProxy<string, unknown> = await manager.dict();
    for (const key of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']) {
      expect(await d.contains(key)).toBe(false);
      await expect(d.getItem(key)).rejects.toThrow(`'${key}'`);
      await d.setItem(key, { polluted: true });
      expect(await d.getItem(key)).toEqual({ polluted: true });
    }
    expect(await d.len()).toBe(5);
    using ns: NamespaceProxy = await manager.namespace();
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      expect(await ns.hasattr(name)).toBe(false);
      await ns.setattr(name, 1);
      expect(await ns.getattr(name)).toBe(1);
    }
    expect(Object.getPrototypeOf(await ns.snapshot())).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("plain objects carrying such keys never change a prototype, here or in the server (msgpackr's rule)", async () => {
    await using server = await startRemoteServer();
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    using d = await manager.dict<string, unknown>();
    const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}, "a": 1}') as object;
    // A client refuses to send it...
    await expect(d.setItem('x', hostile)).rejects.toThrow(/__proto__/);
    // ...so send it by hand, as a hostile client would.
    const raw = new RawClient(server.port);
    await raw.authenticate(server.authkey);
    raw.write(encodeFrame([Op.call, 1, d.id, 'setItem', ['x', hostile]]));
    expect((decode((await raw.next())!) as unknown[])[0]).toBe(Reply.ok);
    raw.destroy();
    const back = (await d.getItem('x')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back.polluted).toBeUndefined();
    expect(back.a).toBe(1);
    expect(Object.hasOwn(back, 'constructor')).toBe(true);
    // msgpackr decodes an own "__proto__" key as "__proto_": data, never a prototype.
    expect(back.__proto_).toEqual({ polluted: 1 });
    // The server's own objects are untouched: a fresh dict there is empty and works.
    using fresh = await manager.dict<string, number>();
    await fresh.setItem('k', 1);
    expect(await fresh.str()).toBe("{'k': 1}");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

void ManagerClosedError;
