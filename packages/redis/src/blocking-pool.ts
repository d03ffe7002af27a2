import { Cluster, Redis } from 'ioredis';
import { clusterSlot } from './cluster-slot.js';
import type { RedisClient } from './script.js';

/** A blocking connection, and its client id as Redis knows it now. */
interface Lease {
  readonly node: string;
  readonly connection: Redis;
  /** Where its CLIENT UNBLOCK is sent: the command connection, or one to the same Cluster node. */
  readonly control: Redis | RedisClient;
  clientId: number;
}

/**
 * Connections for blocking commands (BLMOVE, BLPOP): a blocked command would stall every other
 * command on a shared connection, so each wait takes one of these for its duration. At most
 * `cap` are open per process; more waits queue here for a free one.
 *
 * A wait is cancelled with `CLIENT UNBLOCK <id> TIMEOUT` from the command connection: the
 * blocked command then returns as if it had timed out, and its caller runs its cancel script.
 */
export class BlockingPool {
  /** Idle connections by node (one node, '', outside a Cluster). */
  readonly #idle = new Map<string, Lease[]>();
  readonly #queued: (() => void)[] = [];
  #open = 0;
  #closed = false;

  constructor(
    private readonly commands: RedisClient,
    private readonly cap = 32,
  ) {}

  /**
   * Runs `block` on a dedicated connection. If `signal` aborts meanwhile, the blocked command
   * is unblocked (it returns its timeout reply, null); `block` then sees the signal aborted.
   *
   * If the connection drops while blocked (a Redis restart, a failover), resolves `undefined`:
   * whether the command took effect is unknown, so the caller checks the object's state again
   * (a waiter re-runs its claim; a queue get returns what it may have moved). The command is
   * never re-sent on its own, and the next one waits for the reconnection.
   */
  async run<T>(key: string, block: (connection: Redis) => Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
    const lease = await this.#take(this.#nodeOf(key));
    // Sent on a connection of its own to the same node: on a Cluster, the command connection
    // would route it anywhere.
    const unblock = () => {
      lease.control.call('CLIENT', 'UNBLOCK', lease.clientId, 'TIMEOUT').catch(() => {});
    };
    signal?.addEventListener('abort', unblock, { once: true });
    streamOf(lease.connection)?.ref();
    // ioredis drops, without settling it, a command in flight when its connection closes (with
    // autoResendUnfulfilledCommands off): the close itself ends the wait.
    let onClose: (() => void) | undefined;
    const closed = new Promise<undefined>((resolve) => {
      onClose = () => resolve(undefined);
      lease.connection.once('close', onClose);
    });
    try {
      return await Promise.race([block(lease.connection), closed]);
    } catch (error) {
      if (this.#closed || !isConnectionLost(error)) throw error;
      return undefined;
    } finally {
      lease.connection.off('close', onClose!);
      signal?.removeEventListener('abort', unblock);
      // An idle blocking connection does not keep the process alive.
      streamOf(lease.connection)?.unref();
      this.#give(lease);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const idle = [...this.#idle.values()].flat();
    this.#idle.clear();
    await Promise.all(idle.map(async ({ connection, control }) => {
      await connection.quit().catch(() => connection.disconnect());
      if (control !== this.commands) await control.quit().catch(() => control.disconnect());
    }));
  }

  /** '' outside a Cluster; else the `host:port` of the node serving `key`'s slot. */
  #nodeOf(key: string): string {
    if (!(this.commands instanceof Cluster)) return '';
    return this.commands.slots[clusterSlot(key)]?.[0] ?? '';
  }

  /** A new connection for blocking commands: to the one server, or to a Cluster's node. */
  #open1(node: string): { connection: Redis; control: Redis } {
    // A blocked command in flight when a connection drops has an unknown outcome: never
    // resend it on its own; the waiter's own loop decides what to do.
    const options = { autoResendUnfulfilledCommands: false, enableOfflineQueue: true, maxRetriesPerRequest: null } as const;
    if (!(this.commands instanceof Cluster)) return { connection: this.commands.duplicate(options), control: this.commands };
    const [host, port] = [node.slice(0, node.lastIndexOf(':')), Number(node.slice(node.lastIndexOf(':') + 1))];
    const connection = new Redis({ ...this.commands.options.redisOptions, host, port, ...options });
    const control = new Redis({ ...this.commands.options.redisOptions, host, port });
    control.on('error', () => {});
    // Only ever needed while a wait is blocked, which keeps the process alive by itself.
    control.on('connect', () => streamOf(control)?.unref());
    return { connection, control };
  }

  async #take(node: string): Promise<Lease> {
    for (;;) {
      const idle = this.#idle.get(node)?.pop();
      if (idle) return idle;
      if (this.#open < this.cap) {
        this.#open++;
        try {
          const { connection, control } = this.#open1(node);
          connection.on('error', () => {});
          const lease: Lease = { node, connection, control, clientId: Number(await connection.call('CLIENT', 'ID')) };
          // A reconnected connection is another client to Redis: CLIENT UNBLOCK needs its new id.
          connection.on('ready', () => {
            connection.call('CLIENT', 'ID').then((id) => (lease.clientId = Number(id)), () => {});
          });
          return lease;
        } catch (error) {
          this.#open--;
          throw error;
        }
      }
      await new Promise<void>((resolve) => this.#queued.push(resolve));
    }
  }

  #give(lease: Lease): void {
    if (this.#closed) {
      this.#open--;
      lease.connection.disconnect();
      if (lease.control !== this.commands) lease.control.disconnect();
      return;
    }
    const idle = this.#idle.get(lease.node) ?? [];
    idle.push(lease);
    this.#idle.set(lease.node, idle);
    this.#queued.shift()?.();
  }
}

function streamOf(connection: Redis): { ref(): void; unref(): void } | undefined {
  return (connection as unknown as { stream?: { ref(): void; unref(): void } }).stream;
}

/** ioredis's rejection of a command whose connection closed before its reply. */
function isConnectionLost(error: unknown): boolean {
  return error instanceof Error && /Connection is closed|ECONNRESET|EPIPE|ECONNREFUSED/.test(error.message);
}
