/**
 * The mpts wire protocol, after the authentication handshake (see `auth.ts`).
 *
 * Every message is one msgpack array in one frame (see `framing.ts`). Arrays, not records,
 * because they are the smallest and fastest thing msgpack has, and a call is on the hot path.
 *
 * Requests (client → server):
 * - `[Op.call, requestId, objectId, method, args]`   call a method of a shared object
 * - `[Op.create, requestId, typeId, args]`           create a shared object; replies its token
 * - `[Op.incref, requestId, objectId]`               this connection takes one more reference
 * - `[Op.decref, 0, objectId, count]`                this connection drops references (no reply)
 * - `[Op.cancel, 0, requestId]`                      abandon a pending blocking call (no reply of
 *                                                     its own: the cancelled call replies)
 * - `[Op.command, requestId, name, args]`            a manager-level command (`Command`)
 * - `[Op.ack, 0, [requestId, ...]]`                  the client decoded these `Reply.okAck`
 *                                                     replies (no reply): the manager lets go
 *                                                     of what they handed over (queue items)
 * - `[Op.goodbye, 0]`                                 the client closes on purpose: what it
 *                                                     holds stays held (DESIGN D6). A socket
 *                                                     that ends without it is a lost client.
 * - `[Op.heartbeat, 0]`                               the answer to `Reply.heartbeat`
 *
 * Replies (server → client):
 * - `[Reply.ok, requestId, value]`
 * - `[Reply.error, requestId, errorName, message, remoteStack]`
 * - `[Reply.fatal, 0, message]`: the connection broke the protocol and is about to be closed.
 * - `[Reply.okAck, requestId, value]`: as `ok`, and the client acknowledges it with `Op.ack`
 *   once decoded; until then the manager keeps what it handed over (a queue item).
 * - `[Reply.heartbeat, 0]`: the manager checks the client is alive; it answers `Op.heartbeat`.
 *
 * A connection's requests are applied in the order they were sent. Replies of blocking calls
 * (a lock's `acquire`, a queue's `get`) come back when they are ready, so out of order.
 */
export const Op = {
  call: 0,
  create: 1,
  incref: 2,
  decref: 3,
  cancel: 4,
  command: 5,
  ack: 6,
  goodbye: 7,
  heartbeat: 8,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

export const Reply = {
  ok: 0,
  error: 1,
  fatal: 2,
  okAck: 3,
  heartbeat: 4,
} as const;
export type Reply = (typeof Reply)[keyof typeof Reply];

/** Manager-level commands, Python's `Server.public` in mpts's spelling. */
export const Command = {
  ping: 'ping',
  numberOfObjects: 'numberOfObjects',
  debugInfo: 'debugInfo',
  shutdown: 'shutdown',
} as const;
export type Command = (typeof Command)[keyof typeof Command];

/** The address written in a token that means "the manager this connection talks to". */
export const SELF_ADDRESS = '';
