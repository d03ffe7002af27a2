import { describe, expect, it } from 'vitest';
import { KeyError, ObjectDeletedError, OverflowError, pythonRepr } from '@mpts/proxy/wire';
import { BarrierServant } from '../../src/servants/barrier-servant.js';
import { ConditionServant } from '../../src/servants/condition-servant.js';
import { DictServant } from '../../src/servants/dict-servant.js';
import { EventServant } from '../../src/servants/event-servant.js';
import { ListServant } from '../../src/servants/list-servant.js';
import { LockServant } from '../../src/servants/lock-servant.js';
import { QueueServant } from '../../src/servants/queue-servant.js';
import { BoundedSemaphoreServant, SemaphoreServant } from '../../src/servants/semaphore-servant.js';
import { SetServant } from '../../src/servants/set-servant.js';
import { runPython } from './python-oracle.js';
import { as, client, settle, track } from './sessions.js';

/** What CPython (python3) says for the same calls: `[class name, message]`, or a result. */
const python = runPython<Record<string, [string, string] | unknown>>(`
import json, queue, threading
out = {}
def trial(name, fn):
    try: out[name] = ['ok', fn()]
    except Exception as e: out[name] = [type(e).__name__, str(e)]
trial('insert float', lambda: [].insert(1.5, 0))
trial('insert str', lambda: [].insert('1', 0))
trial('insert huge', lambda: [].insert(10**30, 0))
trial('insert bool', lambda: (lambda l: (l.insert(True, 'x'), l)[1])([1, 2]))
trial('pop float', lambda: [1].pop(1.5))
trial('pop None', lambda: [1].pop(None))
trial('pop huge', lambda: [1].pop(10**30))
trial('pop bool', lambda: [1, 2].pop(True))
trial('Semaphore str', lambda: threading.Semaphore('2'))
trial('release str', lambda: threading.Semaphore(0).release('2'))
trial('release half', lambda: threading.Semaphore(0).release(0.5))
trial('Queue str put', lambda: queue.Queue('2').put(1))
def fractional_queue():
    q = queue.Queue(1.5); q.put(1); first = q.full(); q.put(2); return [first, q.full()]
trial('Queue 1.5', fractional_queue)
def notify(n, waiting):
    c = threading.Condition(); c.acquire()
    for _ in range(waiting): c._waiters.append(threading.Lock())
    for w in c._waiters: w.acquire()
    c.notify(n)
    return waiting - len(c._waiters)
trial('notify 1.5 of 3', lambda: notify(1.5, 3))
trial('notify True of 3', lambda: notify(True, 3))
trial('notify str of 0', lambda: notify('2', 0))
trial('notify str of 1', lambda: notify('2', 1))
trial('KeyError tuple', lambda: {}[(1, 2)])
trial('KeyError 1-tuple', lambda: {}[(1,)])
trial('set remove tuple', lambda: set().remove(((1, 2), ())))
out['dict repr'] = repr({(1, 2): [3, [4]], (1,): 'a', (): None, ((1, 2), 'x'): (5,)[0]})
out['set repr'] = repr({((1,), 2)})
print(json.dumps(out))
`);

/** Runs `fn` and returns `[class name, message]` of what it throws, or `['ok', result]`. */
function trial(fn: () => unknown): [string, unknown] {
  try {
    return ['ok', fn()];
  } catch (error) {
    return [(error as Error).name, (error as Error).message];
  }
}

describe("integer arguments, checked where Python checks them, with Python's messages", () => {
  it('list.insert and list.pop take an index as Python does (a bool is an int; a float is not)', () => {
    const list = () => new ListServant([1, 2]);
    expect(trial(() => list().insert(1.5, 0))).toEqual(python['insert float']);
    expect(trial(() => list().insert('1', 0))).toEqual(python['insert str']);
    expect(trial(() => list().insert(10n ** 30n, 0))).toEqual(python['insert huge']);
    const l = list();
    l.insert(true, 'x');
    expect(['ok', l.copy()]).toEqual(python['insert bool']);
    expect(trial(() => list().pop(1.5))).toEqual(python['pop float']);
    expect(trial(() => list().pop(null))).toEqual(python['pop None']);
    expect(trial(() => list().pop(10n ** 30n))).toEqual(python['pop huge']);
    expect(trial(() => list().pop(true))).toEqual(python['pop bool']);
    expect(() => list().pop(10n ** 30n)).toThrow(OverflowError);
  });

  it('Semaphore(value) and release(n): a non-number is the comparison TypeError, n < 1 a ValueError first', () => {
    expect(trial(() => new SemaphoreServant('2'))).toEqual(python['Semaphore str']);
    const sem = new SemaphoreServant(0);
    const c = client();
    expect(trial(() => as(c, () => sem.release('2')))).toEqual(python['release str']);
    expect(trial(() => as(c, () => sem.release(0.5)))).toEqual(python['release half']);
    // Python adds a fractional n to the counter, which then never reaches zero: mpts refuses it.
    expect(trial(() => as(c, () => sem.release(1.5)))).toEqual(['TypeError', "'float' object cannot be interpreted as an integer"]);
    expect(trial(() => new BoundedSemaphoreServant(1.5))).toEqual(['TypeError', "'float' object cannot be interpreted as an integer"]);
    as(c, () => sem.release(true));
    expect(sem.debugState().value).toBe(1);
  });

  it('Barrier(parties): a string is 3.13\'s comparison TypeError; a fraction (never filled in Python) is refused', () => {
    // CPython 3.13's `Barrier('2')` (3.11 compares nothing): checked with python3.13.
    expect(trial(() => new BarrierServant('2'))).toEqual(['TypeError', "'<' not supported between instances of 'str' and 'int'"]);
    expect(trial(() => new BarrierServant(1.5))).toEqual(['TypeError', "'float' object cannot be interpreted as an integer"]);
    expect(new BarrierServant(true).parties()).toBe(1);
  });

  it('Queue(maxsize) is compared, never checked, as in Python: 1.5 is full at two items; a string is refused', () => {
    expect(trial(() => new QueueServant('2'))).toEqual(python['Queue str put']);
    const q = new QueueServant(1.5);
    const c = client();
    as(c, () => q.put(1, false));
    const first = q.full();
    as(c, () => q.put(2, false));
    expect(['ok', [first, q.full()]]).toEqual(python['Queue 1.5']);
  });

  it("cond.notify(n) is Python's loop: while someone waits and n > 0, wake one and lower n by one", async () => {
    const wokenBy = async (n: unknown, waiting: number): Promise<[string, unknown]> => {
      const cond = new ConditionServant();
      const c = client();
      // Each waiter (task 1, 2, ...) takes the lock and waits, which gives it back to the next.
      const waits = Array.from({ length: waiting }, (_, task) => {
        as(c, () => cond.acquire(true, null, task + 1));
        return track(c, () => cond.wait(null, task + 1));
      });
      await settle();
      as(c, () => cond.acquire(true, null, 99));
      const result = trial(() => as(c, () => cond.notify(n, 99)));
      // Woken: out of the condition's waiters (each then waits its turn for the lock).
      const woken = waits.length - (cond.debugState().waiting as unknown[]).length;
      as(c, () => cond.release(99));
      return result[0] === 'ok' ? ['ok', woken] : result;
    };
    expect(await wokenBy(1.5, 3)).toEqual(python['notify 1.5 of 3']);
    expect(await wokenBy(true, 3)).toEqual(python['notify True of 3']);
    expect(await wokenBy('2', 0)).toEqual(['ok', 0]);
    expect(python['notify str of 0']).toEqual(['ok', 0]);
    expect(await wokenBy('2', 1)).toEqual(python['notify str of 1']);
  });
});

describe('arrays as tuples where Python has tuples: dict keys and set elements', () => {
  it("a dict's and a set's repr print array keys as tuples, (1,) for one item; values stay lists", () => {
    const dict = new DictServant(
      new Map<unknown, unknown>([[[1, 2], [3, [4]]], [[1], 'a'], [[], null], [[[1, 2], 'x'], 5]]),
    );
    expect(dict.str()).toBe(python['dict repr']);
    expect(new SetServant([[[1], 2]]).str()).toBe(python['set repr']);
    expect(pythonRepr([[1], [2, [3]]])).toBe('[[1], [2, [3]]]');
  });

  it('a KeyError names a missing array key as a tuple', () => {
    expect(trial(() => new DictServant().getItem([1, 2]))).toEqual(python['KeyError tuple']);
    expect(trial(() => new DictServant().pop([1]))).toEqual(python['KeyError 1-tuple']);
    expect(trial(() => new SetServant().remove([[1, 2], []]))).toEqual(python['set remove tuple']);
    expect(() => new DictServant().getItem([1])).toThrow(KeyError);
  });
});

describe('an object deleted while waited on', () => {
  it('every waiting servant rejects its waiters with one error: ObjectDeletedError, one message', async () => {
    const c = client();
    const lock = new LockServant();
    as(c, () => lock.acquire(true, null));
    const sem = new SemaphoreServant(0);
    const event = new EventServant();
    const cond = new ConditionServant();
    as(c, () => cond.acquire(true, null, 1));
    const barrier = new BarrierServant(2);
    const queue = new QueueServant(0);
    const waits = [
      track(c, () => lock.acquire(true, null)),
      track(c, () => sem.acquire(true, null)),
      track(c, () => event.wait(null)),
      track(c, () => cond.wait(null, 1)),
      track(c, () => barrier.wait(null)),
      track(c, () => queue.get(true, null)),
    ];
    await settle();
    for (const servant of [lock, sem, event, cond, barrier, queue]) servant.dispose();
    await settle();
    for (const wait of waits) {
      expect(wait.settled.done).toBe(true);
      const error = (wait.settled as { error?: unknown }).error;
      expect(error).toBeInstanceOf(ObjectDeletedError);
      expect((error as Error).message).toBe(
        'the shared object was deleted while this call waited on it: every reference to it was released',
      );
    }
  });
});
