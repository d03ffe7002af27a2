import { addExtension } from './msgpackr.js';
import { activeCodecContext } from './codec-context.js';
import { messages } from './errors.js';

/**
 * How a class of objects other than plain data crosses to another process: mpts's own proxy
 * tokens, and the shared-memory objects of `@mpts/shm`. Each handler is a msgpack extension, so
 * it works wherever the codec does (manager calls and `Process` arguments alike).
 */
export interface TransferHandler<T extends object> {
  /** Instances of this class (and of its subclasses) are carried by the handler. */
  readonly Class: abstract new (...args: never[]) => T;
  /** The msgpack extension type: 1..15 are mpts's wire types, 16..99 are free for packages. */
  readonly type: number;
  /** Turns the object into data the codec can carry. May throw to refuse the transfer. */
  write(value: T): unknown;
  /** Rebuilds the object on the receiving side from what `write` returned. */
  read(data: never): T;
}

const transferableClasses: Function[] = [];
/** How many objects the handlers have written, in this process's lifetime. */
let transfersWritten = 0;

/** Registers a class that may travel inside values. Call it once, when its module loads. */
export function registerTransferHandler<T extends object>(handler: TransferHandler<T>): void {
  transferableClasses.push(handler.Class);
  addExtension({
    Class: handler.Class as never,
    type: handler.type,
    write: (value: T) => {
      transfersWritten++;
      return handler.write(value);
    },
    read: (data: unknown) => {
      // A manager never rebuilds another package's objects from a client (DESIGN D5): it would
      // map, write or unlink whatever shared-memory segment the client named.
      const context = activeCodecContext();
      if (!context.acceptsTransfers) {
        context.refuse(new TypeError(messages.sharedMemoryToManager));
        return null;
      }
      return handler.read(data as never);
    },
  });
}

/** Whether `value` is an instance of a class registered with `registerTransferHandler`. */
export function isTransferableInstance(value: object): boolean {
  for (const Class of transferableClasses) if (value instanceof Class) return true;
  return false;
}

let spawning = 0;

/**
 * Runs `encode` while a child process's arguments are being encoded. Some objects (shared
 * memory, as in Python's `sharedctypes`) may only reach another process this way, by
 * inheritance, and check `isSpawning()` in their handler's `write`.
 */
export function whileSpawning<T>(encode: () => T): T {
  spawning++;
  try {
    return encode();
  } finally {
    spawning--;
  }
}

/**
 * Encodes as `whileSpawning` does, and tells whether a registered handler wrote an object
 * (shared memory): the receiving process must load the handler's package before it decodes.
 */
export function encodeForChild<T>(encode: () => T): { encoded: T; carriesTransfers: boolean } {
  const before = transfersWritten;
  const encoded = whileSpawning(encode);
  return { encoded, carriesTransfers: transfersWritten !== before };
}

/** True while `whileSpawning` is encoding a child process's arguments. */
export function isSpawning(): boolean {
  return spawning > 0;
}
