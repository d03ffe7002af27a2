import { AttributeError, messages } from '@mpts/proxy/wire';
import type { SharedType } from '../shared-type.js';
import { pack, unpack } from '../stored-values.js';

/* A Namespace is one HASH `a`: attribute name → packed value. */

function checkName(name: unknown): string {
  if (typeof name !== 'string') throw new TypeError(messages.attributeNameNotString(typeof name));
  return name;
}

/** Python's `Namespace` on Redis. */
export const namespaceType: SharedType = {
  typeIds: ['Namespace'],
  parts: ['a'],
  async init(context, [init]) {
    if (typeof init !== 'object' || init === null) return;
    const entries = init instanceof Map ? [...init] : Object.entries(init);
    if (entries.length === 0) return;
    await context.client.hset(context.keys.key('a'), ...entries.flatMap(([name, value]) => [checkName(name), pack(value)]));
  },
  methods: {
    async getattr(context, [name]) {
      const value = await context.client.hgetBuffer(context.keys.key('a'), checkName(name));
      if (value === null) throw new AttributeError(messages.noAttribute('Namespace', name as string));
      return unpack(value);
    },
    async setattr(context, [name, value]) {
      await context.client.hset(context.keys.key('a'), checkName(name), pack(value));
      return null;
    },
    async delattr(context, [name]) {
      if ((await context.client.hdel(context.keys.key('a'), checkName(name))) === 0) {
        throw new AttributeError(messages.noAttribute('Namespace', name as string));
      }
      return null;
    },
    async hasattr(context, [name]) {
      return (await context.client.hexists(context.keys.key('a'), checkName(name))) === 1;
    },
    async snapshot(context) {
      const all = await context.client.hgetallBuffer(context.keys.key('a'));
      const copy: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(all)) {
        Object.defineProperty(copy, name, { value: unpack(value), enumerable: true, writable: true, configurable: true });
      }
      return copy;
    },
  },
};
