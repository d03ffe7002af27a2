import type { TokenCarrier, TokenData } from './codec.js';

/**
 * Whom one encode or decode is for (DESIGN D5). Every `encode`/`decode` of mpts is given one:
 * a client's connection, or a manager replying to (or reading from) one client. Nothing about
 * references lives in process-global hooks, so a client and a manager, or two managers, in one
 * process never see each other's tokens.
 */
export interface CodecContext {
  /**
   * The address of the manager on the other end, when there is one (a client's connection): a
   * proxy of that very manager travels as `SELF_ADDRESS`, and a token read as `SELF_ADDRESS`
   * names it.
   */
  readonly peerAddress?: string | undefined;
  /** What a decoded token becomes here: a live proxy in a client, a reference in a manager. */
  readToken(data: TokenData): unknown;
  /** A token is being encoded (a manager counts a reference for the client it replies to). */
  wroteToken?(carrier: TokenCarrier, data: TokenData): void;
  /**
   * Whether objects of other packages (`registerTransferHandler`: shared memory) may be decoded.
   * A manager never decodes them from a client, so no client can make it map a segment.
   */
  readonly acceptsTransfers: boolean;
  /**
   * Called instead of throwing when a value cannot be rebuilt here (a proxy of a manager this
   * process cannot reach, a shared-memory object sent to a manager): decoding goes on with a
   * `null` in its place, and the message's call alone fails with this error.
   */
  refuse(error: Error): void;
}

let active: CodecContext | undefined;

/**
 * Makes `context` the context of the encode or decode that follows, and returns the one it
 * replaces, which the caller restores with `leaveCodecContext` in a `finally`. Encoding and
 * decoding are synchronous, so this is all it takes; no closure, as it is on every call's path.
 */
export function enterCodecContext(context: CodecContext): CodecContext | undefined {
  const outer = active;
  active = context;
  return outer;
}

export function leaveCodecContext(outer: CodecContext | undefined): void {
  active = outer;
}

/** The context of the encode or decode under way; codec extensions read it. */
export function activeCodecContext(): CodecContext {
  if (active === undefined) throw new Error('mpts encoded or decoded a value outside a codec context');
  return active;
}

/** The context of the encode under way, if any (a proxy's token asks whom it is written for). */
export function maybeActiveCodecContext(): CodecContext | undefined {
  return active;
}
