import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * The URL of tsx's loader, for `--import` in a child that runs TypeScript (a test runner's own
 * transform is not inherited by a fork). Found from mpts itself, else from `module` (a user's
 * module, whose project may have tsx where mpts's install does not).
 */
export function tsxLoader(module: string = import.meta.url): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return pathToFileURL(createRequire(module).resolve('tsx')).href;
  }
}
