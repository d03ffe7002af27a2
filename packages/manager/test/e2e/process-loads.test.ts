import { describe, expect, it } from 'vitest';
import { Process, Value } from '@mpts/manager';
import { exitWithAddonState, incrementThenExitWithAddonState } from '../fixtures/addon-probe.js';
import { fixture, startManager } from '../helpers.js';

const probe = fixture('addon-probe.ts');
const ADDON_LOADED = 10;
const ADDON_NOT_LOADED = 20;

describe.runIf(process.platform === 'linux')('what a Process child loads before its target runs', () => {
  it('a child whose arguments hold proxies and plain data does not load shared memory', async () => {
    await using manager = await startManager();
    using d = await manager.dict();
    const p = new Process({ target: exitWithAddonState, args: [d, { n: 1 }] as never, module: probe });
    await p.start();
    await p.join();
    expect(p.exitCode).toBe(ADDON_NOT_LOADED);
  });

  it('a child whose arguments hold shared memory loads it first, and rebuilds them', async () => {
    const v = Value('i', 41);
    try {
      const p = new Process({ target: incrementThenExitWithAddonState, args: [v] as never, module: probe });
      await p.start();
      await p.join();
      expect(p.exitCode).toBe(ADDON_LOADED);
      expect(v.value).toBe(42);
    } finally {
      v.unlink();
    }
  });
});
