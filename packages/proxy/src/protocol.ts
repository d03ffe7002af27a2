/**
 * The mpts wire protocol, after the authentication handshake (see `auth.ts`).
 *
 * Every message is one msgpack array in one frame (see `framing.ts`). Arrays, not records,
 * because they are the smallest and fastest thing msgpack has, and a call is on the hot path.
 * Each message is a tuple whose first element says what it is and whose second is a request
 * id (0 for a message that gets no reply of its own). `Request` lists what a client sends,
 * `ReplyMessage` what the manager sends back; the manager checks each request it receives with
 * `parseRequest` (manager package), a client each reply with `parseReply`.
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

/** Numbers a client gives its requests, from 1 up; a reply carries the number of its request. */
export type RequestId = number;
/** The manager's number for a shared object, as in its token. */
export type ObjectId = number;

/** A message from a client to the manager. */
export type Request =
  /** Call a method of a shared object. */
  | [op: typeof Op.call, requestId: RequestId, objectId: ObjectId, method: string, args: unknown[]]
  /** Create a shared object of a registered type; the reply is its token. */
  | [op: typeof Op.create, requestId: RequestId, typeId: string, args: unknown[]]
  /**
   * This connection takes one more reference. With `instance`, the manager refuses unless it is
   * the instance that made the object (a restarted manager refuses old tokens).
   */
  | [op: typeof Op.incref, requestId: RequestId, objectId: ObjectId, instance?: string | null]
  /** This connection drops `count` references (1 when absent). No reply. */
  | [op: typeof Op.decref, requestId: RequestId, objectId: ObjectId, count?: number | null]
  /** Abandon a pending blocking call. No reply of its own: the cancelled call replies. */
  | [op: typeof Op.cancel, requestId: RequestId, cancelled: RequestId]
  /** A manager-level command (`Command`). */
  | [op: typeof Op.command, requestId: RequestId, name: string, args: unknown[]]
  /**
   * The client decoded these `Reply.okAck` replies (`acks`), or could not deliver them
   * (`returns`): the manager lets go of what they handed over (queue items), or takes it back.
   * No reply.
   */
  | [op: typeof Op.ack, requestId: RequestId, acks: RequestId[], returns?: RequestId[]]
  /**
   * The client closes on purpose: what it holds stays held (DESIGN D6). A socket that ends
   * without it is a lost client. No reply.
   */
  | [op: typeof Op.goodbye, requestId: RequestId]
  /** The answer to `Reply.heartbeat`. */
  | [op: typeof Op.heartbeat, requestId: RequestId];

/** A message from the manager to a client. */
export type ReplyMessage =
  /** The request's result. */
  | [kind: typeof Reply.ok, requestId: RequestId, value: unknown]
  /** The request failed: the error's class name, message, and the manager's stack. */
  | [kind: typeof Reply.error, requestId: RequestId, errorName: string, message: string, remoteStack: string | undefined]
  /** The connection broke the protocol and is about to be closed (request id 0). */
  | [kind: typeof Reply.fatal, requestId: RequestId, message: string]
  /**
   * As `ok`, and the client acknowledges it with `Op.ack` once decoded; until then the manager
   * keeps what it handed over (a queue item).
   */
  | [kind: typeof Reply.okAck, requestId: RequestId, value: unknown]
  /** The manager checks the client is alive (request id 0); it answers `Op.heartbeat`. */
  | [kind: typeof Reply.heartbeat, requestId: RequestId];

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
