import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { messages } from '@mpts/proxy/wire';

const thisFile = fileURLToPath(import.meta.url);
/**
 * This package's own code: `bundle/` runs, `dist/` and `src/` show through source maps (or run,
 * in the package's own tests).
 */
const ownCode = ['src', 'dist', 'bundle'].map((dir) => join(dirname(thisFile), '..', dir) + sep);

/**
 * The URL of the user's module that called into mpts (`new Process(...)`, `Manager.start()`),
 * read from the stack: the first frame outside this package; `option` names the option that
 * says it instead. A function cannot cross to another process, so mpts finds it again there by
 * this module and its export name (DESIGN D9).
 */
export function callerModule(call: string, option: string): string {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  for (const line of stack) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/.exec(line.trim());
    if (!match) continue;
    const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
    if (ownCode.some((dir) => file.startsWith(dir))) continue;
    return pathToFileURL(file).href;
  }
  throw new TypeError(messages.callerModuleUnknown(call, option));
}
