/**
 * Waits for a state another process reaches, that no event announces (a client blocked in
 * Redis): checks it again after each short pause, for at most ten seconds.
 */
export async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  const end = performance.now() + 10_000;
  while (!(await condition())) {
    if (performance.now() > end) throw new Error('the awaited state never came');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
