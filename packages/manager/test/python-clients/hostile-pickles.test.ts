/**
 * Hostile pickles against a live manager serving Python clients: random and mutated frames on
 * a Python connection each get one reply (an error for that client), nothing they name is run,
 * and the manager keeps serving its other clients.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameBytes } from '@mpts/proxy/wire';
import { Manager, type DictProxy, type ManagerServer } from '@mpts/manager';
import { encodePickle } from '../../src/python-clients/pickle-encode.js';
import { asTuple } from '../../src/python-clients/python-values.js';
import { RawClient } from '../raw-client.js';

const request = (ident: unknown, method: string, args: unknown[]) => encodePickle(asTuple([ident, method, asTuple(args), new Map()]));

/** A call of `os.system` by pickle: GLOBAL 'os system', a tuple of one str, REDUCE. */
const osSystem = Buffer.concat([Buffer.from('\x80\x02cos\nsystem\n', 'latin1'), Buffer.from([0x8c, 4]), Buffer.from('true'), Buffer.from([0x85, 0x52, 0x2e])]);

const mutated = (valid: Buffer) =>
  fc
    .array(fc.tuple(fc.nat(valid.length), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 8 })
    .map((edits) => {
      const bytes = [...valid];
      for (const [at, byte, kind] of edits) {
        if (kind === 'set' && at < bytes.length) bytes[at] = byte;
        else if (kind === 'insert') bytes.splice(at, 0, byte);
        else bytes.splice(at, 1);
      }
      // It stays a pickle by its first byte, so the connection stays a Python one.
      bytes[0] = 0x80;
      return Buffer.from(bytes);
    });

describe('hostile pickles on a live manager', () => {
  const authkey = randomBytes(32);
  let server: ManagerServer;
  let manager: Manager;
  let dict: DictProxy<string, number>;
  beforeAll(async () => {
    server = await Manager.serve({ host: '127.0.0.1', port: 0, authkey, pythonClients: true });
    manager = await Manager.connect(server.address, { authkey });
    dict = await manager.dict<string, number>();
  });
  afterAll(async () => {
    await manager.shutdown();
    await server.close();
  });

  it('answers each hostile frame with an error for that client alone, and serves others meanwhile', async () => {
    const id = dict.id.toString(16);
    const valid = request(id, '__setitem__', ['k', 1]);
    const frames = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.concat([Buffer.from([0x80, 4]), bytes])),
      mutated(valid),
      fc.constant(osSystem),
    );
    const raw = new RawClient(server.port!);
    try {
      await raw.authenticate(authkey);
      raw.write(frameBytes(request(null, 'accept_connection', ['fuzz'])));
      expect((await raw.next())?.includes('#RETURN')).toBe(true);
      let served = 0;
      await fc.assert(
        fc.asyncProperty(frames, async (frame) => {
          raw.write(frameBytes(frame));
          const reply = await raw.next();
          expect(reply, 'the Python connection was closed').toBeDefined();
          expect(reply![0]).toBe(0x80);
          expect(/#(RETURN|ERROR|TRACEBACK|PROXY|UNSERIALIZABLE)/.test(reply!.toString('latin1'))).toBe(true);
          // The mpts client is served between any two hostile frames.
          await dict.set('served', ++served);
          expect(await dict.get('served')).toBe(served);
        }),
        { numRuns: 300 },
      );
      // The one that names os.system is refused by name: nothing was imported or called.
      raw.write(frameBytes(osSystem));
      expect((await raw.next())!.toString('latin1')).toContain("global 'os.system' is not allowed");
    } finally {
      raw.destroy();
      await raw.closed;
    }
  });

  it('stops reading a Python connection that sends on while its call blocks, and serves it when unblocked', async () => {
    using q = await manager.queue<number>();
    const raw = new RawClient(server.port!);
    try {
      await raw.authenticate(authkey);
      raw.write(frameBytes(request(null, 'accept_connection', ['flood'])));
      await raw.next();
      raw.write(frameBytes(request(q.id.toString(16), 'get', [])));
      // 12 MB of requests behind the blocked get, more than the kernel's socket buffers take:
      // the manager leaves them unread, so they back up in this client.
      const qsize = frameBytes(request(q.id.toString(16), 'qsize', []));
      const count = Math.floor(12_000_000 / qsize.length);
      raw.write(Buffer.concat(Array.from({ length: count }, () => qsize)));
      await expect.poll(() => raw.socket.writableLength, { timeout: 10_000 }).toBeGreaterThan(1_000_000);
      // The get is served, then every qsize after it.
      await q.put(7);
      expect((await raw.next())!.toString('latin1')).toContain('#RETURN');
      await expect.poll(() => raw.frames.length, { timeout: 20_000 }).toBe(count);
    } finally {
      raw.destroy();
      await raw.closed;
    }
  });
});
