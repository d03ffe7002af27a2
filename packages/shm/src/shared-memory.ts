import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, ftruncateSync, openSync, unlinkSync } from 'node:fs';
import { native, nativeUnavailableReason } from './native.js';
import { trackerOfThisThread, type NamedBlockTracker } from './named-block-tracker.js';
import { osError } from './os-error.js';
import { FileExistsError, messages, OSError, pyTypeName, RuntimeError, ValueError } from '@mpts/proxy/wire';

/** Where a SharedMemoryManager passes its own tracker (not part of the public options). */
export const trackerOption = Symbol('mpts.sharedMemory.tracker');

export interface SharedMemoryOptions {
  /** The block's name, as Python spells it (no leading slash). Omitted: a new `psm_` name. */
  name?: string;
  /** Create a new block (`FileExistsError` if the name is taken) instead of attaching one. */
  create?: boolean;
  /** Bytes, when creating. Attaching maps the whole block, whatever its size. */
  size?: number;
  /**
   * Unlink the block when the process that created it is gone, if nobody did (default true):
   * Python's resource tracker does the same. Only the creator tracks a block (Python's tracks
   * it in every process that attaches it, up to 3.12, and by default in 3.13).
   */
  track?: boolean;
  [trackerOption]?: NamedBlockTracker;
}

/**
 * Where a POSIX shared-memory name lives on Linux. `shm_open` drops the leading slashes and
 * refuses an empty name or one with a slash inside (EINVAL), as this does.
 */
function fileOf(posixName: string): string {
  const file = posixName.replace(/^\/+/, '');
  if (file === '' || file.includes('/')) {
    throw new OSError(22, 'Invalid argument', posixName);
  }
  return `/dev/shm/${file}`;
}

/** The name of the block's file in /dev/shm. */
function shmFileName(posixName: string): string {
  return fileOf(posixName).slice('/dev/shm/'.length);
}

function unlinkQuietly(posixName: string): void {
  try {
    unlinkSync(fileOf(posixName));
  } catch {
    // gone already
  }
}

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Python's `multiprocessing.shared_memory.SharedMemory`: a block of shared memory with a name,
 * which any process on the host (Node or Python, related or not) attaches by that name. The
 * block is the POSIX shared-memory object Python uses (`/dev/shm/<name>`), so both see the same
 * bytes; `buf` is a `Uint8Array` over a `SharedArrayBuffer`, so `Atomics` work on it.
 *
 * `close()` lets go of this mapping; `unlink()` removes the name (once, by one process): the
 * memory lasts while any process still maps it.
 */
export class SharedMemory {
  /** The name, as Python reports it: without the leading slash it was opened with. */
  readonly name: string;
  /** Bytes in the block: on create, the size asked for; on attach, the block's size. */
  readonly size: number;
  readonly #posixName: string;
  #buf: Uint8Array | null;
  #tracker: NamedBlockTracker | undefined;

  constructor(nameOrOptions: string | SharedMemoryOptions = {}) {
    const options = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
    const { create = false, track = true } = options;
    const size = options.size ?? 0;
    if (typeof size !== 'number' || Number.isNaN(size)) throw new TypeError(messages.integerExpected(pyTypeName(size)));
    if (!(size >= 0)) throw new ValueError(messages.sizeNegative);
    if (create && size === 0) throw new ValueError(messages.sizeNotPositive);
    if (!Number.isInteger(size)) throw new TypeError(messages.integerExpected('float'));
    if (options.name === undefined && !create) throw new ValueError(messages.nameNeedsCreate);
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new TypeError(messages.strConcatenation(pyTypeName(options.name)));
    }
    if (native === undefined) {
      throw new RuntimeError(messages.noAddon('shared memory block', nativeUnavailableReason));
    }

    let posixName: string;
    let fd: number;
    if (options.name === undefined) {
      for (;;) {
        posixName = `/psm_${randomBytes(4).toString('hex')}`;
        try {
          fd = this.#open(posixName, true);
          break;
        } catch (error) {
          if (!(error instanceof FileExistsError)) throw error;
        }
      }
    } else {
      posixName = `/${options.name}`;
      fd = this.#open(posixName, create);
    }
    let sab: SharedArrayBuffer;
    try {
      if (create) ftruncateSync(fd, size);
      const actual = fstatSync(fd).size;
      // Python's mmap refuses an empty file the same way.
      if (actual === 0) throw new ValueError(messages.emptyBlock);
      sab = native.attach(posixName);
    } catch (error) {
      if (create) unlinkQuietly(posixName);
      throw error instanceof Error && 'code' in error ? osError(error, posixName) : error;
    } finally {
      closeSync(fd);
    }
    this.#posixName = posixName;
    this.name = posixName.slice(1);
    this.size = sab.byteLength;
    this.#buf = new Uint8Array(sab);
    if (create && (track || options[trackerOption] !== undefined)) {
      this.#tracker = options[trackerOption] ?? trackerOfThisThread();
      this.#tracker.track(shmFileName(posixName));
    }
  }

  #open(posixName: string, create: boolean): number {
    const file = fileOf(posixName);
    const flags = constants.O_RDWR | O_NOFOLLOW | (create ? constants.O_CREAT | constants.O_EXCL : 0);
    try {
      return openSync(file, flags, 0o600);
    } catch (error) {
      throw osError(error, posixName);
    }
  }

  /**
   * The block's bytes: a `Uint8Array` over a `SharedArrayBuffer` (`buf.buffer`), so typed
   * arrays over the same memory (`new Float64Array(shm.buf.buffer)`) and `Atomics` work. After
   * `close()`, reading it throws, as Python's released memoryview does.
   */
  get buf(): Uint8Array {
    if (this.#buf === null) throw new ValueError(messages.blockClosed);
    return this.#buf;
  }

  /**
   * Lets go of this process's view of the block; the block and its name stay. The mapping
   * itself goes when nothing references its memory any more (typed arrays made over
   * `buf.buffer` keep it mapped and working).
   */
  close(): void {
    this.#buf = null;
  }

  /**
   * Removes the block's name, so no process can attach it any more; processes that mapped it
   * keep their memory until they let go of it. Call it once, from one process:
   * `FileNotFoundError` if the name is gone already.
   */
  unlink(): void {
    try {
      unlinkSync(fileOf(this.#posixName));
    } catch (error) {
      throw osError(error, this.#posixName);
    } finally {
      this.#tracker?.untrack(shmFileName(this.#posixName));
    }
  }

  /** Python's repr: `SharedMemory('psm_1a2b3c4d', size=10)`. */
  toString(): string {
    return `SharedMemory('${this.name}', size=${this.size})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
