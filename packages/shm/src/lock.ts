import { threadId } from 'node:worker_threads';
import { futex } from './futex.js';
import { WAIT_TIMED_OUT } from './native.js';
import { OWN_RECORD, pidOfRecord, provablyDead } from './liveness.js';
import { createSegment, OWN_LOCK_OFFSET, type Segment } from './segment.js';
import { messages, RuntimeError, timeoutSeconds, ValueError } from '@mpts/proxy/wire';

/** Options of `acquire`, as Python's `acquire(block=True, timeout=None)`. */
export interface AcquireOptions {
  /** Wait for the lock (default), or only try to take it. @default true */
  blocking?: boolean;
  /**
   * Seconds to wait at most; `null`/`undefined` waits for ever. A negative timeout is 0, and a
   * non-blocking call ignores it, as in `multiprocessing.Lock`.
   */
  timeout?: number | null;
}

/** Options of `acquireAsync`. */
export interface AcquireAsyncOptions extends AcquireOptions {
  /** Gives up waiting (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

// The lock's four int32s, from its byte offset:
const WORD = 0; //  0 when free, else the holder's pid | WAITERS
const OWNER_THREAD = 1; // RLock: the holding thread's id + 1
const COUNT = 2; // RLock: recursion depth
const KIND = 3; // 1 Lock, 2 RLock
// then, at byte 16, one 64-bit word: the holder's pid and PID namespace (liveness.ts), 0 while
// unknown. Written just after the word is taken, cleared just before it is freed.
const HOLDER_OFFSET = 16;
const WAITERS = 0x40000000;
const PID_MASK = 0x3fffffff;

const PID = process.pid;
const THREAD = threadId + 1;
/** How long one wait lasts before the holder's liveness is checked again. */
const SLICE_MS = 100;
const SPINS = 40;

/** Where a lock lives: a segment and the byte offset of its four words. */
export interface LockPlace {
  readonly segment: Segment;
  readonly offset: number;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null | undefined)?.then === 'function';

/**
 * What Lock and RLock share: a futex word in shared memory holding the holder's pid.
 *
 * Taking a free lock is one compare-and-swap in JS. A contended acquire marks the word as
 * having waiters and sleeps on a shared futex (on the libuv pool for `acquireAsync`), in slices
 * of 100 ms; after a slice that times out it checks whether the holder's process still exists.
 * If it does not (it was SIGKILLed while holding the lock), the waiter takes the lock over: a
 * lock is never stuck behind a dead process of the waiter's own PID namespace (one in another
 * namespace cannot be checked, and is waited for). The data the dead holder was changing may be half
 * written; that is the caller's to judge.
 */
abstract class SharedLock {
  /** @internal */ readonly segment: Segment;
  /** @internal */ readonly offset: number;
  /** @internal */ readonly i32: Int32Array;
  private readonly holder: BigInt64Array;

  protected constructor(kind: 1 | 2, place?: LockPlace) {
    if (place === undefined) {
      const segment = createSegment(0);
      place = { segment, offset: OWN_LOCK_OFFSET };
    }
    this.segment = place.segment;
    this.offset = place.offset;
    this.i32 = new Int32Array(place.segment.sab, place.offset, 4);
    this.holder = new BigInt64Array(place.segment.sab, place.offset + HOLDER_OFFSET, 1);
    Atomics.compareExchange(this.i32, KIND, 0, kind);
  }

  /** Takes the lock; `true` if taken, `false` if the wait timed out or `blocking` was false. */
  acquire(options: AcquireOptions = {}): boolean {
    if (this.reenter()) return true;
    if (!this.take(options.blocking ?? true, deadlineOf(options))) return false;
    this.becomeHolder();
    return true;
  }

  /**
   * Takes the lock without blocking the event loop: waits happen on the libuv thread pool
   * (each one at most 100 ms, so a pool thread is never held long).
   */
  async acquireAsync(options: AcquireAsyncOptions = {}): Promise<boolean> {
    if (this.reenter()) return true;
    const { blocking = true, signal } = options;
    signal?.throwIfAborted();
    if (Atomics.compareExchange(this.i32, WORD, 0, PID) === 0) {
      this.becomeHolder();
      return true;
    }
    if (!blocking) return this.acquire({ blocking: false });
    const deadline = deadlineOf(options);
    for (;;) {
      const step = this.step();
      if (step === TAKEN) break;
      if (step === RETRY) continue;
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        if (this.takeOverFromDead(step)) break;
        return false;
      }
      const result = await futex.waitAsync(this.i32, WORD, step, Math.min(remaining, SLICE_MS));
      signal?.throwIfAborted();
      if (result === WAIT_TIMED_OUT && this.takeOverFromDead(step)) break;
    }
    this.becomeHolder();
    return true;
  }

  /** Releases the lock. */
  abstract release(): void;

  /**
   * Runs `fn` holding the lock (Python's `with lock:`). If `fn` returns a promise, the lock is
   * held until it settles.
   */
  withLock<T>(fn: () => T): T {
    this.acquire();
    return this.runHeld(fn);
  }

  /** `withLock`, acquiring with `acquireAsync`. */
  async withLockAsync<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.acquireAsync();
    return await this.runHeld(fn);
  }

  /** Takes the lock and returns a hold to dispose: `using held = lock.hold()`. */
  hold(): Disposable {
    this.acquire();
    let held = true;
    return {
      [Symbol.dispose]: () => {
        if (held) {
          held = false;
          this.release();
        }
      },
    };
  }

  /**
   * This process will not pass the lock to another process any more: its shared-memory name
   * is removed (now, or once children already handed it have attached). The lock goes on
   * working where it is mapped. Done automatically when the lock is garbage collected, and
   * at exit.
   */
  unlink(): void {
    this.segment.unlink();
  }

  /** The pid of the process holding the lock, or `null` when it is free. */
  get ownerPid(): number | null {
    const word = Atomics.load(this.i32, WORD);
    return word === 0 ? null : word & PID_MASK;
  }

  private runHeld<T>(fn: () => T): T {
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.release();
      throw error;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (value) => {
          this.release();
          return value;
        },
        (error: unknown) => {
          this.release();
          throw error;
        },
      ) as T;
    }
    this.release();
    return result;
  }

  /** RLock: takes it again if this thread holds it. */
  protected reenter(): boolean {
    return false;
  }

  /** Called once the word is ours. */
  protected taken(): void {}

  private becomeHolder(): void {
    Atomics.store(this.holder, 0, OWN_RECORD);
    this.taken();
  }

  /** Frees the word and wakes one waiter, in any process, if there may be one. */
  protected releaseWord(): void {
    Atomics.store(this.holder, 0, 0n);
    if (Atomics.exchange(this.i32, WORD, 0) & WAITERS) futex.wake(this.i32, WORD, 1);
  }

  private take(blocking: boolean, deadline: number): boolean {
    if (Atomics.compareExchange(this.i32, WORD, 0, PID) === 0) return true;
    if (!blocking) {
      const word = Atomics.load(this.i32, WORD);
      if (word === 0) return Atomics.compareExchange(this.i32, WORD, 0, PID) === 0;
      return this.takeOverFromDead(word);
    }
    let spins = 0;
    for (;;) {
      const step = this.step();
      if (step === TAKEN) return true;
      if (step === RETRY) continue;
      if (spins < SPINS) {
        spins++;
        continue;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) return this.takeOverFromDead(step);
      const result = futex.wait(this.i32, WORD, step, Math.min(remaining, SLICE_MS));
      if (result === WAIT_TIMED_OUT && this.takeOverFromDead(step)) return true;
    }
  }

  /**
   * One step of a contended acquire: takes a free word (marking waiters, as others may sleep),
   * or marks a held word as having waiters and returns the value to sleep on.
   */
  private step(): number {
    const word = Atomics.load(this.i32, WORD);
    if (word === 0) {
      return Atomics.compareExchange(this.i32, WORD, 0, PID | WAITERS) === 0 ? TAKEN : RETRY;
    }
    if (word & WAITERS) return word;
    return Atomics.compareExchange(this.i32, WORD, word, word | WAITERS) === word
      ? word | WAITERS
      : RETRY;
  }

  /**
   * Takes the lock over if the process holding `word` is provably gone: recorded in this
   * process's PID namespace, and no such pid any more. A holder in another namespace (another
   * container sharing /dev/shm, `unshare --pid`) cannot be judged from here, so its lock is
   * waited for, even if it died. A takeover writes the same namespace it replaces, so the record
   * never describes another holder than the word's.
   */
  private takeOverFromDead(word: number): boolean {
    const pid = word & PID_MASK;
    if (pid === PID) return false;
    const holder = Atomics.load(this.holder, 0);
    // 0, or another pid: the holder has not recorded itself yet (or the lock changed hands).
    if (pidOfRecord(holder) !== pid || !provablyDead(holder)) return false;
    return Atomics.compareExchange(this.i32, WORD, word, PID | WAITERS) === word;
  }
}

const TAKEN = -1;
const RETRY = -2;

function deadlineOf(options: AcquireOptions): number {
  const seconds = timeoutSeconds(options.timeout);
  return seconds === null ? Infinity : performance.now() + Math.max(seconds, 0) * 1000;
}

/**
 * Python's `multiprocessing.Lock` on shared memory: any process or thread that has it can take
 * it, and any can release it (it has no owner, as in Python). Pass it to a child process in
 * `Process` args, to a worker with `toWorkerData`.
 */
export class Lock extends SharedLock {
  /** A new lock in its own shared memory. */
  constructor(/** @internal */ place?: LockPlace) {
    super(1, place);
  }

  /** Releases the lock; `ValueError` if it is not held, as in Python. */
  override release(): void {
    if (Atomics.load(this.i32, WORD) === 0) throw new ValueError(messages.lockReleasedTooMany);
    this.releaseWord();
  }

  override toString(): string {
    const owner = this.ownerPid;
    return `<Lock(owner=${owner === null ? 'None' : `pid ${owner}`})>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Python's `multiprocessing.RLock` on shared memory: the thread holding it may take it again,
 * and must release it as many times. Ownership is per thread (the main thread or one worker)
 * of one process, so async code of one thread shares it, as Python's threads do with theirs.
 */
export class RLock extends SharedLock {
  /** A new recursive lock in its own shared memory. */
  constructor(/** @internal */ place?: LockPlace) {
    super(2, place);
  }

  protected override reenter(): boolean {
    if (!this.isMine()) return false;
    this.i32[COUNT]!++;
    return true;
  }

  protected override taken(): void {
    this.i32[OWNER_THREAD] = THREAD;
    this.i32[COUNT] = 1;
  }

  /** Releases one level; `RuntimeError` if this thread does not hold it. */
  override release(): void {
    if (!this.isMine()) throw new RuntimeError(messages.releaseUnacquired);
    if (--this.i32[COUNT]! > 0) return;
    this.i32[OWNER_THREAD] = 0;
    this.releaseWord();
  }

  /** How many times the holder has taken it (0 when free). */
  get count(): number {
    return Atomics.load(this.i32, WORD) === 0 ? 0 : this.i32[COUNT]!;
  }

  private isMine(): boolean {
    return (Atomics.load(this.i32, WORD) & PID_MASK) === PID && this.i32[OWNER_THREAD] === THREAD;
  }

  override toString(): string {
    const owner = this.ownerPid;
    return owner === null ? '<RLock(None, 0)>' : `<RLock(pid ${owner}, ${this.count})>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** A segment's own RLock (a Value's default lock). */
export function ownRLock(segment: Segment): RLock {
  return new RLock({ segment, offset: OWN_LOCK_OFFSET });
}

/** The lock stored at a place, rebuilt on the receiving side of a hand-off. */
export function lockAt(place: LockPlace, recursive: boolean): Lock | RLock {
  return recursive ? new RLock(place) : new Lock(place);
}
