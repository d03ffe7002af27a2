import { Cluster } from 'ioredis';
import type { RedisClient } from './script.js';

interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * Writes the commands a process sends in one turn of its event loop in one system call.
 *
 * ioredis writes each command to the socket as it is sent: with 64 calls in flight, that is one
 * `write` per command here and one `read` per command in Redis, which cost more than the
 * commands themselves. `hold()` corks the connection's socket until the turn's synchronous code
 * and promise callbacks have run (a `nextTick` queued now runs after them), then uncorks it:
 * everything sent meanwhile leaves in one `writev`, in the order sent, so Redis applies it in
 * that order as before. The store holds only while calls are in flight: a lone call is written
 * at once.
 */
export class TickWrites {
  #held: Corkable | undefined;
  readonly #release = (): void => {
    const stream = this.#held;
    this.#held = undefined;
    stream?.uncork();
  };

  constructor(private readonly client: RedisClient) {}

  hold(): void {
    if (this.#held !== undefined || this.client instanceof Cluster || this.client.status !== 'ready') return;
    const stream = (this.client as unknown as { stream?: Corkable }).stream;
    if (stream === undefined) return;
    stream.cork();
    this.#held = stream;
    process.nextTick(this.#release);
  }
}
