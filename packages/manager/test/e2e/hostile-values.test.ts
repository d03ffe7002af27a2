/**
 * A client that holds the authkey still cannot crash the manager, or make it touch shared
 * memory, with the values it sends (DESIGN D3, D5): the server decodes only what mpts defines,
 * refuses values nested past the limit for that call alone, and walks stored values without
 * recursion.
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Manager, type ListProxy } from '@mpts/manager';
import { decode, encodeFrame, MAX_NESTING, messages, Op, Reply } from '@mpts/proxy/wire';
import { randomBytes } from 'node:crypto';
import { RawClient, within } from '../raw-client.js';
import { startRemoteServer, type RemoteServer } from '../remote-helpers.js';

/** `[Op.call, requestId, objectId, method, [argument]]` with `argument` given as raw msgpack. */
function callWithRawArgument(requestId: number, objectId: number, method: string, argument: Buffer): Buffer {
  const head = encodeFrame([Op.call, requestId, objectId, method]).subarray(4);
  // Turn the 4-element array into a 5-element one and append `[argument]`.
  const body = Buffer.concat([Buffer.from([0x95]), head.subarray(1), Buffer.from([0x91]), argument]);
  const frame = Buffer.alloc(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

async function rawSession(server: RemoteServer): Promise<RawClient> {
  const raw = new RawClient(server.port);
  await raw.authenticate(server.authkey);
  return raw;
}

async function stillServes(server: RemoteServer, list: ListProxy<unknown>): Promise<void> {
  expect(server.process.exitCode).toBeNull();
  await using other = await Manager.connect(server.address, { authkey: server.authkey });
  expect(await other.numberOfObjects()).toBeGreaterThan(0);
  expect(await list.len()).toBeTypeOf('number');
}

describe('hostile values from a client that holds the authkey', () => {
  it('a 13-byte self-containing structured-clone array closes that connection only', async () => {
    await using server = await startRemoteServer();
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    using list = await manager.list<unknown>();
    const raw = await rawSession(server);
    const selfContaining = Buffer.from('d66900000000' + '91' + 'd67000000000', 'hex');
    expect(selfContaining.length).toBe(13);
    raw.write(callWithRawArgument(1, list.id, 'append', selfContaining));
    const reply = decode((await raw.next())!) as unknown[];
    expect(reply[0]).toBe(Reply.fatal);
    expect(String(reply[2])).toMatch(/not valid msgpack: Structured clone extension is disabled/);
    expect(await within(raw.closed, 2000)).toBe(true);
    await stillServes(server, list);
    expect(await list.len()).toBe(0);
  });

  it(`a value nested past ${MAX_NESTING} levels fails that call, and the connection goes on`, async () => {
    await using server = await startRemoteServer();
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    using list = await manager.list<unknown>();
    using d = await manager.dict();
    await list.append(d); // a list that holds a proxy is walked by every collection
    const raw = await rawSession(server);
    const deep = Buffer.concat([Buffer.alloc(3000, 0x91), Buffer.from([0x00])]);
    raw.write(callWithRawArgument(1, list.id, 'append', deep));
    expect((decode((await raw.next())!) as unknown[]).slice(0, 4)).toEqual([Reply.error, 1, 'ValueError', messages.receivedNestedTooDeeply(MAX_NESTING)]);
    // Too deep even for the decoder's stack: 200,000 nested arrays, one byte each.
    const bottomless = Buffer.concat([Buffer.alloc(200_000, 0x91), Buffer.from([0x00])]);
    raw.write(callWithRawArgument(2, list.id, 'append', bottomless));
    expect((decode((await raw.next())!) as unknown[]).slice(0, 4)).toEqual([Reply.error, 2, 'ValueError', messages.receivedNestedTooDeeply(MAX_NESTING)]);
    raw.write(encodeFrame([Op.call, 3, list.id, 'len', []]));
    expect(decode((await raw.next())!)).toEqual([Reply.ok, 3, 1]);
    raw.destroy();
    // As deep as allowed is stored and collected safely, next to a proxy.
    let allowed: unknown = 0;
    for (let i = 0; i < MAX_NESTING - 2; i++) allowed = [allowed];
    await list.append(allowed);
    await list.append(d);
    expect(await list.len()).toBe(3);
    await stillServes(server, list);
  });

  it('a client refuses to send a value nested past the limit, and says where', async () => {
    await using server = await startRemoteServer();
    await using manager = await Manager.connect(server.address, { authkey: server.authkey });
    using list = await manager.list<unknown>();
    let deep: unknown = 0;
    for (let i = 0; i < MAX_NESTING + 5; i++) deep = [deep];
    const error = await list.append(deep).then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error!.message).toMatch(/^the value at argument 1 of append\(\)(\[0\])+ is nested more than 1000 levels deep/);
  });

  it('never maps, writes or unlinks a shared-memory segment a client names', async () => {
    // Served from this process, which loaded @mpts/shm: the manager knows its extensions, and
    // still refuses them from a client, for that call only.
    const authkey = randomBytes(32);
    await using server = await Manager.serve({ host: '127.0.0.1', port: 0, authkey });
    await using manager = await Manager.connect(server.address, { authkey });
    using list = await manager.list<unknown>();
    // The segments this process (the manager's) has, and the one the client names: other test
    // files, running meanwhile, make and remove segments of their own.
    const segments = () => readdirSync('/dev/shm').filter((name) => name.startsWith(`mpts-${process.pid}-`) || name === 'some-other-application');
    const before = segments();
    const raw = new RawClient(server.port!);
    await raw.authenticate(authkey);
    // @mpts/shm's extension 16 (a Value) naming a segment that is not the client's to give.
    for (const [id, type] of [[1, 16], [2, 17], [3, 20]] as const) {
      const data = encodeFrame(['/some-other-application', 0, 'c_int', 1]).subarray(4);
      // As msgpackr writes a data extension: fixext 1, the type, a filler byte, then the data.
      const ext = Buffer.concat([Buffer.from([0xd4, type, 0]), data]);
      raw.write(callWithRawArgument(id, list.id, 'append', ext));
      expect((decode((await raw.next())!) as unknown[]).slice(0, 4)).toEqual([Reply.error, id, 'TypeError', messages.sharedMemoryToManager]);
    }
    raw.write(encodeFrame([Op.call, 4, list.id, 'len', []]));
    expect(decode((await raw.next())!)).toEqual([Reply.ok, 4, 0]);
    raw.destroy();
    expect(segments()).toEqual(before);
    expect(existsSync('/dev/shm/some-other-application')).toBe(false);
  });
});
