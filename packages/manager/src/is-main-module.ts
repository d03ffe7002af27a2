import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Python's `if __name__ == '__main__':` for ES modules: true only in the module the program was
 * started with. A `Process` child re-imports its target's module, where this is false, so the
 * main block does not run again in the child.
 *
 * @example if (isMainModule(import.meta)) { await main(); }
 */
export function isMainModule(meta: ImportMeta): boolean {
  const entry = process.argv[1];
  if (entry === undefined || !meta.url.startsWith('file:')) return false;
  try {
    return realpathSync(fileURLToPath(meta.url)) === realpathSync(entry);
  } catch {
    return false;
  }
}
