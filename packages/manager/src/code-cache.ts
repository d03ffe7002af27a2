import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { constants, Script } from 'node:vm';

export interface RunCommonJs {
  /** What the file exported. */
  readonly exports: unknown;
  /** Whether V8 compiled it from the code cache. */
  readonly usedCodeCache: boolean;
  /** Writes the code cache of what V8 has compiled of the file so far. */
  writeCodeCache(): void;
}

/**
 * Runs a CommonJS file, compiled from V8's code cache when there is one for this very source
 * and this V8: a process that starts from it skips parsing and compiling what the cache holds
 * (the functions that had run when it was made, not only the top level).
 *
 * The cache is `<file>.<V8 version>-<arch>.v8cache`: a SHA-256 of the source it was made from,
 * then V8's bytes. One made from another source is never used (V8 itself checks only the
 * source's length); one V8 rejects (another V8 build, other flags) costs a normal compile.
 * Only the build writes it (`writeCodeCache`), beside the file, where only whoever installed
 * the package can write: V8 trusts a code cache, so it must not come from a shared directory.
 */
export function runCommonJs(file: string): RunCommonJs {
  const source = readFileSync(file, 'utf8');
  const digest = createHash('sha256').update(source).digest();
  const cachePath = `${file}.${process.versions.v8}-${process.arch}.v8cache`;
  const cachedData = cachedDataFor(cachePath, digest);
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    usedCodeCache: cachedData !== undefined && !script.cachedDataRejected,
    writeCodeCache(): void {
      // Whole or not at all: a process starting meanwhile reads the old cache or the new one.
      const partial = `${cachePath}.${process.pid}`;
      try {
        writeFileSync(partial, Buffer.concat([digest, script.createCachedData()]));
        renameSync(partial, cachePath);
      } finally {
        rmSync(partial, { force: true });
      }
    },
  };
}

function cachedDataFor(cachePath: string, digest: Buffer): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(cachePath);
  } catch {
    return undefined;
  }
  return bytes.subarray(0, digest.length).equals(digest) ? bytes.subarray(digest.length) : undefined;
}
