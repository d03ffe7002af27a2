import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, nodeFlags } from '../helpers.js';

const runner = fixture('run-common-js.ts');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A CommonJS file in a fresh directory. */
function commonJsFile(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'code-cache-test-'));
  dirs.push(dir);
  const file = join(dir, 'module.cjs');
  writeFileSync(file, source);
  return file;
}

/** Runs `file` through runCommonJs in a fresh process. */
async function run(file: string, ...flags: string[]): Promise<{ usedCodeCache: boolean; combined: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, [...nodeFlags(runner), new URL(runner).pathname, file, ...flags]);
  return JSON.parse(stdout) as { usedCodeCache: boolean; combined: number };
}

const cacheName = `module.cjs.${process.versions.v8}-${process.arch}.v8cache`;
// Same length, different code: V8's own check of a cache against its source looks at the length.
const adding = 'const { sep } = require("node:path"); exports.combine = (a, b) => a + b;';
const subtracting = 'const { sep } = require("node:path"); exports.combine = (a, b) => a - b;';

describe("runCommonJs: a CommonJS file through V8's code cache", () => {
  it('runs the file, writes its cache beside it, and compiles it from the cache after', async () => {
    const file = commonJsFile(adding);
    expect(await run(file, '--write-code-cache')).toEqual({ usedCodeCache: false, combined: 5 });
    expect(readdirSync(join(file, '..')).sort()).toEqual(['module.cjs', cacheName]);
    expect(await run(file)).toEqual({ usedCodeCache: true, combined: 5 });
  });

  it('never uses a cache made from another source, even one of the same length', async () => {
    expect(subtracting.length).toBe(adding.length);
    const file = commonJsFile(adding);
    await run(file, '--write-code-cache');
    writeFileSync(file, subtracting);
    expect(await run(file)).toEqual({ usedCodeCache: false, combined: -1 });
  });

  it('a cache V8 rejects costs a compile, nothing else', async () => {
    const file = commonJsFile(adding);
    await run(file, '--write-code-cache');
    const cachePath = join(file, '..', cacheName);
    // The source's digest stays; V8's bytes after it are garbage.
    writeFileSync(cachePath, readFileSync(cachePath).fill(7, 32));
    expect(await run(file)).toEqual({ usedCodeCache: false, combined: 5 });
  });
});
