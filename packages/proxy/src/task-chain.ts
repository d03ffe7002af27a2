import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * An async task chain: what owns an RLock (or a Condition's default lock, an RLock) in mpts,
 * as a thread owns one in Python. Node runs one thread; what it runs concurrently is chains of
 * async calls, and a chain is the nearest thing to Python's thread (DESIGN D6).
 *
 * What a chain is, precisely (the same text is in docs/coming-from-python.md):
 *
 * - `withLock(fn)` runs `fn` in a chain: the one it was called in if that chain holds an RLock
 *   or a Condition's lock now (re-entry), else a new one. So two `withLock` calls made side
 *   by side (`Promise.all([rlock.withLock(a), rlock.withLock(b)])`) exclude each other, and a
 *   `withLock` nested inside another re-enters.
 * - A bare `acquire()` or `hold()` likewise keeps the chain it is called in if that chain
 *   holds such a lock, and otherwise starts a new chain, which covers the code after the call:
 *   the rest of the calling function, what it awaits, calls and starts from then on.
 * - `runAsTask(fn)` runs `fn` in a new chain, whatever the caller holds.
 *
 * Starting a new chain when the current one holds nothing is what makes tasks started side by
 * side exclude each other: in `Promise.all([taskA(), taskB()])`, where each task's first
 * `acquire()` runs before either task awaits anything, taskB's acquire finds taskA's new chain
 * holding nothing yet (its acquire has not been granted) and starts its own. The acquire of a
 * chain that holds nothing cannot be a re-entry, so nothing is lost by giving it a new chain.
 *
 * The limit: Node gives a new chain from a bare `acquire()` to the rest of the synchronous
 * code that called it too. So a function started without `await` (fire and forget) whose
 * `acquire()` starts a chain shares that chain with the code that started it, and that code
 * would re-enter the lock while the function holds it. Start such a function with
 * `runAsTask(fn)`, or have it take the lock with `withLock`.
 */
export class TaskChain {
  private static lastId = 0;
  /** Sent with each ownership call; the manager keys an RLock's owner by (connection, id). */
  readonly id = ++TaskChain.lastId;
  /** Acquisitions of an RLock or a Condition's lock by this chain, not yet released. */
  holds = 0;
}

const chains = new AsyncLocalStorage<TaskChain>();

/** The chain the caller runs in, if it has one. */
export function currentChain(): TaskChain | undefined {
  return chains.getStore();
}

/** The chain an acquire should be made as: the caller's if it holds a lock (re-entry), else none yet. */
function reentrantChain(): TaskChain | undefined {
  const chain = chains.getStore();
  return chain !== undefined && chain.holds > 0 ? chain : undefined;
}

/**
 * The chain a bare `acquire()` is made as. A new one is entered for the rest of the caller's
 * synchronous code and everything it goes on to await, so the caller's later `release()`,
 * `wait()` and nested acquires are made as the same chain. Call it before any `await`.
 */
export function enterChainToAcquire(): TaskChain {
  const reentered = reentrantChain();
  if (reentered !== undefined) return reentered;
  const chain = new TaskChain();
  chains.enterWith(chain);
  return chain;
}

/** Runs `fn` in the chain a `withLock(fn)` is made as (re-entered, or a new one); the caller's stays as it was. */
export function runInChainToAcquire<R>(fn: (chain: TaskChain) => R): R {
  const chain = reentrantChain() ?? new TaskChain();
  return chains.run(chain, fn, chain);
}

/**
 * Runs `fn` as a task chain of its own: its RLock and Condition acquisitions exclude those of
 * the code that called it, as a new thread's would in Python. Use it to start concurrent work
 * that takes locks without `withLock`, e.g. `void runAsTask(() => worker())`.
 */
export function runAsTask<R>(fn: () => R): R {
  return chains.run(new TaskChain(), fn);
}
