import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { copyPackage, packageDir, type PackageCopy, type PackagePart } from './package-copy.js';

const fixture = fileURLToPath(new URL('./fixtures/copied-package.mjs', import.meta.url));
const nodeGypScript = realpathSync(join(packageDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
const thisAbiPrebuild = `node.abi${process.versions.modules}.glibc.node`;
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function copy(parts: PackagePart[], options: { withNodeGyp?: boolean } = {}): PackageCopy {
  const made = copyPackage(parts, options);
  folders.push(made.root);
  return made;
}

/** A folder for PATH holding only these commands (name → file). */
function binFolder(commands: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mpts-shm-bin-'));
  folders.push(dir);
  for (const [name, file] of Object.entries(commands)) symlinkSync(file, join(dir, name));
  return dir;
}

/** Runs the install script of `copy` as a package manager would, with `env` over a clean one. */
function install(copy: PackageCopy, env: NodeJS.ProcessEnv = {}) {
  const base = { ...process.env };
  for (const name of ['npm_config_node_gyp', 'npm_config_nodedir', 'MPTS_SHM_SKIP_BUILD', 'PREBUILDS_ONLY']) delete base[name];
  return spawnSync(process.execPath, [join(copy.dir, 'scripts', 'build-addon.mjs')],
    { cwd: copy.dir, encoding: 'utf8', env: { ...base, ...env } });
}

function status(copy: PackageCopy): { built: boolean; reason?: string } {
  return JSON.parse(readFileSync(join(copy.dir, 'build', 'mpts-build-status.json'), 'utf8'));
}

/** What @mpts/shm in `copy` reports when it runs (test/fixtures/copied-package.mjs). */
function runPackage(copy: PackageCopy): Promise<{ crossProcess: { available: boolean; reason: string }; loadedFile: string | null }> {
  const env = { ...process.env };
  delete env.MPTS_SHM_NO_ADDON;
  return new Promise((resolve, reject) => execFile(process.execPath, [fixture, copy.dir], { env },
    (error, stdout, stderr) => (error ? reject(new Error(`${String(error)}\n${stderr}`)) : resolve(JSON.parse(stdout)))));
}

describe('the install script', () => {
  it('does nothing when a prebuilt binary loads', () => {
    const copied = copy(['scripts', 'prebuilds', 'binding.gyp', 'native']);
    const result = install(copied);
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).toBe('');
    expect(existsSync(join(copied.dir, 'build'))).toBe(false);
  });

  it('removes a build for another Node, which would hide the prebuilt binary', async () => {
    const copied = copy(['scripts', 'prebuilds', 'binding.gyp', 'native', 'dist', 'tracker']);
    const otherAbi = process.versions.modules === '127' ? 'node.abi137.glibc.node' : 'node.abi127.glibc.node';
    mkdirSync(join(copied.dir, 'build', 'Release'), { recursive: true });
    copyFileSync(join(copied.dir, 'prebuilds', 'linux-x64', otherAbi), join(copied.dir, 'build', 'Release', 'mpts_shm.node'));
    expect((await runPackage(copied)).crossProcess.reason).toContain('NODE_MODULE_VERSION');
    const result = install(copied);
    expect(result.status).toBe(0);
    expect(existsSync(join(copied.dir, 'build'))).toBe(false);
    const seen = await runPackage(copied);
    expect(seen.crossProcess.available).toBe(true);
    expect(seen.loadedFile).toBe(join(copied.dir, 'prebuilds', 'linux-x64', thisAbiPrebuild));
  });

  it('succeeds with a visible warning when no prebuilt binary matches and there is no C++ compiler', async () => {
    const copied = copy(['scripts', 'binding.gyp', 'native', 'dist', 'tracker'], { withNodeGyp: true });
    // Nothing on PATH: no g++, no make (the script runs node by its own path).
    const result = install(copied, { PATH: binFolder() });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('@mpts/shm: WARNING: the shared-memory addon was not built (no C++ compiler: g++ is not on PATH)');
    expect(result.stderr).toContain(`No prebuilt binary matches Node ${process.version} on linux-x64`);
    expect(result.stderr).toContain('"npm rebuild @mpts/shm" (with pnpm: "pnpm approve-builds", then "pnpm rebuild @mpts/shm")');
    expect(status(copied)).toEqual({ built: false, reason: 'no C++ compiler: g++ is not on PATH' });
    // The package tells the same at run time, where npm's quiet install scripts cannot hide it.
    const seen = await runPackage(copied);
    expect(seen.crossProcess.available).toBe(false);
    expect(seen.crossProcess.reason).toContain('the install script could not build it: no C++ compiler: g++ is not on PATH');
    expect(seen.crossProcess.reason).toContain('npm rebuild @mpts/shm');
  });

  it('finds node-gyp on PATH, and a build that fails leaves a warning, a record and a successful install', () => {
    const copied = copy(['scripts', 'binding.gyp', 'native']);
    writeFileSync(join(copied.dir, 'native', 'shm.cc'), 'this is not C++\n');
    const result = install(copied, { PATH: `${binFolder({ 'node-gyp': nodeGypScript })}:${process.env.PATH}` });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('@mpts/shm: WARNING: the shared-memory addon was not built (node-gyp exited with 1)');
    expect(result.stderr).toContain("use a manager's value()/array()");
    expect(status(copied)).toEqual({ built: false, reason: 'node-gyp exited with 1' });
  });

  it('builds from source with npm\'s node-gyp when no prebuilt binary matches', { timeout: 120_000 }, async () => {
    const copied = copy(['scripts', 'binding.gyp', 'native', 'dist', 'tracker']);
    const result = install(copied, { npm_config_node_gyp: nodeGypScript });
    expect(result.status, result.stderr).toBe(0);
    expect(status(copied).built).toBe(true);
    const seen = await runPackage(copied);
    expect(seen.crossProcess).toEqual({ available: true, reason: '' });
    expect(seen.loadedFile).toBe(join(copied.dir, 'build', 'Release', 'mpts_shm.node'));
  });
});
