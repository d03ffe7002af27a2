import { describe, expect, it } from 'vitest';
import { Process } from '@mpts/manager';
import { pythonDocsExample } from '../fixtures/children.js';
import { fixture, startManager } from '../helpers.js';

describe("Python's manager example", () => {
  it('prints what CPython prints after a child mutates the dict and the list', async () => {
    await using manager = await startManager();
    const d = await manager.dict();
    const l = await manager.list([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const p = new Process({ target: pythonDocsExample, args: [d, l], module: fixture('children.ts') });
    await p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await d.str()).toBe("{1: '1', '2': 2, 0.25: None}");
    expect(await l.str()).toBe('[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]');
    d.releaseProxy();
    l.releaseProxy();
  });
});
