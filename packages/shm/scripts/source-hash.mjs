// The hash of what the addon is compiled from, recorded beside the prebuilt binaries when they
// are made, so that a change to the C++ without new binaries cannot go unnoticed.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the hash of the sources the prebuilt binaries were made from is kept. */
export const sourceHashFile = join(packageDir, 'prebuilds', 'linux-x64', 'sources.sha256');

/** SHA-256 over binding.gyp and native/*, each file's name and contents, in name order. */
export function addonSourceHash() {
  const files = ['binding.gyp', ...readdirSync(join(packageDir, 'native')).sort().map((name) => `native/${name}`)];
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(packageDir, file))).update('\0');
  return hash.digest('hex');
}
