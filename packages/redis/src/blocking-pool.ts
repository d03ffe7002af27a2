import type { Redis } from 'ioredis';

/**
 * Connections for blocking commands (BLMOVE, BLPOP): a blocked command would stall every other
 * command on a shared connection, so each wait takes one of these for its duration. At most
 * `cap` are open per process; more waits queue here for a free one.
 *
 * A wait is cancelled with `CLIENT UNBLOCK <id> TIMEOUT` from the command connection: the
 * blocked command then returns as if it had timed out, and its caller runs its cancel script.
 */
export class BlockingPool {
  readonly #idle: { connection: Redis; clientId: number }[] = [];
  readonly #queued: (() => void)[] = [];
  #open = 0;
  #closed = false;

  constructor(
    private readonly commands: Redis,
    private readonly cap = 32,
  ) {}

  /**
   * Runs `block` on a dedicated connection. If `signal` aborts meanwhile, the blocked command
   * is unblocked (it returns its timeout reply, null); `block` then sees the signal aborted.
   */
  async run<T>(block: (connection: Redis) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const lease = await this.#take();
    const unblock = () => {
      this.commands.call('CLIENT', 'UNBLOCK', lease.clientId, 'TIMEOUT').catch(() => {});
    };
    signal?.addEventListener('abort', unblock, { once: true });
    streamOf(lease.connection)?.ref();
    try {
      return await block(lease.connection);
    } finally {
      signal?.removeEventListener('abort', unblock);
      // An idle blocking connection does not keep the process alive.
      streamOf(lease.connection)?.unref();
      this.#give(lease);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const idle = this.#idle.splice(0);
    await Promise.all(idle.map(({ connection }) => connection.quit().catch(() => connection.disconnect())));
  }

  async #take(): Promise<{ connection: Redis; clientId: number }> {
    for (;;) {
      const idle = this.#idle.pop();
      if (idle) return idle;
      if (this.#open < this.cap) {
        this.#open++;
        try {
          // A blocked command in flight when a connection drops has an unknown outcome: never
          // resend it on its own; the waiter's own loop decides what to do.
          const connection = this.commands.duplicate({ autoResendUnfulfilledCommands: false, enableOfflineQueue: true });
          const clientId = Number(await connection.call('CLIENT', 'ID'));
          return { connection, clientId };
        } catch (error) {
          this.#open--;
          throw error;
        }
      }
      await new Promise<void>((resolve) => this.#queued.push(resolve));
    }
  }

  #give(lease: { connection: Redis; clientId: number }): void {
    if (this.#closed) {
      this.#open--;
      lease.connection.disconnect();
      return;
    }
    this.#idle.push(lease);
    this.#queued.shift()?.();
  }
}

function streamOf(connection: Redis): { ref(): void; unref(): void } | undefined {
  return (connection as unknown as { stream?: { ref(): void; unref(): void } }).stream;
}
