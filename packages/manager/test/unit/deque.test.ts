import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Deque } from '../../src/deque.js';

describe('Deque', () => {
  it('is a FIFO: shift returns items in push order, undefined when empty', () => {
    const deque = new Deque<number>();
    expect(deque.shift()).toBeUndefined();
    for (let i = 0; i < 5; i++) deque.push(i);
    expect(deque.length).toBe(5);
    expect([deque.shift(), deque.shift()]).toEqual([0, 1]);
    deque.unshift(99);
    expect(deque.toArray()).toEqual([99, 2, 3, 4]);
    expect(deque.length).toBe(4);
  });

  it('keeps order across compaction, with many items shifted and put back', () => {
    const deque = new Deque<number>();
    for (let i = 0; i < 5000; i++) deque.push(i);
    for (let i = 0; i < 3000; i++) expect(deque.shift()).toBe(i);
    deque.unshift(2999);
    expect(deque.length).toBe(2001);
    expect(deque.toArray()).toEqual(Array.from({ length: 2001 }, (_, i) => 2999 + i));
  });

  it('behaves as an array under any sequence of operations, undefined items included', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), value: fc.option(fc.integer(), { nil: undefined }) }),
      fc.record({ kind: fc.constant('shift' as const), times: fc.integer({ min: 1, max: 1500 }) }),
      fc.record({ kind: fc.constant('unshift' as const), value: fc.integer() }),
      fc.record({ kind: fc.constant('pushMany' as const), count: fc.integer({ min: 0, max: 3000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const deque = new Deque<number | undefined>();
        const model: (number | undefined)[] = [];
        for (const o of ops) {
          if (o.kind === 'push') {
            deque.push(o.value);
            model.push(o.value);
          } else if (o.kind === 'pushMany') {
            for (let i = 0; i < o.count; i++) {
              deque.push(i);
              model.push(i);
            }
          } else if (o.kind === 'unshift') {
            deque.unshift(o.value);
            model.unshift(o.value);
          } else {
            for (let i = 0; i < o.times; i++) expect(deque.shift()).toBe(model.shift());
          }
          expect(deque.length).toBe(model.length);
        }
        expect(deque.toArray()).toEqual(model);
      }),
      { numRuns: 200 },
    );
  });
});
