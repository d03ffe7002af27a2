import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * Python's `if __name__ == '__main__':` for ES modules: true only in the module the program was
 * started with. A `Process` child re-imports its target's module, where this is false, so the
 * main block does not run again in the child.
 *
 * Node finds the program named on its command line as `require.resolve` finds a path: `node
 * file.js`, `node file` (without its extension), `node --import tsx file.ts` (tsx teaches
 * `require` its extensions), and `node .` or `npm start` (a directory: its package.json `main`,
 * or its index.js). Both sides are compared as real paths, so a symlink names its target.
 *
 * @example if (isMainModule(import.meta)) { await main(); }
 */
export function isMainModule(meta: ImportMeta): boolean {
  const entry = process.argv[1];
  if (entry === undefined || !meta.url.startsWith('file:')) return false;
  try {
    return realpathSync(fileURLToPath(meta.url)) === realpathSync(require.resolve(resolve(entry)));
  } catch {
    // argv[1] names no file now (the program changed it, or the file is gone): nothing matches.
    return false;
  }
}
