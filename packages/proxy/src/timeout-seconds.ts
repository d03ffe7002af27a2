import { messages } from './errors.js';

/**
 * A timeout as a caller gave it, in seconds as in Python: null for none (`null` or
 * `undefined`), else the number; anything else, NaN included, is a `TypeError`. What a negative
 * timeout means is each blocking call's own rule.
 */
export function timeoutSeconds(timeout: unknown): number | null {
  if (timeout === null || timeout === undefined) return null;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new TypeError(messages.timeoutNotNumber(typeof timeout));
  }
  return timeout;
}
