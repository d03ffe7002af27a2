import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
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
const snapshotBlob = `server-snapshot.${process.version}-${process.arch}.blob`;
const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

describe.runIf(process.platform === 'linux')('which server Manager.start() forks', () => {
  it('one that imports no user module starts from the V8 startup snapshot the build made for this Node', async () => {
    expect(readdirSync(bundleDir)).toContain(snapshotBlob);
    await using manager = await startManager();
    const args = commandLine(manager.pid!);
    expect(args).toContain('--snapshot-blob');
    expect(basename(args[args.indexOf('--snapshot-blob') + 1]!)).toBe(snapshotBlob);
    using d = await manager.dict<string, number>([['a', 1]]);
    await d.setItem('b', 2);
    expect(await d.copy()).toEqual(new Map([['a', 1], ['b', 2]]));
    // Its modules were evaluated at build time; what it reads of its own process, it reads now.
    const owner = readFileSync(join(dirname(manager.address), 'server.pid'), 'utf8');
    const namespace = /^pid:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/pid'))![1];
    expect(owner).toBe(`mpts manager ${manager.pid} ${namespace}\n`);
    // A snapshot holds no native module: msgpackr's string extractor is loaded once it runs.
    await vi.waitFor(() => expect(readFileSync(`/proc/${manager.pid}/maps`, 'utf8')).toMatch(/msgpackr-extract.*\.node$/m), { timeout: 10_000, interval: 20 });
  });

  it('starts the one-file server, compiled from its code cache, when Node refuses the snapshot', () => {
    // A copy of the bundle whose snapshot was made under other V8 flags, which Node refuses.
    // Inside the package, so that the copy finds mpts's other packages as the bundle does.
    const copy = mkdtempSync(join(fileURLToPath(new URL('../../', import.meta.url)), '.refused-snapshot-'));
    try {
      cpSync(bundleDir, join(copy, 'bundle'), { recursive: true });
      writeFileSync(join(copy, 'snapshot.js'), "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {});");
      execFileSync(process.execPath, ['--snapshot-blob', join(copy, 'bundle', snapshotBlob), '--build-snapshot', join(copy, 'snapshot.js')]);
      const program = `import { Manager } from '${pathToFileURL(join(copy, 'bundle', 'index.js')).href}';
        import { readFileSync } from 'node:fs';
        const servers = [];
        for (let i = 0; i < 2; i++) {
          const manager = await Manager.start();
          const d = await manager.dict([['a', i]]);
          servers.push({ args: readFileSync('/proc/' + manager.pid + '/cmdline', 'utf8').split('\\0'), a: await d.getItem('a') });
          await manager.shutdown();
        }
        console.log(JSON.stringify(servers));`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      // Node tried it once: the first start; the second did without it.
      expect(run.stderr.match(/Failed to load the startup snapshot/g)).toHaveLength(1);
      const servers = JSON.parse(run.stdout) as { args: string[]; a: number }[];
      for (const [i, { args, a }] of servers.entries()) {
        expect(args).not.toContain('--snapshot-blob');
        expect(basename(args.find((arg) => arg.endsWith('.cjs'))!)).toBe('server-standalone.cjs');
        expect(a).toBe(i);
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
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
