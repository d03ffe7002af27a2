import { coerceToTypecode, findRangedTypecode, messages, pythonRepr, pyTypeName } from '@mpts/proxy/wire';
import { sendCommand } from '../binary-command.js';
import { Script } from '../script.js';
import type { MethodContext, SharedType } from '../shared-type.js';
import { pack, packTransient, unpack } from '../stored-values.js';

/*
 * A Value is a STRING `v` (the packed value) and `c` (its typecode, empty if not a string). A numeric typecode
 * of Python's `array` module keeps the value in range by the manager's rules (the same
 * `OverflowError`s and `TypeError`s); any other typecode holds any value, as Python does.
 * `add` reads, adds with JavaScript's arithmetic (the manager's: IEEE doubles, bigints exact)
 * and writes back only if nobody wrote in between, else tries again: one atomic step, as the
 * manager's `add`.
 */

const setIfUnchangedScript = new Script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`);

function checked(code: unknown, value: unknown): unknown {
  const typecode = findRangedTypecode(code);
  return typecode === undefined ? value : coerceToTypecode(typecode, value);
}

async function typecode(context: MethodContext): Promise<string> {
  return (await context.client.get(context.keys.key('c'))) ?? '';
}

function sum(current: unknown, delta: unknown, code: string): unknown {
  if (typeof current === 'bigint' && (typeof delta === 'bigint' || Number.isInteger(delta))) return current + BigInt(delta as number | bigint);
  if (typeof current === 'number' && typeof delta === 'number') return current + delta;
  if (typeof current === 'number' && typeof delta === 'bigint' && findRangedTypecode(code)?.kind !== 'float') return BigInt(current) + delta;
  throw new TypeError(messages.unsupportedOperands('+=', pyTypeName(current), pyTypeName(delta)));
}

/** The manager's `Value(typecode, value)` on Redis. */
export const valueType: SharedType = {
  typeIds: ['Value'],
  parts: ['v', 'c'],
  async init(context, [code, value = 0]) {
    await context.client.mset(context.keys.key('c'), typeof code === 'string' ? code : '', context.keys.key('v'), pack(checked(code, value)));
  },
  methods: {
    async get(context) {
      const stored = await context.client.getBuffer(context.keys.key('v'));
      return stored === null ? null : unpack(stored);
    },
    async set(context, [value]) {
      const code = await typecode(context);
      await sendCommand(context.client, 'set', [context.keys.key('v'), packTransient(checked(code, value))], 'utf8');
      return null;
    },
    async add(context, [delta]) {
      for (;;) {
        // The typecode and the value in one read (both keys share the object's slot).
        const [codeBytes, stored] = await context.client.mgetBuffer(context.keys.key('c'), context.keys.key('v'));
        const code = codeBytes?.toString('utf8') ?? '';
        const next = checked(code, sum(stored == null ? null : unpack(stored), delta, code));
        if ((await setIfUnchangedScript.run(context.client, [context.keys.key('v')], [stored ?? '', pack(next)])) === 1) return next;
      }
    },
    /** `Value('i', 5)`, as the manager describes it. */
    async '#str'(context) {
      const [code, value] = await context.client.mgetBuffer(context.keys.key('c'), context.keys.key('v'));
      return `Value(${pythonRepr(code?.toString('utf8') ?? '')}, ${pythonRepr(value ? unpack(value) : null)})`;
    },
    async '#getvalue'(context) {
      const stored = await context.client.getBuffer(context.keys.key('v'));
      return stored === null ? null : unpack(stored);
    },
  },
};
