import { describe, expect, it } from 'vitest';
import { Process, Value } from '@mpts/manager';
import { exitWithAddonState, exitWithCodecState, incrementThenExitWithAddonState } from '../fixtures/addon-probe.js';
import { fixture, startManager } from '../helpers.js';

const probe = fixture('addon-probe.ts');
const ADDON_LOADED = 10;
const ADDON_NOT_LOADED = 20;
const CODEC_LOADED = 30;
const CODEC_NOT_LOADED = 40;

describe.runIf(process.platform === 'linux')('what a Process child loads before its target runs', () => {
  it('a child whose arguments hold proxies and plain data does not load shared memory', async () => {
    await using manager = await startManager();
    using d = await manager.dict();
    const p = new Process({ target: exitWithAddonState, args: [d, { n: 1 }] as never, module: probe });
    await p.start();
    await p.join();
    expect(p.exitCode).toBe(ADDON_NOT_LOADED);
  });

  it('a child without arguments loads no codec; one with arguments decodes them with it', async () => {
    const bare = new Process({ target: exitWithCodecState, module: probe });
    await bare.start();
    await bare.join();
    expect(bare.exitCode).toBe(CODEC_NOT_LOADED);
    const given = new Process({ target: exitWithCodecState, args: [1] as never, module: probe });
    await given.start();
    await given.join();
    expect(given.exitCode).toBe(CODEC_LOADED);
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
