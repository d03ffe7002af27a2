/**
 * The calls of one method of one object made in one turn of the event loop (a producer's puts,
 * a consumer's gets), gathered to be sent as one command: when the turn's callbacks have run
 * (or later, while its owner holds it), or at once when this process makes any other call
 * first, so that Redis still applies the calls in the order they were made (DESIGN D1). At most
 * one batch is open at a time.
 */
export class TurnBatch {
  #open: { objectId: number; method: string; send: () => void } | undefined;

  /**
   * Sends the open batch now, unless it gathers `objectId`'s `method` (a call that joins it).
   * Every call of this process runs this before it sends anything.
   */
  settle(objectId?: number, method?: string): void {
    const open = this.#open;
    if (open === undefined || (open.objectId === objectId && open.method === method)) return;
    this.#open = undefined;
    open.send();
  }

  /** Whether a batch of `objectId`'s `method` is open: a call of it joins that batch. */
  isOpen(objectId: number, method: string): boolean {
    return this.#open?.objectId === objectId && this.#open.method === method;
  }

  /**
   * Opens a batch of `objectId`'s `method`, which `send` sends (once) when its turn ends, unless
   * `hold()` says then to keep gathering: it is then sent by the next `settle()`, which its owner
   * calls when it stops holding, and any other call of this process makes first.
   */
  open(objectId: number, method: string, send: () => void, hold: () => boolean = () => false): void {
    this.settle();
    const batch = { objectId, method, send };
    this.#open = batch;
    process.nextTick(() => {
      if (this.#open !== batch || hold()) return;
      this.#open = undefined;
      send();
    });
  }
}
