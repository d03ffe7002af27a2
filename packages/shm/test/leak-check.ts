import { afterEach, beforeEach, expect } from 'vitest';
import { eventually, segmentsOf, segmentsSince } from './helpers.js';

/**
 * Makes each test of the calling file a leak test for shared memory. What a test passes to the
 * returned `keep` is unlinked after it, as Python frees an object once dropped (after `first`,
 * e.g. reaping children); then every segment the test made must give up its name.
 */
export function unlinkedAfterEachTest(first: () => Promise<void> = async () => {}): <T extends { unlink(): void }>(object: T) => T {
  const made: { unlink(): void }[] = [];
  let before: string[] = [];
  beforeEach(() => {
    before = segmentsOf(process.pid);
  });
  afterEach(async () => {
    await first();
    for (const object of made.splice(0)) object.unlink();
    // A child's mapping may outlive the child by a moment.
    expect(await eventually(() => segmentsSince(before).length === 0)).toBe(true);
  });
  return (object) => {
    made.push(object);
    return object;
  };
}
