import { describe, expect, it } from 'vitest';
import { KeyError, MemoryError, OverflowError, RecursionError, RemoteError, ValueError } from '@mpts/manager';
import { expectRemoteError, rejection, serveManager } from '../helpers.js';

/** A list nested `levels` deep: nest(1) is `[]`, nest(2) is `[[]]`. */
function nest(levels: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
}

/** The manager's limit on the items of one list or array. */
const maxItems = 2 ** 26;

// CPython 3.11's messages, checked with python3.
const intDigits =
  'Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit';

// One client must not be able to freeze or crash the manager for the others: each test checks
// the manager still answers afterwards.
describe('bounded values in the manager', () => {
  it('works on a list of 10 million items', async () => {
    await using manager = await serveManager();
    using l = await manager.list<unknown>([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await l.imul(1_000_000);
    expect(await l.len()).toBe(10_000_000);
    const many = new Array<string>(200_000).fill('x');
    await l.extend(many);
    await l.iadd(many);
    expect(await l.len()).toBe(10_400_000);
    await l.setSlice(5, 10, many);
    expect(await l.len()).toBe(10_599_995);
    expect(await l.getSlice(3, 7)).toEqual([3, 4, 'x', 'x']);
    await l.delSlice(null, null, 2);
    expect(await l.len()).toBe(5_299_997);
    expect(await l.getSlice(-2, null)).toEqual(['x', 'x']);
    expect(await l.getItem(0)).toBe(1);
  });

  it('repeats an empty list at once, and refuses a repeat too large as Python does', async () => {
    await using manager = await serveManager();
    using empty = await manager.list<number>();
    await empty.imul(1e9);
    expect(await empty.len()).toBe(0);
    expect(await empty.repeat(1e15)).toEqual([]);
    using l = await manager.list([1]);
    // Python: [1] * 2**62 is a MemoryError; [] * 2**63 an OverflowError.
    await expectRemoteError(
      l.callMethod('repeat', [2n ** 62n]),
      MemoryError,
      `cannot make a list of ${2n ** 62n} items: the manager's limit is ${maxItems} items`,
    );
    await expectRemoteError(l.callMethod('imul', [maxItems + 1]), MemoryError,
      `cannot make a list of ${maxItems + 1} items: the manager's limit is ${maxItems} items`);
    await expectRemoteError(empty.callMethod('repeat', [2n ** 63n]), OverflowError, "cannot fit 'int' into an index-sized integer");
    await expectRemoteError(l.repeat(1e19), TypeError, "can't multiply sequence by non-int of type 'float'");
    expect(await l.len()).toBe(1);
  });

  it('refuses a huge array with MemoryError instead of running out of memory', async () => {
    await using manager = await serveManager();
    // A constructor that raises is a RemoteError naming Python's error, as in Python.
    const huge = await rejection(manager.array('b', 2 ** 31 - 1));
    expect(huge).toBeInstanceOf(RemoteError);
    expect(huge.message).toBe(`MemoryError: cannot make an array of ${2 ** 31 - 1} items: the manager's limit is ${maxItems} items`);
    const negative = await rejection(manager.array('b', -1));
    expect(negative.message).toBe('ValueError: Array length must be >= 0, not -1');
    using a = await manager.array('d', 10_000_000);
    expect(await a.len()).toBe(10_000_000);
    expect(await a.getItem(-1)).toBe(0);
  });

  it("refuses to print an int past 4,300 digits with Python's ValueError", async () => {
    await using manager = await serveManager();
    using l = await manager.list<bigint>([10n ** 4299n]);
    expect((await l.str()).length).toBe(4302);
    await l.append(10n ** 4300n);
    await expectRemoteError(l.str(), ValueError, intDigits);
    using v = await manager.value('c_char_p', -(10n ** 5000n));
    await expectRemoteError(v.str(), ValueError, intDigits);
    // The key is still a KeyError, as in Python (which prints it as `<exception str() failed>`).
    using d = await manager.dict<bigint, number>();
    await expectRemoteError(d.getItem(10n ** 5000n), KeyError, '<exception str() failed>');
    // debugInfo shows the error where the value's preview would be.
    expect((await manager.debugInfo()).objects.find((object) => object.id === v.id)?.str).toBe(
      `<ValueError: ${intDigits}`.slice(0, 75),
    );
  });

  it("raises Python's RecursionError for a value nested too deeply to print", async () => {
    await using manager = await serveManager();
    using l = await manager.list<unknown>();
    await l.append(nest(1000));
    await expectRemoteError(l.str(), RecursionError, 'maximum recursion depth exceeded while getting the repr of an object');
    // A dict keyed by a deep tuple works, as Python hashes it.
    using d = await manager.dict<unknown, string>();
    await d.setItem(nest(1000), 'deep');
    expect(await d.getItem(nest(1000))).toBe('deep');
    expect(await d.len()).toBe(1);
  });

  it('previews large values in debugInfo without rendering them whole', async () => {
    await using manager = await serveManager();
    using big = await manager.list<number>([7]);
    await big.imul(10_000_000);
    using text = await manager.value('c_char_p', 'z'.repeat(32 * 1024 * 1024));
    const info = await manager.debugInfo();
    const str = (id: number) => info.objects.find((object) => object.id === id)?.str;
    expect(str(big.id)).toBe(`[${'7, '.repeat(25)}`.slice(0, 75));
    expect(str(text.id)).toBe(`Value('c_char_p', '${'z'.repeat(56)}`);
  });
});
