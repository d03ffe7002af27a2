import { iteratorMethods, messages, RuntimeError } from '@mpts/proxy/wire';
import type { Servant } from '../servant.js';

/**
 * Python's `iter(d)` of a shared dict, served to `IteratorProxy` (typeid `'Iterator'`, as
 * Python's `DictProxy.__iter__`): one step per `next()` call, over the live dict, with Python's
 * checks:
 *
 * - the dict's size differs from its size when the iterator was made: `RuntimeError('dictionary
 *   changed size during iteration')`, and again on every later step (CPython makes it sticky);
 * - a step finds a key after as many keys as the dict had were given (a key was deleted and
 *   another added, so the size is the same): `RuntimeError('dictionary keys changed during
 *   iteration')`, after which the iterator is exhausted.
 *
 * A JavaScript `Map` iterator skips deleted keys and reaches keys added since, as CPython's dict
 * iterator does while the dict is not rebuilt, so the steps are CPython's (3.11 to 3.13).
 * Exhausted, it stays exhausted whatever the dict does next.
 */
export class IteratorServant implements Servant {
  /** The keys still to come, or undefined once exhausted. */
  private keys: Iterator<unknown> | undefined;
  /** The dict's size when the iterator was made; -1 once it changed (Python's sticky state). */
  private expectedSize: number;
  /** How many keys may still come (CPython's `di->len`). */
  private remaining: number;

  static readonly exposed = iteratorMethods;

  constructor(private readonly map: ReadonlyMap<unknown, unknown>) {
    this.keys = map.keys();
    this.expectedSize = map.size;
    this.remaining = map.size;
  }

  /** One step: `{ done: false, value: key }`, or `{ done: true }` (Python's `StopIteration`). */
  next(): IteratorResult<unknown, undefined> {
    if (this.keys === undefined) return { done: true, value: undefined };
    if (this.expectedSize !== this.map.size) {
      this.expectedSize = -1;
      throw new RuntimeError(messages.dictChangedSize);
    }
    const step = this.keys.next();
    if (step.done) return this.finish();
    if (this.remaining === 0) {
      this.finish();
      throw new RuntimeError(messages.dictKeysChanged);
    }
    this.remaining--;
    return { done: false, value: step.value };
  }

  /** The keys it may still give keep what they stand for alive (a proxy used as a key). */
  heldValues(): Iterable<unknown> {
    return this.keys === undefined ? [] : this.map.keys();
  }

  str(): string {
    return '<dict_keyiterator object>';
  }

  private finish(): IteratorResult<unknown, undefined> {
    this.keys = undefined;
    return { done: true, value: undefined };
  }
}
