import { messages, pyTypeName } from '@mpts/proxy/wire';

/**
 * A count given to a shared object: a Barrier's parties, a Queue's maxsize, a Semaphore's value
 * or `release(n)`, a Condition's `notify(n)`. Python never checks its type, it compares it with
 * an int (`parties < 1`, `maxsize > 0`): so a bool is an int, and anything but a number fails
 * as that comparison does, with `operator` in its message.
 */
export function comparedCount(value: unknown, operator: '<' | '>'): number {
  if (typeof value === 'boolean' || typeof value === 'bigint') return Number(value);
  if (typeof value !== 'number') throw new TypeError(messages.notSupportedBetween(operator, pyTypeName(value), 'int'));
  return value;
}

/**
 * A count that passed Python's comparison must also be whole where a fraction would break the
 * object: Python takes `Semaphore(1.5)`, whose counter then never reaches zero again, and
 * `Barrier(1.5)`, which never trips. mpts refuses it, in Python's words for a non-integer.
 */
export function wholeCount(count: number): number {
  if (!Number.isInteger(count)) throw new TypeError(messages.integerExpected('float'));
  return count;
}
