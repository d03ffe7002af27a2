import { namespaceKeys, ObjectKeys } from './keys.js';
import type { RedisClient } from './script.js';
import type { DebugInfo } from '@mpts/proxy/wire';

/**
 * What `debugInfo()` reports on Redis: the manager's shape (`objects`, `clients`, `types`), read
 * from the keys of each object (see the comment at the top of each file in types/: this file
 * reads the same keys, and only reads). Holders and waiters are sessions (one per process and
 * address, `host.pid.random`), and each lease's end is Redis server time.
 *
 * Where it differs from the manager's: references are counted per object, not per process, so
 * `heldBy` is empty and a client has no `references`; a queue's blocked getters wait inside
 * Redis (BLMOVE), where no key lists them. Each object is read on its own, so the report is a
 * snapshot of each object, not of all of them at one instant.
 */
/** The manager's report, with what a Redis session has: its holdings and lease, no references. */
export type RedisDebugInfo = DebugInfo & {
  clients: { id: number; label: string; waiting: number; holding: number; leaseExpires: string | null }[];
  types: string[];
  /** Where the objects are, and the Redis server's clock when it was read. */
  backend: { address: string; time: string };
};

/** A preview of an object as Python's `str()`, when it costs little. */
export type Describe = (id: number, typeId: string, size: number | undefined) => Promise<string>;

/** How many items an object may have for `str` to show them all (past it, a count). */
export const previewItems = 50;

interface Snapshot {
  readonly now: number;
  /** session id → what it holds and waits for, gathered while the objects are read. */
  readonly seen: Map<string, { waiting: number; holding: number }>;
}

export async function readDebugInfo(client: RedisClient, prefix: string, address: string, types: string[], describe: Describe): Promise<RedisDebugInfo> {
  const [seconds, micros] = (await client.call('TIME')) as [string, string];
  const snapshot: Snapshot = { now: Number(seconds) * 1000 + Math.floor(Number(micros) / 1000), seen: new Map() };
  const { objects, sessions } = namespaceKeys(prefix);
  const ids = (await client.smembers(objects)).map(Number).sort((a, b) => a - b);
  const read = await Promise.all(ids.map((id) => readObject(client, prefix, new ObjectKeys(prefix, id), snapshot, describe)));
  const live = await client.zrangebyscore(sessions, snapshot.now, '+inf', 'WITHSCORES');
  const leases = new Map<string, number>();
  for (let i = 0; i < live.length; i += 2) leases.set(live[i]!, Number(live[i + 1]));
  const sessionIds = [...new Set([...leases.keys(), ...snapshot.seen.keys()])].sort();
  return {
    objects: read.filter((object) => object !== undefined),
    clients: sessionIds.map((session, i) => {
      const lease = leases.get(session);
      return {
        id: i + 1,
        label: sessionLabel(session),
        waiting: snapshot.seen.get(session)?.waiting ?? 0,
        holding: snapshot.seen.get(session)?.holding ?? 0,
        leaseExpires: lease === undefined ? null : new Date(lease).toISOString(),
      };
    }),
    types,
    backend: { address, time: new Date(snapshot.now).toISOString() },
  };
}

/** A session as people read it: `host pid 1234 (session 3f2a…)`. */
export function sessionLabel(session: string): string {
  const parts = session.split('.');
  if (parts.length < 3) return session;
  const random = parts.pop()!;
  const pid = parts.pop()!;
  return `${parts.join('.')} pid ${pid} (session ${random})`;
}

async function readObject(client: RedisClient, prefix: string, keys: ObjectKeys, snapshot: Snapshot, describe: Describe): Promise<RedisDebugInfo['objects'][number] | undefined> {
  const meta = await client.hgetall(keys.meta);
  // Deleted since the registry was read.
  if (meta['type'] === undefined) return undefined;
  const typeId = meta['type'];
  const { state, size, str } = await readState(client, prefix, keys, typeId, snapshot);
  return { id: keys.id, typeId, refcount: Number(meta['refs'] ?? 0), heldBy: {}, str: str ?? (await describe(keys.id, typeId, size)), state };
}

/** The session of a waiter id (`<session>.<n>`). */
function sessionOf(waiter: string): string {
  return waiter.slice(0, waiter.lastIndexOf('.'));
}

/** The session of a lock's owner: a session id, or `<session>/<task>` for an RLock. */
function ownerSession(owner: string): string {
  const slash = owner.indexOf('/');
  return slash < 0 ? owner : owner.slice(0, slash);
}

function note(snapshot: Snapshot, session: string, what: 'waiting' | 'holding'): void {
  const entry = snapshot.seen.get(session) ?? { waiting: 0, holding: 0 };
  entry[what]++;
  snapshot.seen.set(session, entry);
}

function waiters(snapshot: Snapshot, ids: string[]): string[] {
  return ids.map((id) => {
    const session = sessionOf(id);
    note(snapshot, session, 'waiting');
    return sessionLabel(session);
  });
}

function expiry(snapshot: Snapshot, ms: number): { leaseExpires: string; leaseLeftMs: number } {
  return { leaseExpires: new Date(ms).toISOString(), leaseLeftMs: ms - snapshot.now };
}

/** An object's state; its size, for types whose `str()` grows with it; its `str()`, for types that have none on Redis. */
async function readState(
  client: RedisClient,
  prefix: string,
  keys: ObjectKeys,
  typeId: string,
  snapshot: Snapshot,
): Promise<{ state: Record<string, unknown>; size?: number; str?: string }> {
  switch (typeId) {
    case 'dict': {
      const size = await client.hlen(keys.key('k'));
      return { state: { size }, size };
    }
    case 'list': {
      const length = await client.llen(keys.key('l'));
      return { state: { length }, size: length };
    }
    case 'set': {
      const size = await client.hlen(keys.key('s'));
      return { state: { size }, size };
    }
    case 'Array': {
      const length = await client.llen(keys.key('a'));
      return { state: { length }, size: length };
    }
    case 'Lock':
    case 'RLock':
      return { state: await lockState(client, keys, typeId, snapshot) };
    case 'Semaphore':
    case 'BoundedSemaphore': {
      const { state } = await semaphoreState(client, keys, snapshot);
      return { state };
    }
    case 'Queue':
    case 'JoinableQueue': {
      const state = await queueState(client, keys, snapshot);
      return { state, size: state['size'] as number };
    }
    case 'Event': {
      const [flag, mailboxes] = await Promise.all([client.get(keys.key('f')), client.smembers(keys.key('w'))]);
      const marker = `${keys.tag}:mb:`;
      return { state: { set: flag === '1', waiting: waiters(snapshot, mailboxes.map((mailbox) => mailbox.slice(marker.length))) } };
    }
    case 'Condition': {
      const [lockId, lockType] = await client.hmget(keys.key('lock'), 'id', 'type');
      const lockKeys = lockId === null ? keys : new ObjectKeys(prefix, Number(lockId));
      const waiting = waiters(snapshot, await client.lrange(lockKeys.key(`cw:${keys.id}`), 0, -1));
      const lock = lockId === null ? await lockState(client, keys, 'RLock', snapshot) : `object ${lockId} (${lockType})`;
      return { state: { lock, waiting } };
    }
    case 'Barrier': {
      const [st, ids] = await Promise.all([client.hgetall(keys.key('st')), client.lrange(keys.key('w'), 0, -1)]);
      return {
        state: {
          parties: Number(st['parties']),
          broken: st['broken'] === '1',
          waiting: waiters(snapshot, ids),
          runningAction: st['runner'] ? sessionLabel(st['runner']) : null,
        },
      };
    }
    default:
      return { state: {} };
  }
}

async function lockState(client: RedisClient, keys: ObjectKeys, typeId: string, snapshot: Snapshot): Promise<Record<string, unknown>> {
  const [st, ids] = await Promise.all([client.hgetall(keys.key('st')), client.lrange(keys.key('w'), 0, -1)]);
  const owner = st['owner'];
  // A holder whose lease lapsed holds nothing: the next acquirer takes the lock.
  const held = owner !== undefined && Number(st['exp']) >= snapshot.now;
  if (held) note(snapshot, ownerSession(owner), 'holding');
  const state: Record<string, unknown> = {
    owner: held ? sessionLabel(ownerSession(owner)) : null,
    ...(held ? expiry(snapshot, Number(st['exp'])) : { leaseExpires: null }),
    token: st['tok'] === undefined ? null : Number(st['tok']),
    waiting: waiters(snapshot, ids),
  };
  if (typeId === 'RLock') {
    state['task'] = held && owner.includes('/') ? Number(owner.slice(owner.indexOf('/') + 1)) : null;
    state['level'] = held ? Number(st['count'] ?? 1) : 0;
  }
  return state;
}

async function semaphoreState(client: RedisClient, keys: ObjectKeys, snapshot: Snapshot): Promise<{ state: Record<string, unknown>; initial: number }> {
  const [st, hold, hexp, ids] = await Promise.all([
    client.hgetall(keys.key('st')),
    client.hgetall(keys.key('hold')),
    client.zrange(keys.key('hexp'), '0', '-1', 'WITHSCORES'),
    client.lrange(keys.key('w'), 0, -1),
  ]);
  const ends = new Map<string, number>();
  for (let i = 0; i < hexp.length; i += 2) ends.set(hexp[i]!, Number(hexp[i + 1]));
  const holders: Record<string, number> = {};
  const leases: Record<string, string> = {};
  for (const [session, permits] of Object.entries(hold)) {
    if (Number(permits) <= 0) continue;
    note(snapshot, session, 'holding');
    holders[sessionLabel(session)] = Number(permits);
    const end = ends.get(session);
    if (end !== undefined) leases[sessionLabel(session)] = new Date(end).toISOString();
  }
  return { state: { value: Number(st['value']), holders, leaseExpires: leases, waiting: waiters(snapshot, ids) }, initial: Number(st['initial']) };
}

async function queueState(client: RedisClient, keys: ObjectKeys, snapshot: Snapshot): Promise<Record<string, unknown>> {
  const [size, st, sessions, joiners] = await Promise.all([
    client.llen(keys.key('q')),
    client.hgetall(keys.key('st')),
    client.zrange(keys.key('sess'), '0', '-1', 'WITHSCORES'),
    client.lrange(keys.key('joiners'), 0, -1),
  ]);
  const marker = `${keys.tag}:jm:`;
  const inHand: Record<string, { items: number; leaseExpires: string }> = {};
  let unacknowledged = 0;
  for (let i = 0; i < sessions.length; i += 2) {
    const session = sessions[i]!;
    const items = await client.llen(keys.key(`p:${session}`));
    if (items === 0) continue;
    note(snapshot, session, 'holding');
    unacknowledged += items;
    inHand[sessionLabel(session)] = { items, leaseExpires: new Date(Number(sessions[i + 1])).toISOString() };
  }
  return {
    size,
    maxsize: Number(st['maxsize'] ?? 0),
    unfinished: Number(st['unfinished'] ?? 0),
    unacknowledged,
    joining: waiters(snapshot, joiners.map((mailbox) => mailbox.slice(marker.length))),
    inHand,
  };
}
