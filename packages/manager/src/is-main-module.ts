import { readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Python's `if __name__ == '__main__':` for ES modules: true only in the module the program was
 * started with. A `Process` child re-imports its target's module, where this is false, so the
 * main block does not run again in the child.
 *
 * The program is found as Node finds it: `node file.js`, `node file` (without its extension),
 * `node --import tsx file.ts`, and `node .` or `npm start` (a directory: its package.json
 * `main`, or its index.js).
 *
 * @example if (isMainModule(import.meta)) { await main(); }
 */
export function isMainModule(meta: ImportMeta): boolean {
  const entry = process.argv[1];
  if (entry === undefined || !meta.url.startsWith('file:')) return false;
  try {
    const program = entryFile(resolve(entry));
    return program !== undefined && realpathSync(fileURLToPath(meta.url)) === realpathSync(program);
  } catch {
    return false;
  }
}

/** The file Node runs for `node <path>` (CommonJS resolution of a main entry point). */
function entryFile(path: string): string | undefined {
  return asFile(path) ?? asDirectory(path);
}

const EXTENSIONS = ['', '.js', '.json', '.node', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

function asFile(path: string): string | undefined {
  for (const extension of EXTENSIONS) {
    if (isFile(path + extension)) return path + extension;
  }
  return undefined;
}

function asDirectory(path: string): string | undefined {
  if (!isDirectory(path)) return undefined;
  let main: unknown;
  try {
    main = (JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { main?: unknown }).main;
  } catch {
    main = undefined;
  }
  if (typeof main === 'string' && main !== '') {
    const target = resolve(path, main);
    const found = asFile(target) ?? asIndex(target);
    if (found !== undefined) return found;
  }
  return asIndex(path);
}

function asIndex(path: string): string | undefined {
  for (const extension of ['.js', '.json', '.node']) {
    const index = join(path, `index${extension}`);
    if (isFile(index)) return index;
  }
  return undefined;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
