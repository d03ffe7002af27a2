import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, ConnectionRefusedError, Manager } from '@mpts/manager';
import { Command, Connection } from '@mpts/proxy/wire';
import { RawClient, within } from '../raw-client.js';
import { fixture, isRunning, nodeFlags, rejection, waitFor } from '../helpers.js';
import { startRemoteServer, type RemoteServer } from '../remote-helpers.js';
import { certificateForTests } from '../tls-certificate.js';

/** A client connection to the test server that comes from `localAddress` (another host on loopback). */
function connectFrom(server: RemoteServer, localAddress: string, authkey: Buffer = server.authkey): Connection {
  return new Connection(server.address, {
    authkey,
    openSocket: () => netConnect({ host: '127.0.0.1', port: server.port, localAddress }),
  });
}

const refused = (raw: RawClient) => raw.frames.find((frame) => frame.subarray(0, 9).toString() === '#REFUSED#')?.subarray(9).toString();

describe('connections still authenticating', () => {
  it('a slowloris from 64 hosts, each connection back as soon as it is closed, does not keep 100 clients out', async () => {
    await using server = await startRemoteServer();
    let attacking = true;
    const slow = new Set<RawClient>();
    const reasons = new Set<string>();
    const open = (host: number) => {
      const raw = new RawClient(server.port, '127.0.0.1', `127.0.1.${host}`);
      slow.add(raw);
      void raw.closed.then(() => {
        slow.delete(raw);
        const reason = refused(raw);
        if (reason !== undefined) reasons.add(reason);
        if (attacking) open(host);
      });
    };
    for (let host = 1; host <= 64; host++) open(host);
    // Every place among those authenticating is taken: each slow connection got its challenge.
    await waitFor(() => [...slow].filter((raw) => raw.frames.length > 0).length === 64, 10_000);
    const started = Date.now();
    const clients = Array.from({ length: 100 }, (_, i) => connectFrom(server, `127.0.2.${1 + (i % 100)}`));
    const pings = await Promise.allSettled(clients.map((client) => client.command(Command.ping)));
    const elapsed = Date.now() - started;
    attacking = false;
    for (const raw of slow) raw.destroy();
    await Promise.all(clients.map((client) => client.close()));
    expect(pings.filter((ping) => ping.status === 'rejected')).toEqual([]);
    // The slow connections were told why they had to go.
    expect([...reasons].join('\n')).toMatch(/while other connections waited/);
    console.log(`admission: 100 clients authenticated in ${elapsed} ms during a slowloris of 64 hosts`);
  });

  it('one host cannot take more than its share: 40 stalled connections from it leave room for others at once', async () => {
    await using server = await startRemoteServer({ handshakeTimeout: 30 });
    const stalled = Array.from({ length: 40 }, () => new RawClient(server.port, '127.0.0.1', '127.0.0.9'));
    await waitFor(() => stalled.filter((raw) => raw.frames.length > 0).length === 16);
    const other = connectFrom(server, '127.0.0.10');
    expect(await other.command(Command.ping)).toBe('pong');
    await other.close();
    // The rest of that host's connections still wait their turn; none was refused.
    expect(stalled.filter((raw) => raw.frames.length > 0)).toHaveLength(16);
    expect(stalled.every((raw) => !raw.isClosed)).toBe(true);
    for (const raw of stalled) raw.destroy();
  });

  it('200 clients in 4 processes connecting at once over TCP all authenticate', async () => {
    await using server = await startRemoteServer();
    const results = await burst(server.address, server.authkey, 4, 50);
    expect(results.flatMap((result) => result.failures)).toEqual([]);
    expect(results.reduce((sum, result) => sum + result.ok, 0)).toBe(200);
  });

  it('200 connections at once over a Unix socket all authenticate', async () => {
    await using manager = await Manager.start();
    const connections = Array.from({ length: 200 }, () => new Connection(manager.address, { authkey: manager.authkey }));
    const pings = await Promise.allSettled(connections.map((connection) => connection.command(Command.ping)));
    await Promise.all(connections.map((connection) => connection.close()));
    expect(pings.filter((ping) => ping.status === 'rejected')).toEqual([]);
  });

  it('a connection that does not finish in time is told why', async () => {
    await using server = await startRemoteServer({ handshakeTimeout: 0.5 });
    const raw = new RawClient(server.port);
    expect(await within(raw.closed, 5000)).toBe(true);
    expect(refused(raw)).toBe('the authentication handshake did not finish within 0.5 s');
  });

  it('past the waiting line, a client is refused with ConnectionRefusedError, not "the manager is closed"', async () => {
    // One place, and 16 in line of which 4 from one host.
    await using server = await startRemoteServer({ maxUnauthenticated: 1, handshakeTimeout: 30 });
    const stalled = Array.from({ length: 5 }, () => new RawClient(server.port, '127.0.0.1', '127.0.0.11'));
    await waitFor(() => stalled.some((raw) => raw.frames.length > 0));
    const error = await rejection(connectFrom(server, '127.0.0.11').command(Command.ping));
    expect(error).toBeInstanceOf(ConnectionRefusedError);
    expect(error.message).toMatch(/refused the connection: too many connections waiting to authenticate/);
    for (const raw of stalled) raw.destroy();
  });
});

describe('failed authentications', () => {
  it('are limited per host: past a burst, that host is refused for a while; others are not', async () => {
    await using server = await startRemoteServer();
    const wrong = Buffer.from('not the key');
    const errors: Error[] = [];
    for (let i = 0; i < 20; i++) {
      const error = await rejection(connectFrom(server, '127.0.0.20', wrong).command(Command.ping));
      errors.push(error);
      if (error instanceof ConnectionRefusedError) break;
    }
    const last = errors.at(-1)!;
    expect(last).toBeInstanceOf(ConnectionRefusedError);
    expect(last.message).toMatch(/too many failed authentications from 127\.0\.0\.20; try again in \d+ s/);
    expect(errors.slice(0, -1).every((error) => error instanceof AuthenticationError)).toBe(true);
    expect(errors.length - 1).toBeGreaterThanOrEqual(10);
    // The right key from that host waits out the same delay; from another host it is welcome.
    await expect(connectFrom(server, '127.0.0.20').command(Command.ping)).rejects.toThrow(ConnectionRefusedError);
    const other = connectFrom(server, '127.0.0.21');
    expect(await other.command(Command.ping)).toBe('pong');
    await other.close();
    await waitFor(async () => {
      const again = connectFrom(server, '127.0.0.20');
      const ok = await again.command(Command.ping).then(() => true, () => false);
      await again.close();
      return ok;
    }, 10_000, 250);
  });

  it('Manager.connect() with a wrong authkey fails even while this process holds a connection made with the right one', async () => {
    await using server = await startRemoteServer();
    await using good = await Manager.connect(server.address, { authkey: server.authkey });
    using d = await good.dict({ kept: 1 });
    await expect(Manager.connect(server.address, { authkey: 'wrong' })).rejects.toThrow(AuthenticationError);
    // The right key is still the one known for the address: new proxies and connects work.
    expect(await d.getItem('kept')).toBe(1);
    await using again = await Manager.connect(server.address);
    expect(await again.numberOfObjects()).toBe(1);
  });
});

describe('TLS and plain connections that do not match', () => {
  const certificate = certificateForTests();

  it('a plain client at a TLS port is told to use TLS, long before the handshake deadline', async () => {
    await using server = await startRemoteServer({ tlsCert: certificate.cert, tlsKey: certificate.key, handshakeTimeout: 60 });
    const started = Date.now();
    const attempt = Manager.connect(server.address, { authkey: server.authkey });
    expect(await within(attempt.catch(() => {}), 10_000)).toBe(true);
    const error = await rejection(attempt);
    console.log(`admission: a plain client at a TLS port failed after ${Date.now() - started} ms`);
    expect(error).toBeInstanceOf(ConnectionRefusedError);
    expect(error.message).toMatch(/serves TLS and the connection is plain: connect with the tls option/);
    // TLS clients are served meanwhile.
    await using manager = await Manager.connect(server.address, { authkey: server.authkey, tls: { ca: readFileSync(certificate.cert) } });
    expect(await manager.numberOfObjects()).toBe(0);
  });

  it('a TLS client at a plain port is told the manager does not serve TLS', async () => {
    await using server = await startRemoteServer({ handshakeTimeout: 60 });
    const attempt = Manager.connect(server.address, { authkey: server.authkey, tls: { ca: readFileSync(certificate.cert) } });
    expect(await within(attempt.catch(() => {}), 10_000)).toBe(true);
    const error = await rejection(attempt);
    expect(error).toBeInstanceOf(ConnectionRefusedError);
    expect(error.message).toMatch(/does not serve TLS/);
  });
});

/** `processes` client processes, each opening `each` connections at the same moment. */
async function burst(address: string, authkey: Buffer, processes: number, each: number): Promise<{ ok: number; failures: string[] }[]> {
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < processes; i++) {
      const entry = fixture('burst-clients.ts');
      children.push(fork(fileURLToPath(entry), [], { execArgv: nodeFlags(entry), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    }
    await Promise.all(children.map((child) => once(child, 'message')));
    const results = children.map((child) => once(child, 'message').then(([result]) => result as { ok: number; failures: string[] }));
    for (const child of children) child.send({ address, authkey: authkey.toString('base64'), count: each });
    return await Promise.all(results);
  } finally {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }
    expect(children.every((child) => !isRunning(child.pid!))).toBe(true);
  }
}
