import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { withRegistryAccess } from '../../../vitest.environment.js';
import { fetchNodeDist } from '../scripts/node-dist.mjs';
import { addonSourceHash, sourceHashFile } from '../scripts/source-hash.mjs';
import { alive, eventually } from './helpers.js';
import { copyPackage, packageDir, type PackageCopy } from './package-copy.js';

const fixture = fileURLToPath(new URL('./fixtures/copied-package.mjs', import.meta.url));
const copies: PackageCopy[] = [];
const held: ChildProcess[] = [];
afterAll(async () => {
  // A test that failed half-way leaves its fixture running: end it before removing its folder.
  await Promise.all(held.filter((child) => child.exitCode === null && child.signalCode === null)
    .map((child) => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    })));
  for (const copy of copies) copy.remove();
});

interface Seen {
  node: string;
  crossProcess: { available: boolean; reason: string };
  loadedFile: string | null;
  value: number;
  segments: string[];
  trackerPid: number | null;
  warnings: { code: string; message: string }[];
}

function copy(...parts: Parameters<typeof copyPackage>[0]): PackageCopy {
  const made = copyPackage(parts);
  copies.push(made);
  return made;
}

/** Runs the fixture on a copy of the package under `node`, to its end. */
function runFixture(node: string, packageDir: string): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.MPTS_SHM_NO_ADDON;
    execFile(node, [fixture, packageDir], { env }, (error, stdout, stderr) =>
      (error ? reject(new Error(`${String(error)}\n${stderr}`)) : resolve({ ...JSON.parse(stdout), stderr } as Seen)));
  });
}

/** The NODE_MODULE_VERSION of the Node at `node`. */
function abiOf(node: string): Promise<string> {
  return new Promise((resolve, reject) => execFile(node, ['-p', 'process.versions.modules'],
    (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))));
}

describe('the prebuilt binaries', () => {
  it('were made from the addon\'s current sources (else run node scripts/prebuild.mjs)', () => {
    expect(readFileSync(sourceHashFile, 'utf8').trim()).toBe(addonSourceHash());
  });

  it('are in the packed package, one per supported Node major', async () => {
    const packed = await new Promise<string>((resolve, reject) => execFile('npm', ['pack', '--dry-run', '--json'],
      { cwd: packageDir }, (error, stdout) => (error ? reject(error) : resolve(stdout))));
    const files = (JSON.parse(packed) as { files: { path: string }[] }[])[0]!.files.map((file) => file.path);
    expect(files.filter((path) => path.startsWith('prebuilds/')).sort()).toEqual([
      'prebuilds/linux-x64/node.abi115.glibc.node', // Node 20
      'prebuilds/linux-x64/node.abi127.glibc.node', // Node 22
      'prebuilds/linux-x64/node.abi137.glibc.node', // Node 24
      'prebuilds/linux-x64/sources.sha256',
    ]);
  });
});

describe('the addon', () => {
  it('loads from the prebuilt binary for this Node when the package has no build/', async () => {
    const { dir } = copy('dist', 'tracker', 'prebuilds');
    const seen = await runFixture(process.execPath, dir);
    expect(seen.crossProcess).toEqual({ available: true, reason: '' });
    expect(seen.loadedFile).toBe(join(dir, 'prebuilds', 'linux-x64', `node.abi${process.versions.modules}.glibc.node`));
    expect(seen.value).toBe(8.5);
    expect(seen.segments).toHaveLength(2);
    expect(seen.warnings).toEqual([]);
  });

  // The addon uses V8's C++ API, so each Node major has its own binary, loaded under that Node:
  // the running one above, the others fetched from the npm registry.
  const runningMajor = process.versions.node.split('.')[0];
  for (const major of ['20', '22', '24'].filter((major) => major !== runningMajor)) {
    it(`loads from its prebuilt binary under Node ${major}`, { timeout: 180_000 }, async (context) => {
      let node: string;
      try {
        node = join(withRegistryAccess(() => fetchNodeDist(major)).dir, 'bin', 'node');
      } catch (error) {
        // In CI the Node builds must be reachable; elsewhere (offline) say why this did not run.
        if (process.env.CI) throw error;
        console.warn(`skipped: Node ${major} could not be fetched from the npm registry: ${(error as Error).message}`);
        return context.skip(`Node ${major} could not be fetched from the npm registry`);
      }
      const { dir } = copy('dist', 'tracker', 'prebuilds');
      const seen = await runFixture(node, dir);
      expect(seen.node).toMatch(new RegExp(`^v${major}\\.`));
      expect(seen.crossProcess).toEqual({ available: true, reason: '' });
      expect(seen.loadedFile).toBe(join(dir, 'prebuilds', 'linux-x64', `node.abi${await abiOf(node)}.glibc.node`));
      expect(seen.value).toBe(8.5);
      expect(seen.segments).toHaveLength(2);
    });
  }

  it('loads from a folder whose path has a space, and its tracker cleans up after a SIGKILL', async () => {
    const { dir } = copy('dist', 'tracker', 'prebuilds');
    expect(dir).toContain(' ');
    const env = { ...process.env };
    delete env.MPTS_SHM_NO_ADDON;
    const child = spawn(process.execPath, [fixture, dir, 'hold'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    held.push(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let output = '';
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('\n')) resolve(output.slice(0, output.indexOf('\n')));
      });
      child.once('exit', (code) => reject(new Error(`the fixture exited with ${code} before printing`)));
    });
    const seen = JSON.parse(line) as Seen;
    expect(seen.crossProcess.available).toBe(true);
    expect(seen.value).toBe(8.5);
    expect(seen.segments).toHaveLength(2);
    const trackerPid = seen.trackerPid!;
    expect(alive(trackerPid)).toBe(true);
    // The tracker runs the copy's own script, from the path with the space.
    expect(readFileSync(`/proc/${trackerPid}/cmdline`, 'utf8').split('\0'))
      .toContain(join(dir, 'tracker', 'tracker.cjs'));
    child.kill('SIGKILL');
    await exited;
    // Only the tracker can unlink the names of a process that was killed.
    expect(await eventually(() => seen.segments.every((name) => !existsSync(`/dev/shm/${name}`)))).toBe(true);
    expect(await eventually(() => !alive(trackerPid))).toBe(true);
  });

  it('missing (no prebuilt binary matches, nothing built) is said once, with the commands that build it', async () => {
    const { dir } = copy('dist', 'tracker');
    const seen = await runFixture(process.execPath, dir);
    expect(seen.crossProcess.available).toBe(false);
    expect(seen.loadedFile).toBe(null);
    // Still works within the process.
    expect(seen.value).toBe(8.5);
    expect(seen.segments).toEqual([]);
    expect(seen.warnings).toHaveLength(1);
    const [warning] = seen.warnings;
    expect(warning!.code).toBe('MPTS_SHM_NO_ADDON');
    expect(warning!.message).toBe(`@mpts/shm: shared memory will reach only this process and its worker_threads, not child processes: ${seen.crossProcess.reason}`);
    // Why: the loader's own error, and what the install script did.
    expect(seen.crossProcess.reason).toContain(`No native build was found for platform=linux arch=x64 runtime=node abi=${process.versions.modules}`);
    expect(seen.crossProcess.reason).toContain('nothing was built from source here');
    // What fixes it.
    expect(seen.crossProcess.reason).toContain('npm rebuild @mpts/shm');
    expect(seen.crossProcess.reason).toContain('pnpm approve-builds, then pnpm rebuild @mpts/shm');
    expect(seen.crossProcess.reason).not.toContain('/work/');
  });
});
