import { describe, expect, it } from 'vitest';
import { AttributeError, RemoteError } from '@mpts/manager';
import { serveManager, rejection } from '../helpers.js';

// Expected values and errors are what CPython 3.11 gives for a manager's Namespace.
describe('NamespaceProxy', () => {
  it("prints Namespace(a=1, b='s'), sorted, hiding names that start with _", async () => {
    await using manager = await serveManager();
    using ns = await manager.namespace<Record<string, unknown>>({ b: 's', a: 1 });
    expect(await ns.str()).toBe("Namespace(a=1, b='s')");
    await ns.setattr('_x', 1);
    await ns.setattr('c', [1]);
    expect(await ns.str()).toBe("Namespace(a=1, b='s', c=[1])");
    using empty = await manager.namespace();
    expect(await empty.str()).toBe('Namespace()');
  });

  it('getattr, setattr, delattr, hasattr and snapshot', async () => {
    await using manager = await serveManager();
    using ns = await manager.namespace<{ a: number; b: string; c?: number[] }>({ a: 1, b: 's' });
    expect(await ns.getattr('a')).toBe(1);
    await ns.setattr('a', 2);
    expect(await ns.getattr('a')).toBe(2);
    expect(await ns.hasattr('c')).toBe(false);
    await ns.setattr('c', [1, 2]);
    expect(await ns.hasattr('c')).toBe(true);
    expect(await ns.snapshot()).toEqual({ a: 2, b: 's', c: [1, 2] });
    await ns.delattr('c');
    expect(await ns.hasattr('c')).toBe(false);
  });

  it("raises AttributeError with Python's message for a missing name", async () => {
    await using manager = await serveManager();
    using ns = await manager.namespace({ c: 1 });
    const missing = await rejection(ns.getattr('missing' as never));
    expect(missing).toBeInstanceOf(AttributeError);
    expect(missing.message).toBe("'Namespace' object has no attribute 'missing'");
    expect((missing as AttributeError).remoteStack).toBeTypeOf('string');
    await ns.delattr('c');
    const twice = await rejection(ns.delattr('c'));
    expect(twice).toBeInstanceOf(AttributeError);
    expect(twice.message).toBe("'Namespace' object has no attribute 'c'");
  });

  it('keeps names like __proto__ and constructor as plain attributes', async () => {
    await using manager = await serveManager();
    using ns = await manager.namespace();
    await ns.setattr('__proto__', 5);
    await ns.setattr('constructor', 'c');
    expect(await ns.getattr('__proto__')).toBe(5);
    expect(await ns.getattr('constructor')).toBe('c');
    expect(await ns.str()).toBe("Namespace(constructor='c')");
    await ns.delattr('__proto__');
    const snapshot = await ns.snapshot();
    expect(Object.getPrototypeOf(snapshot)).toBe(Object.prototype);
    expect(Object.keys(snapshot)).toEqual(['constructor']);
    expect(await rejection(ns.callMethod('nope'))).toBeInstanceOf(RemoteError);
  });
});
