import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RemoteTypesManager } from '../fixtures/remote-types.js';
import { SERVER_V8_FLAGS } from '../../src/server-v8-flags.js';
import { fixture, startManager } from '../helpers.js';

/** The file a process runs, from its command line (Linux): the first argument after node's own options. */
const entryOf = (pid: number) => {
  const [, ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--import') i++;
    else if (!args[i]!.startsWith('-')) return basename(args[i]!);
  }
  return undefined;
};

const bundleDir = fileURLToPath(new URL('../../bundle/', import.meta.url));

describe.runIf(process.platform === 'linux')('which server Manager.start() forks', () => {
  it('one that imports no user module runs the one-file server, whose code cache the build made', async () => {
    expect(readdirSync(bundleDir)).toContain(`server-standalone-main.cjs.${process.versions.v8}-${process.arch}.v8cache`);
    await using manager = await startManager();
    expect(entryOf(manager.pid!)).toBe('server-standalone.cjs');
    using d = await manager.dict<string, number>([['a', 1]]);
    await d.setItem('b', 2);
    expect(await d.copy()).toEqual(new Map([['a', 1], ['b', 2]]));
  });

  it('compiles from that code cache under the flags Manager.start() gives the server (V8 rejects it under others)', () => {
    const check = `import('${new URL('../../dist/code-cache.js', import.meta.url).href}').then(({ runCommonJs }) => {
      console.log(runCommonJs('${bundleDir}server-standalone-main.cjs').usedCodeCache);
      process.exit(0);
    })`;
    const usedCodeCache = (flags: readonly string[]) => execFileSync(process.execPath, [...flags, '-e', check], { encoding: 'utf8' }).trim();
    expect(usedCodeCache(SERVER_V8_FLAGS)).toBe('true');
    // The check can fail: without the server's flags, the cache is not used.
    expect(usedCodeCache([])).toBe('false');
  });

  it("one that imports the user's modules runs the package's server, whose classes those modules share", async () => {
    await using manager = await startManager({ register: [fixture('remote-types.ts')] }, RemoteTypesManager);
    expect(entryOf(manager.pid!)).toBe('server-main.js');
    using counter = await manager.Counter(5);
    expect(await counter.increment()).toBe(6);
  });
});
