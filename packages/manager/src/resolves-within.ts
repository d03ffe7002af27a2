/** The longest delay setTimeout honours (about 24.8 days): a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves true once `promise` resolves, or false if `ms` pass first (a `join({ timeout })`, a
 * shutdown that escalates); a rejection of `promise` passes through. A limit longer than a
 * timer can hold is a wait for the promise alone. The timer is cleared as soon as the race is
 * decided, so it keeps the process alive no longer.
 */
export async function resolvesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms > MAX_TIMER_MS) {
    await promise;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
