import { describe, expect, it } from 'vitest';
import { resolvesWithin } from '../../src/resolves-within.js';

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('resolvesWithin', () => {
  it('is true for a promise that resolves in time, and leaves no timer behind', async () => {
    const before = timers();
    expect(await resolvesWithin(Promise.resolve('done'), 60_000)).toBe(true);
    expect(timers()).toBe(before);
  });

  it('is false for one that does not, once the limit has passed', async () => {
    const started = performance.now();
    expect(await resolvesWithin(new Promise(() => {}), 50)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('passes a rejection through', async () => {
    await expect(resolvesWithin(Promise.reject(new RangeError('gone')), 60_000)).rejects.toThrow(RangeError);
  });

  it('waits for the promise alone when the limit is longer than a timer can hold', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      let resolve!: () => void;
      const later = new Promise<void>((done) => (resolve = done));
      const result = resolvesWithin(later, 30 * 24 * 3600 * 1000);
      let decided = false;
      void result.then(() => (decided = true));
      // A timer of such a limit would fire after 1 ms (with a TimeoutOverflowWarning): after 50,
      // the result must still be pending.
      await new Promise<void>((done) => setTimeout(done, 50));
      expect(decided).toBe(false);
      resolve();
      expect(await result).toBe(true);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
