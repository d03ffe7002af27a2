import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Manager, ManagerClosedError, Process, type DictProxy, type ListProxy } from '@mpts/manager';
import { recordPid } from '../fixtures/remote-followups-children.js';
import { fixture, isRunning, startManager } from '../helpers.js';
import { startRemoteServer } from '../remote-helpers.js';

const children = fixture('remote-followups-children.ts');

describe('proxies after shutdown() of a connected manager', () => {
  it('reject with ManagerClosedError, used before or not, instead of reconnecting', async () => {
    await using server = await startRemoteServer();
    const manager = await Manager.connect(server.address, { authkey: server.authkey });
    const used = await manager.dict<string, number>({ a: 1 });
    const unused = await manager.list<number>([1]);
    expect(await used.getItem('a')).toBe(1);
    await manager.shutdown();
    await expect(used.getItem('a')).rejects.toThrow(ManagerClosedError);
    await expect(unused.len()).rejects.toThrow(ManagerClosedError);
    await expect(unused.len()).rejects.toThrow(/shut down in this process/);
    await expect(manager.dict()).rejects.toThrow(ManagerClosedError);
    used.releaseProxy();
    unused.releaseProxy();
    // The server carried on, and no reconnection took references: it holds nothing.
    await using again = await Manager.connect(server.address, { authkey: server.authkey });
    expect(await again.numberOfObjects()).toBe(0);
  });

  it('connecting again to that address gives working proxies again', async () => {
    await using server = await startRemoteServer();
    const first = await Manager.connect(server.address, { authkey: server.authkey });
    await first.shutdown();
    await using second = await Manager.connect(server.address, { authkey: server.authkey });
    using d = await second.dict<string, number>({ b: 2 });
    expect(await d.getItem('b')).toBe(2);
    // And they work in a Process child, which got no shut-down mark from its parent.
    using l = await second.list<number>();
    const p = new Process({ target: recordPid, args: [d as unknown as DictProxy<string, number>, l], module: children });
    await p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await l.copy()).toEqual([p.pid]);
  });

  it('one of two managers connected to the same address shuts down: the other keeps working', async () => {
    await using server = await startRemoteServer();
    const a = await Manager.connect(server.address, { authkey: server.authkey });
    const b = await Manager.connect(server.address, { authkey: server.authkey });
    const d = await b.dict<string, number>({ kept: 1 });
    await a.shutdown();
    await expect(a.list()).rejects.toThrow(ManagerClosedError);
    expect(await d.getItem('kept')).toBe(1);
    // The last one closes this process's connection.
    await b.shutdown();
    await expect(d.getItem('kept')).rejects.toThrow(ManagerClosedError);
    d.releaseProxy();
  });

  it('a failed connect does not mark the address as shut down', async () => {
    await using server = await startRemoteServer();
    await expect(Manager.connect(server.address, { authkey: 'wrong' })).rejects.toThrow();
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    expect(await manager.numberOfObjects()).toBe(0);
  });
});

describe('proxies after shutdown() of a started manager', () => {
  it('reject with ManagerClosedError, used before or not', async () => {
    const manager = await Manager.start();
    const pid = manager.pid!;
    const socketDir = dirname(manager.address);
    const used = await manager.dict<string, number>({ a: 1 });
    const unused = await manager.list<number>();
    expect(await used.getItem('a')).toBe(1);
    await manager.shutdown();
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(socketDir)).toBe(false);
    await expect(used.getItem('a')).rejects.toThrow(ManagerClosedError);
    await expect(unused.len()).rejects.toThrow(ManagerClosedError);
    used.releaseProxy();
    unused.releaseProxy();
  });

  it('another manager started meanwhile is not affected', async () => {
    await using kept = await startManager();
    using l = await kept.list<number>([1]);
    const other = await Manager.start();
    using d = await other.dict();
    await other.shutdown();
    await expect(d.len()).rejects.toThrow(ManagerClosedError);
    expect(await l.copy()).toEqual([1]);
  });
});

void ({} as ListProxy<number>);
