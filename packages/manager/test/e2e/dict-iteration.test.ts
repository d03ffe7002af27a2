import { describe, expect, it } from 'vitest';
import { IteratorProxy, RuntimeError } from '@mpts/manager';
import { expectRemoteError, rejection, serveManager } from '../helpers.js';
import { runPython } from '../unit/python-oracle.js';

/** One step of a scenario: a step of the iterator, or a change to the dict between steps. */
type Op = ['next'] | ['set', string, number] | ['del', string];
/** What a step gave: a key, the end, or an error's class and message. */
type Outcome = ['key', string] | ['stop'] | ['error', string, string];

const scenarios: Record<string, { init: Record<string, number>; ops: Op[] }> = {
  'no change': { init: { a: 1, b: 2 }, ops: [['next'], ['next'], ['next'], ['next']] },
  'a key added: the error sticks, even once the size is back': {
    init: { a: 1, b: 2, c: 3 },
    ops: [['next'], ['set', 'z', 9], ['next'], ['next'], ['del', 'z'], ['next']],
  },
  'a key deleted before the first step': { init: { a: 1, b: 2 }, ops: [['del', 'b'], ['next'], ['next']] },
  'a visited key deleted and another added: keys changed, then the end': {
    init: { a: 1, b: 2, c: 3 },
    ops: [['next'], ['del', 'a'], ['set', 'n', 5], ['next'], ['next'], ['next'], ['next']],
  },
  'a key not yet visited deleted and another added: the new key comes': {
    init: { a: 1, b: 2, c: 3 },
    ops: [['next'], ['del', 'c'], ['set', 'n', 5], ['next'], ['next'], ['next']],
  },
  'a value changed: not an error': { init: { a: 1, b: 2 }, ops: [['next'], ['set', 'a', 7], ['next'], ['next']] },
  'exhausted, then changed: still exhausted': {
    init: { a: 1 },
    ops: [['next'], ['next'], ['set', 'q', 1], ['next']],
  },
  'an empty dict': { init: {}, ops: [['next'], ['set', 'a', 1], ['next']] },
};

/** What CPython's manager does for each scenario: `iter(d)` of a DictProxy, then the steps. */
function pythonOutcomes(): Record<string, Outcome[]> {
  return runPython(
    `
import json, sys
from multiprocessing.managers import SyncManager
scenarios = json.load(sys.stdin)
m = SyncManager(); m.start()
results = {}
for name, s in scenarios.items():
    d = m.dict(s['init']); it = iter(d); out = []
    for op in s['ops']:
        if op[0] == 'set': d[op[1]] = op[2]
        elif op[0] == 'del': del d[op[1]]
        else:
            try: out.append(['key', next(it)])
            except StopIteration: out.append(['stop'])
            except Exception as e: out.append(['error', type(e).__name__, str(e)])
    results[name] = out
m.shutdown()
print(json.dumps(results))
`,
    scenarios,
  );
}

describe("iterating a shared dict: Python's iterator, in the manager", () => {
  it('gives the keys, and the errors, that CPython gives, step by step', async () => {
    const expected = pythonOutcomes();
    await using manager = await serveManager();
    for (const [name, { init, ops }] of Object.entries(scenarios)) {
      using d = await manager.dict<string, number>(init);
      const it = await d.iter();
      const outcomes: Outcome[] = [];
      for (const op of ops) {
        if (op[0] === 'set') await d.setItem(op[1], op[2]);
        else if (op[0] === 'del') await d.delItem(op[1]);
        else {
          try {
            const step = await it.next();
            outcomes.push(step.done ? ['stop'] : ['key', step.value]);
          } catch (error) {
            outcomes.push(['error', (error as Error).name, (error as Error).message]);
          }
        }
      }
      it.releaseProxy();
      expect({ name, outcomes }).toEqual({ name, outcomes: expected[name] });
    }
  });

  it("for await rejects with Python's RuntimeError when the loop adds a key", async () => {
    await using manager = await serveManager();
    using d = await manager.dict<string, number>({ a: 1, b: 2 });
    const seen: string[] = [];
    const loop = (async () => {
      for await (const key of d) {
        seen.push(key);
        await d.setItem(`${key}${key}`, 0);
      }
    })();
    await expectRemoteError(loop, RuntimeError, 'dictionary changed size during iteration');
    expect(seen).toEqual(['a']);
  });

  it('for await sees deletions of keys not reached yet, as Python (same size, new key)', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<string, number>({ a: 1, b: 2, c: 3 });
    const seen: string[] = [];
    for await (const key of d) {
      seen.push(key);
      if (key === 'a') {
        await d.delItem('c');
        await d.setItem('n', 5);
      }
    }
    expect(seen).toEqual(['a', 'b', 'n']);
  });

  it('the iterator is a shared object of its own, released however the loop ends', async () => {
    await using manager = await serveManager();
    using d = await manager.dict<string, number>({ a: 1, b: 2, c: 3 });
    expect(await manager.numberOfObjects()).toBe(1);

    const it = await d.iter();
    expect(it).toBeInstanceOf(IteratorProxy);
    expect(it.typeId).toBe('Iterator');
    expect(await manager.numberOfObjects()).toBe(2);
    it.releaseProxy();

    // The end of the keys, a break, and an error each give the iterator back.
    const all: string[] = [];
    for await (const key of d) all.push(key);
    expect(all).toEqual(['a', 'b', 'c']);
    for await (const key of d) if (key === 'b') break;
    await rejection((async () => {
      for await (const key of d) await d.setItem(`${key}!`, 0);
    })());
    await expect.poll(() => manager.numberOfObjects()).toBe(1);
  });

  it('an iterator outlives its released dict, and keeps the proxies used as its keys alive', async () => {
    await using manager = await serveManager();
    const d = await manager.dict();
    const lock = await manager.lock();
    await d.setItem(lock, 'the lock');
    await d.setItem('x', 1);
    const it = (await d.iter()) as IteratorProxy<unknown>;
    d.releaseProxy();
    lock.releaseProxy();
    // The dict is gone; the lock is kept alive by the iterator, which still holds it as a key.
    await expect.poll(() => manager.numberOfObjects()).toBe(2);
    const first = await it.next();
    expect(first.done).toBe(false);
    const key = first.value as { typeId: string; acquire(): Promise<boolean>; releaseProxy(): void };
    expect(key.typeId).toBe('Lock');
    expect(await key.acquire()).toBe(true);
    key.releaseProxy();
    expect(await it.next()).toEqual({ done: false, value: 'x' });
    expect(await it.next()).toEqual({ done: true, value: undefined });
    expect(it.released).toBe(true);
    await expect.poll(() => manager.numberOfObjects()).toBe(0);
  });
});

describe('iterating a shared list and set, as Python does', () => {
  it("a list is live (Python iterates a ListProxy by index until IndexError): no error, changes are seen", async () => {
    // CPython: l = [1, 2, 3]; for x in l: out.append(x); if x == 1: l.append(4); l.pop(0)  →  [1, 3, 4]
    const expected = runPython<number[]>(`
import json
from multiprocessing.managers import SyncManager
m = SyncManager(); m.start()
l = m.list([1, 2, 3]); out = []
for x in l:
    out.append(x)
    if x == 1: l.append(4); l.pop(0)
m.shutdown()
print(json.dumps(out))
`);
    await using manager = await serveManager();
    using l = await manager.list([1, 2, 3]);
    const seen: number[] = [];
    for await (const x of l) {
      seen.push(x);
      if (x === 1) {
        await l.append(4);
        await l.pop(0);
      }
    }
    expect(seen).toEqual(expected);
    expect(await manager.numberOfObjects()).toBe(1);
  });

  it("a set is a snapshot (Python 3.14's SetProxy pickles its iterator): changes are not errors", async () => {
    await using manager = await serveManager();
    using s = await manager.set([1, 2, 3]);
    const seen: number[] = [];
    for await (const x of s) {
      seen.push(x as number);
      await s.add(10 + (x as number));
    }
    expect(seen).toEqual([1, 2, 3]);
  });
});
