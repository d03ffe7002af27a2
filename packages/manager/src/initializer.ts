/**
 * A manager's initializer (Python's `BaseManager.start(initializer, initargs)`): a function the
 * manager process calls before it serves. A function cannot cross to the forked server, so it
 * is found there as a `Process` target is (DESIGN D9): a named function exported by a module,
 * which the server imports, then calls with `initargs` (plain data, encoded as `Process`
 * arguments are).
 */
import { decode, encode, messages, prepareValue, standaloneCodecContext, whileSpawning } from '@mpts/proxy/wire';
import type { InitializerStartup } from './server-startup.js';

/**
 * What the server needs to find and call `initializer`, or undefined without one (`null` is
 * Python's `None`). Throws Python's `TypeError` for anything but a function, before anything is
 * started.
 */
export function initializerStartup(
  initializer: unknown,
  initargs: readonly unknown[] | undefined,
  module: () => string,
): InitializerStartup | undefined {
  if (initializer === undefined || initializer === null) return undefined;
  if (typeof initializer !== 'function') throw new TypeError(messages.initializerNotCallable);
  if (!initializer.name) throw new TypeError(messages.initializerAnonymous);
  const args = whileSpawning(() => encode(prepareValue([...(initargs ?? [])], 'initargs'), standaloneCodecContext));
  return { module: module(), exportName: initializer.name, args: Buffer.from(args).toString('base64') };
}

/** The initializer threw (or could not be found): the manager does not serve. */
export class InitializerFailed extends Error {
  constructor(
    readonly exportName: string,
    readonly thrown: unknown,
  ) {
    super(`the manager's initializer ${exportName}() failed`);
  }
}

/** In the server process: imports the initializer's module and awaits the call. */
export async function runInitializer(startup: InitializerStartup): Promise<void> {
  try {
    const module = (await import(startup.module)) as Record<string, unknown>;
    const initializer = module[startup.exportName];
    if (typeof initializer !== 'function') throw new TypeError(messages.initializerNotExported(startup.exportName, startup.module));
    const args = decode(Buffer.from(startup.args, 'base64'), standaloneCodecContext) as unknown[];
    await initializer(...args);
  } catch (error) {
    throw new InitializerFailed(startup.exportName, error);
  }
}
