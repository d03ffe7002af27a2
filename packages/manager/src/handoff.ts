/**
 * A result the manager hands over only once the client says it decoded it (DESIGN D6): a queue
 * item given to `get()`. The server replies it as `Reply.okAck`; until the client's `Op.ack`
 * comes, the item is still the manager's, and if the connection ends first (or the client
 * returns it, unable to rebuild it) it is given back, e.g. to the head of its queue.
 *
 * Exactly one of `acknowledged` and `returned` takes effect, once.
 */
export class Handoff {
  private settled = false;

  constructor(
    /** What the reply carries. */
    readonly value: unknown,
    private readonly onReturned: () => void,
    private readonly onAcknowledged: () => void = () => {},
  ) {}

  /** The client decoded the reply: the value is its own now. */
  acknowledged(): void {
    if (this.settled) return;
    this.settled = true;
    this.onAcknowledged();
  }

  /** The reply was not delivered: the value goes back where it came from. */
  returned(): void {
    if (this.settled) return;
    this.settled = true;
    this.onReturned();
  }
}
