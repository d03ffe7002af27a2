/**
 * mpts as a user gets it: the packages packed as they would be published, installed from their
 * tarballs into fresh projects, once with npm and once with pnpm (default settings), in a
 * directory whose name has a space, with no C++ compiler, make or python on PATH. In each
 * project: the same program in plain JavaScript (ESM), CommonJS and TypeScript under --strict
 * (a manager's dict and queue shared with a Process child and a cluster worker, and
 * shared-memory Value/Array written by the child), the types under each of TypeScript's module
 * resolutions, `npm start`, `npx mpts`, and every program of the READMEs and of the porting
 * guide, pasted as they are.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryEnvironment } from '../../../vitest.environment.js';
import { readmePrograms, type ReadmeProgram } from './readme-programs.js';

const here = dirname(fileURLToPath(import.meta.url));
const repository = join(here, '..', '..', '..');
const programs = join(here, 'consumer');
const readmes = ['README.md', 'packages/mpts/README.md', 'docs/coming-from-python.md'];

/** What each of the three programs prints when everything worked. */
const expected =
  "exit codes 0 0; from the child, from the worker; {'child': 'was here', 'worker': 'was here'}; 2.5 [10, 20, 30]\n";

const INSTALL_TIMEOUT = 240_000;

const packageManagers = {
  npm: ['npm', ['install', '--no-audit', '--no-fund']],
  // CI=true would make pnpm refuse to write the lockfile a new project does not have yet.
  pnpm: ['npx', ['-y', 'pnpm@10.34.9', 'install', '--no-frozen-lockfile']],
} as const;
type PackageManager = keyof typeof packageManagers;

const found = readmePrograms(repository, readmes);

interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

let root: string;
let tarballs: string;
let env: NodeJS.ProcessEnv;

/** Runs a command in `cwd` with the consumer's environment; resolves with its outcome, never rejects. */
function run(command: string, args: readonly string[], cwd: string, timeout = 60_000, environment = env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: environment, timeout, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ stdout, stderr, code });
    });
  });
}

/** Runs a command that must succeed; its output is in the error otherwise. */
async function succeed(command: string, args: readonly string[], cwd: string, timeout?: number, environment = env): Promise<Run> {
  const result = await run(command, args, cwd, timeout, environment);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** A C or C++ compiler, make, python (node-gyp's first need) or node-gyp itself. */
const buildTool = /^(cc|c\+\+|cpp|make|gmake|node-gyp)$|gcc|g\+\+|clang|python/;

/**
 * A PATH with every command of this one but the build tools: a machine where the native addon
 * cannot be built from source, as on many users' and in slim containers.
 */
function binWithoutCompiler(dir: string): string {
  mkdirSync(dir);
  const linked = new Set<string>();
  for (const from of (process.env.PATH ?? '').split(':')) {
    // A node_modules/.bin on PATH is this repository's, put there by the run's package manager.
    if (from === '' || from.includes('node_modules') || !existsSync(from)) continue;
    for (const name of readdirSync(from)) {
      // The first of a name on PATH is the one a shell runs.
      if (buildTool.test(name) || linked.has(name)) continue;
      linked.add(name);
      symlinkSync(join(from, name), join(dir, name));
    }
  }
  return dir;
}

/** The environment a user's shell would give: this run's variables, minus those npm or pnpm set for it. */
function userEnvironment(path: string): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|NODE_OPTIONS$|VITEST|TEST$|INIT_CWD$)/.test(name)) continue;
    clean[name] = value;
  }
  return { ...clean, PATH: path };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mpts consumers '));
  tarballs = join(root, 'tarballs');
  env = userEnvironment(binWithoutCompiler(join(root, 'bin')));
  // Packed by pnpm, as a release is: `workspace:*` becomes the version.
  const pack = await new Promise<Run>((resolve) => {
    execFile('npx', ['-y', 'pnpm@10.34.9', '-r', '--filter', '!@mpts/examples', 'pack', '--pack-destination', tarballs],
      { cwd: repository, env: registryEnvironment(), timeout: 120_000 }, (error, stdout, stderr) => resolve({ stdout, stderr, code: error ? 1 : 0 }));
  });
  if (pack.code !== 0) throw new Error(`pnpm pack failed\n${pack.stdout}\n${pack.stderr}`);
  // The two projects are set up side by side: most of an install is waiting for the network.
  await Promise.all(Object.keys(packageManagers).map((manager) => setUpProject(manager as PackageManager)));
}, INSTALL_TIMEOUT);

afterAll(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

function tarball(name: string): string {
  // `mpts-0.1.0.tgz`, not `mpts-cli-0.1.0.tgz`: the version follows the name.
  const file = readdirSync(tarballs).find((entry) => new RegExp(`^${name}-\\d.*\\.tgz$`).test(entry));
  if (file === undefined) throw new Error(`no tarball for ${name} in ${tarballs}`);
  return `file:${join(tarballs, file)}`;
}

/** A user's new project: package.json depends on mpts, its own packages come from the tarballs. */
function createProject(dir: string): void {
  mkdirSync(dir);
  cpSync(programs, dir, { recursive: true });
  // mpts's own packages are not on the registry yet: each is taken from its tarball.
  const ownPackages = Object.fromEntries(
    ['@mpts/cli', '@mpts/manager', '@mpts/proxy', '@mpts/shm'].map((name) => [name, tarball(name.replace('@', '').replace('/', '-'))]),
  );
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({
    name: 'my-project',
    version: '1.0.0',
    private: true,
    type: 'module',
    // `npm start` runs `node .`: the program is found through `main`.
    main: 'esm.mjs',
    scripts: { start: 'node .' },
    dependencies: { mpts: tarball('mpts') },
    devDependencies: { typescript: '5.9.3', '@types/node': '20.19.43' },
    overrides: ownPackages,
    pnpm: { overrides: ownPackages },
  }, null, 2)}\n`);
}

/** The README's programs, written into the project: TypeScript ones compiled with the README's tsconfig. */
function writeReadmePrograms(dir: string, found: readonly ReadmeProgram[]): void {
  const tsDir = join(dir, 'readme', 'src');
  mkdirSync(tsDir, { recursive: true });
  for (const program of found) {
    writeFileSync(join(program.language === 'ts' ? tsDir : dir, program.file), program.code);
  }
}

/**
 * The project where the documentation's programs run: pnpm's, whose strict layout lets a
 * program import only what the project depends on, so a program that needed anything but
 * `mpts` would fail there.
 */
const readmeProject: PackageManager = 'pnpm';

/** Installs a new project, then compiles its TypeScript (and the documentation's programs). */
async function setUpProject(manager: PackageManager): Promise<void> {
  const project = join(root, `${manager} project`);
  const [command, args] = packageManagers[manager];
  createProject(project);
  await succeed(command, args, project, INSTALL_TIMEOUT, registryEnvironment(env));
  // The program under the project's own settings (no target: tsc's default for nodenext).
  await succeed('node', ['node_modules/typescript/bin/tsc', '-p', '.'], project, INSTALL_TIMEOUT);
  if (manager !== readmeProject) return;
  // The documentation's programs under the tsconfig.json that README.md gives.
  writeReadmePrograms(project, found.programs);
  writeFileSync(join(project, 'readme', 'tsconfig.json'), found.tsconfig);
  await succeed('node', ['node_modules/typescript/bin/tsc', '-p', 'readme'], project, INSTALL_TIMEOUT);
}

for (const manager of Object.keys(packageManagers)) {
  // The tests of a project run side by side: each mostly waits for the processes it started.
  describe(`installed with ${manager}, no C++ compiler, in a directory whose name has a space`, { timeout: 90_000, concurrent: true }, () => {
    let project: string;

    beforeAll(() => {
      project = join(root, `${manager} project`);
    });

    it('no compiler is on PATH', async () => {
      for (const tool of ['g++', 'cc', 'make', 'python3']) {
        expect((await run('sh', ['-c', `command -v ${tool}`], project)).code).not.toBe(0);
      }
      expect(project).toContain(' ');
    });

    it('a plain JavaScript ES module, started by npm start (node .), shares a dict, a queue, a Value and an Array with a Process child and a cluster worker', async () => {
      // isMainModule(import.meta) must see the program in `node .`, whose argv[1] is a directory.
      const result = await run('npm', ['start', '--silent'], project);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(expected);
    });

    it('so does a CommonJS module, through require()', async () => {
      const result = await run('node', ['cjs.cjs'], project);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(expected);
    });

    it('so does TypeScript under --strict, compiled by tsc', async () => {
      const result = await run('node', ['build/typed.js'], project);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(expected);
    });

    it("the types resolve under TypeScript's node16, nodenext, bundler and node10", async () => {
      const result = await run('node', ['check-resolution.mjs'], project);
      expect(result.stdout).toBe('node16: ok\nnodenext: ok\nbundler: ok\nnode10: ok\n');
      expect(result.code).toBe(0);
    });

    it('npx mpts runs the command', async () => {
      const result = await run('npx', ['mpts', '--help'], project);
      expect(result.stderr).toMatch(/^usage:\n {2}mpts serve /);
      expect(result.code).toBe(0);
    });

    for (const program of manager === readmeProject ? found.programs : []) {
      it(`${program.where}: runs as written${program.output === undefined ? '' : ' and prints what the README says'}`, async () => {
        const file = program.language === 'ts' ? join('readme', 'build', program.file.replace(/\.ts$/, '.js')) : program.file;
        const result = await run('node', [file], project);
        expect(result.stderr).toBe('');
        if (program.output !== undefined) expect(result.stdout).toBe(program.output);
        expect(result.code).toBe(0);
      });
    }
  });
}

describe('the packed tarballs', () => {
  const names = ['mpts', 'mpts-manager', 'mpts-proxy', 'mpts-shm', 'mpts-cli', 'mpts-redis'];

  it.each(names)('%s carries its LICENSE, README, declarations and versioned dependencies, and no tests', async (name) => {
    const file = tarball(name).slice('file:'.length);
    const listing = (await succeed('tar', ['tzf', file], root)).stdout.split('\n').filter(Boolean);
    expect(listing).toEqual(expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/package.json']));
    expect(listing.some((path) => path.endsWith('.d.ts'))).toBe(true);
    expect(listing.filter((path) => /(^|\/)test\/|\.test\.|tsbuildinfo|\/build\//.test(path))).toEqual([]);
    const manifest = JSON.parse((await succeed('tar', ['xzfO', file, 'package/package.json'], root)).stdout) as {
      dependencies?: Record<string, string>;
      publishConfig?: { access?: string };
      engines?: { node?: string };
    };
    expect(Object.values(manifest.dependencies ?? {}).filter((range) => range.startsWith('workspace:'))).toEqual([]);
    expect(manifest.publishConfig?.access).toBe('public');
    expect(manifest.engines?.node).toBe('>=20.19');
  });
});

describe("the READMEs' programs", () => {
  it('are found: the TypeScript and the plain-JavaScript forms, and the tsconfig', () => {
    expect(found.programs.filter((program) => program.language === 'ts').length).toBeGreaterThanOrEqual(2);
    expect(found.programs.filter((program) => program.language === 'js').length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(found.tsconfig)).toHaveProperty('compilerOptions');
    expect(found.programs.some((program) => program.where.startsWith('packages/mpts/README.md'))).toBe(true);
  });

  it('use only what mpts exports: no helper of the examples package', () => {
    for (const program of found.programs) expect(program.code).not.toMatch(/\brange\(/);
  });

  it('README.md tells users how to set up their own project', () => {
    expect(readFileSync(join(repository, 'README.md'), 'utf8')).toContain('## Use it in your project');
  });
});
