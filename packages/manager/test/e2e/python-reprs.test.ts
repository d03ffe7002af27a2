import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KeyError, ObjectDeletedError } from '@mpts/manager';
import { expectRemoteError, serveManager } from '../helpers.js';
import { runPython } from '../unit/python-oracle.js';

/** CPython's repr of each SyncManager proxy, with its address left out. */
const pythonReprs = runPython<Record<string, string>>(`
import json, re
from multiprocessing.managers import SyncManager
m = SyncManager(); m.start()
made = {'dict': m.dict(), 'list': m.list(), 'Namespace': m.Namespace(), 'Value': m.Value('i', 1),
        'Array': m.Array('i', [1]), 'Lock': m.Lock(), 'RLock': m.RLock(), 'Semaphore': m.Semaphore(),
        'BoundedSemaphore': m.BoundedSemaphore(), 'Condition': m.Condition(), 'Event': m.Event(),
        'Barrier': m.Barrier(2)}
made['Iterator'] = iter(made['dict'])
out = {k: re.sub(r' at 0x[0-9a-f]+>$', ' at 0x…>', repr(v)) for k, v in made.items()}
m.shutdown()
print(json.dumps(out))
`);

describe("proxy reprs and values, as Python's", () => {
  it("a proxy prints as Python's: <DictProxy object, typeid 'dict' at 0x…>, stable per proxy", async () => {
    await using manager = await serveManager();
    const d = await manager.dict();
    const made: Record<string, { toString(): string }> = {
      dict: d,
      list: await manager.list(),
      Namespace: await manager.namespace(),
      Value: await manager.value('i', 1),
      Array: await manager.array('i', [1]),
      Lock: await manager.lock(),
      RLock: await manager.rlock(),
      Semaphore: await manager.semaphore(),
      BoundedSemaphore: await manager.boundedSemaphore(),
      Condition: await manager.condition(),
      Event: await manager.event(),
      Barrier: await manager.barrier(2),
      Iterator: await d.iter(),
    };
    for (const [typeId, proxy] of Object.entries(made)) {
      const text = String(proxy);
      expect(text).toMatch(/ at 0x[0-9a-f]+>$/);
      expect({ typeId, repr: text.replace(/ at 0x[0-9a-f]+>$/, ' at 0x…>') }).toEqual({ typeId, repr: pythonReprs[typeId] });
      expect(inspect(proxy)).toBe(text);
      expect(String(proxy)).toBe(text);
    }
    // Two proxies of one object are two proxies, as in Python (whose number is id(proxy)).
    const again = await manager.dict();
    expect(String(again)).not.toBe(String(d));
    // Python's Queue proxy is an AutoProxy[Queue]; mpts's has a class of its own.
    const queue = await manager.queue();
    expect(String(queue)).toMatch(/^<QueueProxy object, typeid 'Queue' at 0x[0-9a-f]+>$/);
    for (const proxy of [...Object.values(made), again, queue]) (proxy as { releaseProxy(): void }).releaseProxy();
  });

  it('dict and set reprs print array keys as tuples; a missing array key is a KeyError naming the tuple', async () => {
    const expected = runPython<string[]>(
      `import json; print(json.dumps([repr({(1, 2): [3], (1,): 'a'}), repr({((1,), 2)}), str(KeyError((2, 1)))]))`,
    );
    await using manager = await serveManager();
    using d = await manager.dict<unknown, unknown>([[[1, 2], [3]], [[1], 'a']]);
    using s = await manager.set([[[1], 2]]);
    expect([await d.str(), await s.str()]).toEqual(expected.slice(0, 2));
    await expectRemoteError(d.getItem([2, 1]), KeyError, expected[2]!);
  });

  it('a wait on an object whose every reference is released rejects with ObjectDeletedError', async () => {
    await using manager = await serveManager();
    const q = await manager.queue();
    const ev = await manager.event();
    const got = q.get();
    const waited = ev.wait();
    // The calls are in flight; their proxies give their references back, so the objects go.
    q.releaseProxy();
    ev.releaseProxy();
    const message = 'the shared object was deleted while this call waited on it: every reference to it was released';
    await expectRemoteError(got, ObjectDeletedError, message);
    await expectRemoteError(waited, ObjectDeletedError, message);
  });
});
