import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** The parts of the package a copy may hold (package.json always). */
export type PackagePart = 'dist' | 'tracker' | 'prebuilds' | 'build' | 'scripts' | 'native' | 'binding.gyp';

export interface PackageCopy {
  /** The copy of @mpts/shm: <root>/node_modules/@mpts/shm. */
  readonly dir: string;
  /** The folder that plays the user's project, whose node_modules holds the copy. */
  readonly root: string;
  remove(): void;
}

/**
 * Installs a copy of this package the way npm lays one out, in a new folder of the temp
 * directory whose name has a space: <root>/node_modules/@mpts/shm, with its dependencies
 * (@mpts/proxy, node-gyp-build; node-gyp too when `withNodeGyp`) linked beside it.
 */
export function copyPackage(parts: readonly PackagePart[], options: { withNodeGyp?: boolean } = {}): PackageCopy {
  const root = mkdtempSync(join(tmpdir(), 'mpts shm copy '));
  const dir = join(root, 'node_modules', '@mpts', 'shm');
  mkdirSync(dir, { recursive: true });
  for (const part of ['package.json', ...parts]) {
    cpSync(join(packageDir, part), join(dir, part), { recursive: true });
  }
  const dependencies = ['@mpts/proxy', 'node-gyp-build', ...(options.withNodeGyp ? ['node-gyp'] : [])];
  for (const name of dependencies) {
    // pnpm links each dependency of the package into its own node_modules.
    const installed = realpathSync(join(packageDir, 'node_modules', name));
    mkdirSync(dirname(join(root, 'node_modules', name)), { recursive: true });
    symlinkSync(installed, join(root, 'node_modules', name));
  }
  return { dir, root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
