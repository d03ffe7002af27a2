import { NamedBlockTracker } from './named-block-tracker.js';
import { ShareableList, type ShareableItem } from './shareable-list.js';
import { SharedMemory, trackerOption } from './shared-memory.js';
import { messages, ProcessError } from '@mpts/proxy/wire';

/**
 * Python's `multiprocessing.managers.SharedMemoryManager`: makes `SharedMemory` blocks and
 * `ShareableList`s and unlinks every one of them when it shuts down.
 *
 * Its server is a small process of its own that holds the names, so the blocks are unlinked
 * also when the process that started the manager dies without shutting it down (a crash,
 * SIGKILL): the server sees it go, unlinks them, and exits.
 *
 * ```ts
 * await using smm = await SharedMemoryManager.start();
 * const sl = smm.ShareableList([1, 2, 3]);
 * const shm = smm.SharedMemory(128);
 * ```
 */
export class SharedMemoryManager {
  #tracker: NamedBlockTracker | undefined;
  #state: 'initial' | 'started' | 'shutdown' = 'initial';

  /** Creates a manager and starts its server. */
  static async start(): Promise<SharedMemoryManager> {
    const manager = new SharedMemoryManager();
    await manager.start();
    return manager;
  }

  /** Starts the server process and waits until it runs. */
  async start(): Promise<this> {
    if (this.#state === 'started') throw new ProcessError(messages.alreadyStarted);
    if (this.#state === 'shutdown') throw new ProcessError(messages.managerShutDown);
    this.#state = 'started';
    this.#tracker = new NamedBlockTracker();
    this.#tracker.unref({ exceptOutput: true });
    await this.#tracker.ready();
    return this;
  }

  /** The server process's id. */
  get pid(): number | undefined {
    return this.#tracker?.pid;
  }

  #started(): NamedBlockTracker {
    if (this.#state === 'initial') throw new ProcessError(messages.managerNotStarted);
    if (this.#state === 'shutdown') throw new ProcessError(messages.managerShutDown);
    return this.#tracker!;
  }

  /** A new block of `size` bytes with a new `psm_` name, unlinked when the manager shuts down. */
  SharedMemory(size: number): SharedMemory {
    return new SharedMemory({ create: true, size, [trackerOption]: this.#started() });
  }

  /** A new ShareableList of `sequence`'s items, unlinked when the manager shuts down. */
  ShareableList(sequence?: Iterable<ShareableItem> | null): ShareableList {
    return new ShareableList(sequence ?? [], { [trackerOption]: this.#started() });
  }

  /**
   * Unlinks every block this manager made (those already unlinked are skipped) and stops its
   * server. Idempotent.
   */
  async shutdown(): Promise<void> {
    const tracker = this.#tracker;
    this.#state = 'shutdown';
    this.#tracker = undefined;
    await tracker?.unlinkAll();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }
}
