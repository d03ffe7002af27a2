import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Manager, Process, toToken, type DictProxy, type ListProxy } from '@mpts/manager';
import { RawClient, within } from '../raw-client.js';
import { fixture, isRunning } from '../helpers.js';
import { startRemoteServer } from '../remote-helpers.js';
import { passToGrandchild, recordPid } from '../fixtures/remote-followups-children.js';
import { certificateForTests } from '../tls-certificate.js';

const children = fixture('remote-followups-children.ts');

/** A self-signed certificate for 127.0.0.1 and localhost, removed after the file. */
const certificate = certificateForTests();

describe('proxies of a manager served over TLS', () => {
  it('work in Process children, which connect over TLS with the options their parent used', async () => {
    await using server = await startRemoteServer({ tlsCert: certificate.cert, tlsKey: certificate.key, handshakeTimeout: 1 });
    await using manager = await Manager.connect(server.address, { authkey: server.authkey, tls: { ca: readFileSync(certificate.cert) } });
    using d = await manager.dict<string, number>();
    using l = await manager.list<number>();
    const p = new Process({ target: recordPid, args: [d, l], module: children });
    await p.start();
    await p.join();
    expect(p.error).toBeUndefined();
    expect(p.exitCode).toBe(0);
    expect(await d.get('child')).toBe(p.pid);
    expect(await l.copy()).toEqual([p.pid]);
  });

  it('and in their children in turn', async () => {
    await using server = await startRemoteServer({ tlsCert: certificate.cert, tlsKey: certificate.key, handshakeTimeout: 1 });
    await using manager = await Manager.connect(`tcp://localhost:${server.port}`, {
      authkey: server.authkey,
      tls: { ca: readFileSync(certificate.cert), servername: 'localhost' },
    });
    using d = await manager.dict<string, number>();
    using l = await manager.list<number>();
    const p = new Process({ target: passToGrandchild, args: [d, l], module: children });
    await p.start();
    await p.join();
    expect(p.error).toBeUndefined();
    expect(p.exitCode).toBe(0);
    const grandchild = await d.get('grandchild');
    expect(grandchild).toBeTypeOf('number');
    expect(grandchild).not.toBe(p.pid);
    expect(await d.get('child')).toBe(p.pid);
    expect(await l.copy()).toEqual([grandchild]);
  });

  it('travel in a token with the authkey and the TLS options, to a process that never connected', async () => {
    await using server = await startRemoteServer({ tlsCert: certificate.cert, tlsKey: certificate.key, handshakeTimeout: 1 });
    await using manager = await Manager.connect(server.address, { authkey: server.authkey, tls: { ca: readFileSync(certificate.cert) } });
    using l = await manager.list<string>(['parent']);
    const token = toToken(l as ListProxy<string>, { includeAuthkey: true });
    expect(token.tls).toEqual({ ca: { $bytes: readFileSync(certificate.cert).toString('base64') } });
    // JSON-safe: it survives any channel.
    const sent = JSON.parse(JSON.stringify(token));
    const child = fork(fileURLToPath(fixture('token-channel.mjs')), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = once(child, 'exit');
    const reply = once(child, 'message');
    child.send({ token: sent, tag: 'forked' });
    const [{ length }] = (await reply) as [{ length: number }];
    const [code] = await exited;
    expect(code).toBe(0);
    expect(length).toBe(2);
    expect(await l.copy()).toEqual(['parent', 'forked']);
    // Without the authkey, a token carries neither secret nor TLS options.
    expect(toToken(l as ListProxy<string>).tls).toBeUndefined();
  });
});

describe('a TLS server counts TLS handshakes in progress against maxUnauthenticated', () => {
  it('stalled TLS handshakes hold the places; a TLS client waits, and the oldest gives way to it', async () => {
    await using server = await startRemoteServer({ tlsCert: certificate.cert, tlsKey: certificate.key, maxUnauthenticated: 3, handshakeTimeout: 4 });
    // Three connections that start a TLS handshake (one byte of a ClientHello) and stall.
    const stalled = [0, 1, 2].map(() => new RawClient(server.port));
    await Promise.all(stalled.map((raw) => once(raw.socket, 'connect')));
    for (const raw of stalled) raw.write(Buffer.from([0x16]));
    await using manager = await Manager.connect(server.address, { authkey: server.authkey, tls: { ca: readFileSync(certificate.cert) } });
    expect(await manager.numberOfObjects()).toBe(0);
    // It got in because the oldest stalled handshake had to go (after half the 4 s deadline).
    expect(await within(Promise.race(stalled.map((raw) => raw.closed)), 1000)).toBe(true);
    for (const raw of stalled) raw.destroy();
    expect(isRunning(server.pid)).toBe(true);
  });

  it('an authenticated TLS connection gives its place back', async () => {
    await using server = await startRemoteServer({ tlsCert: certificate.cert, tlsKey: certificate.key, maxUnauthenticated: 2, handshakeTimeout: 30 });
    // Two addresses of the same server: two connections of this process, both authenticated.
    const ca = readFileSync(certificate.cert);
    await using byIp = await Manager.connect(server.address, { authkey: server.authkey, tls: { ca } });
    await using byName = await Manager.connect(`tcp://localhost:${server.port}`, { authkey: server.authkey, tls: { ca } });
    expect((await byIp.debugInfo()).clients).toHaveLength(2);
    // Both places are free: two stalled TLS handshakes take them, and a third connection waits.
    const stalled = [0, 1].map(() => new RawClient(server.port));
    await Promise.all(stalled.map((raw) => once(raw.socket, 'connect')));
    for (const raw of stalled) raw.write(Buffer.from([0x16]));
    const third = new RawClient(server.port);
    // A plain client is told to use TLS once its turn comes, which is when a stalled one goes.
    expect(await within(third.closed, 1500)).toBe(false);
    stalled[0]!.destroy();
    expect(await within(third.closed, 5000)).toBe(true);
    expect(third.frames[0]?.toString()).toMatch(/^#REFUSED#this manager serves TLS/);
    for (const raw of stalled) raw.destroy();
    expect(await byName.numberOfObjects()).toBe(0);
  });
});

void ({} as DictProxy<string, unknown>);
