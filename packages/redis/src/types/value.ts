import { messages, NotImplementedError, pyTypeName, typecodeFacts, isTypecode } from '@mpts/proxy/wire';
import { Script } from '../script.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { pack, unpack } from '../stored-values.js';

/*
 * A Value is a STRING `v` (the packed value) and `c` (its typecode). `add` reads, adds with
 * JavaScript's arithmetic (the manager's: IEEE doubles, bigints exact) and writes back only if
 * nobody wrote in between, else tries again: one atomic step, as the manager's `add`.
 */

const setIfUnchangedScript = new Script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`);

/** A numeric typecode whose range and conversions are the manager's alone, for now. */
function refuseRangedTypecode(code: unknown, address: string): void {
  if (isTypecode(code) && code !== 'd') {
    throw new NotImplementedError(messages.notOnBackend(`Value('${code}') (a ${typecodeFacts[code].name})`, address));
  }
}

function checked(code: string, value: unknown): unknown {
  if (code !== 'd') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' || typeof value === 'boolean') return Number(value);
  throw new TypeError(messages.floatExpected(pyTypeName(value)));
}

async function typecode(context: MethodContext): Promise<string> {
  return (await context.client.get(context.keys.key('c'))) ?? '';
}

function sum(current: unknown, delta: unknown, code: string): unknown {
  if (typeof current === 'bigint' && (typeof delta === 'bigint' || Number.isInteger(delta))) return current + BigInt(delta as number | bigint);
  if (typeof current === 'number' && typeof delta === 'number') return current + delta;
  if (typeof current === 'number' && typeof delta === 'bigint' && code !== 'd') return BigInt(current) + delta;
  throw new TypeError(messages.unsupportedOperands('+=', pyTypeName(current), pyTypeName(delta)));
}

/** The manager's `Value(typecode, value)` on Redis. */
export const valueType: SharedType = {
  typeIds: ['Value'],
  parts: ['v', 'c'],
  async init(context, [code, value = 0]) {
    refuseRangedTypecode(code, context.store.address);
    const name = typeof code === 'string' ? code : '';
    await context.client.mset(context.keys.key('c'), name, context.keys.key('v'), pack(checked(name, value)));
  },
  methods: {
    async get(context) {
      const stored = await context.client.getBuffer(context.keys.key('v'));
      return stored === null ? null : unpack(stored);
    },
    async set(context, [value]) {
      await context.client.set(context.keys.key('v'), pack(checked(await typecode(context), value)));
      return null;
    },
    async add(context, [delta]) {
      const code = await typecode(context);
      for (;;) {
        const stored = await context.client.getBuffer(context.keys.key('v'));
        const next = checked(code, sum(stored === null ? null : unpack(stored), delta, code));
        if ((await setIfUnchangedScript.run(context.client, [context.keys.key('v')], [stored ?? '', pack(next)])) === 1) return next;
      }
    },
  },
};
