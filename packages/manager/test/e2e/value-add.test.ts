import { describe, expect, it } from 'vitest';
import { OverflowError, Process } from '@mpts/manager';
import { fixture, rejection, serveManager, startManager } from '../helpers.js';
import { addMany } from '../fixtures/value-add-children.js';

describe('ValueProxy.add, the atomic increment', () => {
  it('adds in the manager and resolves to the new value', async () => {
    await using manager = await serveManager();
    using v = await manager.value('i', 40);
    expect(await v.add(2)).toBe(42);
    expect(await v.add(-50)).toBe(-8);
    expect(await v.get()).toBe(-8);
    using d = await manager.value('d', 0.5);
    expect(await d.add(0.25)).toBe(0.75);
    using q = await manager.value<bigint>('q', 1n);
    expect(await q.add(2n)).toBe(3n);
  });

  it('honours the typecode as set does, and refuses what Python cannot add', async () => {
    await using manager = await serveManager();
    using v = await manager.value('i', 2 ** 31 - 1);
    const overflow = await rejection(v.add(1));
    expect(overflow).toBeInstanceOf(OverflowError);
    expect(overflow.message).toBe('signed integer is greater than maximum');
    expect(await v.get()).toBe(2 ** 31 - 1);
    using s = await manager.value<unknown>('c_char_p', 'text');
    const wrong = await rejection(s.add(1));
    expect(wrong).toBeInstanceOf(TypeError);
    expect(wrong.message).toBe("unsupported operand type(s) for +=: 'str' and 'int'");
  });

  it('loses no update when processes add at once', async () => {
    await using manager = await startManager();
    using v = await manager.value('i', 0);
    const children = [0, 1].map(() => new Process({ target: addMany, args: [v, 300], module: fixture('value-add-children.ts') }));
    await Promise.all(children.map((p) => p.start()));
    await Promise.all([addMany(v, 300), ...children.map((p) => p.join())]);
    expect(children.map((p) => p.exitCode)).toEqual([0, 0]);
    expect(await v.get()).toBe(900);
  });
});
