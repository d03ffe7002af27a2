import type { Socket } from 'node:net';
import { encodeFrame, FrameWriter, Reply } from '@mpts/proxy/wire';
import type { Handoff } from './handoff.js';

let nextClientId = 1;

/** A blocking call of this client's that the manager has not replied to yet. */
export interface PendingWait {
  cancel(): void;
  drop(): void;
}

/**
 * Something a client holds that the manager may have to take back when its connection ends
 * (a lock, permits, queue items not yet acknowledged). DESIGN D6.
 */
export interface Holding {
  /**
   * `client`'s connection ended. `lost` is true when it ended without the client's goodbye
   * (the process crashed or was killed, or was found dead by keepalive or heartbeat): then what
   * it held as a loan (Lock, RLock, a Condition's lock, BoundedSemaphore permits) is released.
   * A clean close (`lost` false) keeps such holdings, as Python does.
   */
  clientGone(client: ClientSession, lost: boolean): void;
}

/**
 * The manager's side of one client connection: what it references, what it holds, what it
 * waits for. When the connection closes, all of it is given back (DESIGN D5, D6).
 */
export class ClientSession {
  readonly id = nextClientId++;
  closed = false;
  /** The client said goodbye: its connection ends cleanly, not lost (DESIGN D6). */
  saidGoodbye = false;
  /** objectId → references this connection holds. */
  readonly refs = new Map<number, number>();
  /** requestId → its pending blocking call. */
  readonly waits = new Map<number, PendingWait>();
  /** requestId → what an `okAck` reply handed over, until the client acknowledges it. */
  readonly handoffs = new Map<number, Handoff>();
  /** Servants holding a lock or permits for this client. */
  readonly holdings = new Set<Holding>();
  readonly writer: FrameWriter;
  /** How the client describes itself (pid), for `debugInfo()`. */
  label: string;

  constructor(readonly socket: Socket) {
    this.writer = new FrameWriter(socket);
    this.label = `client ${this.id}`;
  }

  replyError(requestId: number, error: unknown): void {
    if (this.closed) return;
    const { name, message, stack } = describeError(error);
    this.writer.write(encodeFrame([Reply.error, requestId, name, message, stack]));
  }
}

function describeError(error: unknown): { name: string; message: string; stack: string | undefined } {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: (error as { remoteStack?: string }).remoteStack ?? error.stack };
  }
  return { name: 'RemoteError', message: String(error), stack: undefined };
}
