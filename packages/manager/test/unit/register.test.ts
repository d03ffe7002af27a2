import { describe, expect, it } from 'vitest';
import { Manager } from '../../src/manager.js';
import { findManagerClass, registryOf, registryOwner } from '../../src/register.js';

const typeIdsOf = (managerClass: typeof Manager) => [...registryOf(managerClass).keys()].sort();

describe('Manager.register(): a registry per class, as Python\'s cls._registry', () => {
  it('two classes register one typeId differently, in either order, and neither changes the other', () => {
    class WithFactory extends Manager {}
    class WithoutFactory extends Manager {}
    const factory = () => ({});
    WithFactory.register('getQueue', factory);
    WithoutFactory.register('getQueue', null);
    expect(registryOf(WithFactory).get('getQueue')!.factory).toBe(factory);
    expect(registryOf(WithoutFactory).get('getQueue')!.factory).toBeNull();

    class ClientFirst extends Manager {}
    class ServerSecond extends Manager {}
    ClientFirst.register('getQueue', null);
    ServerSecond.register('getQueue', factory);
    expect(registryOf(ClientFirst).get('getQueue')!.factory).toBeNull();
    expect(registryOf(ServerSecond).get('getQueue')!.factory).toBe(factory);
    // Each class has its own factory method.
    expect(Object.hasOwn(WithFactory.prototype, 'getQueue')).toBe(true);
    expect(Object.hasOwn(Manager.prototype, 'getQueue')).toBe(false);
    expect(registryOf(Manager).has('getQueue')).toBe(false);
  });

  it('a subclass inherits its parent\'s registrations; its own are copied on its first register, as in Python', () => {
    class Parent extends Manager {}
    Parent.register('a', () => ({}));
    class Inheriting extends Parent {}
    class Extending extends Parent {}
    Extending.register('b', () => ({}));
    expect(registryOwner(Inheriting)).toBe(Parent);
    expect(typeIdsOf(Inheriting)).toEqual(['a']);
    expect(typeIdsOf(Extending)).toEqual(['a', 'b']);
    expect(typeIdsOf(Parent)).toEqual(['a']);
    // Python copies the parent's registry at the subclass's first write: later ones do not reach it.
    Parent.register('c', () => ({}));
    expect(typeIdsOf(Inheriting)).toEqual(['a', 'c']);
    expect(typeIdsOf(Extending)).toEqual(['a', 'b']);
  });

  it('a server finds its class by name among those that registered; a plain Manager without modules serves none', () => {
    class FoundByName extends Manager {}
    FoundByName.register('x', () => ({}));
    expect(findManagerClass('FoundByName', true)).toBe(FoundByName);
    expect(findManagerClass(FoundByName, false)).toBe(FoundByName);
    expect(findManagerClass(undefined, false)).toBeUndefined();
    expect(findManagerClass('NoSuchManager', false)).toBeUndefined();
    expect(() => findManagerClass('NoSuchManager', true)).toThrow(
      "no manager class named 'NoSuchManager' registered types in the manager process: pass the module that calls NoSuchManager.register() in register",
    );
    // This file registered on several classes: which one to serve must be said.
    expect(() => findManagerClass(undefined, true)).toThrow(/several manager classes registered types/);
  });

  it('checks what it is given', () => {
    class Checked extends Manager {}
    expect(() => Checked.register('', () => ({}))).toThrow(TypeError);
    expect(() => Checked.register('t', 42 as never)).toThrow(/must be a function, or null/);
    expect(() => Checked.register('t', null, { methodToTypeId: { m: 1 as never } })).toThrow(/methodToTypeId/);
  });
});
