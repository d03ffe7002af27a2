/**
 * Vitest global setup: compiles, once per run, the TypeScript that tests run in processes of
 * their own (test fixtures and helpers, the example programs) to JavaScript, so those processes
 * start with plain `node` instead of loading TypeScript through tsx at every start. What runs is
 * the same code: a file compiled with the repository's own settings, type-stripped only.
 *
 * `packages/<name>/test/dist/` mirrors the package: `test/fixtures/child.ts` becomes
 * `test/dist/test/fixtures/child.js`, an example `src/demo.ts` becomes `test/dist/src/demo.js`,
 * and for a package built by tsc `test/dist/src` links to its `dist/`, so a fixture's relative
 * import of `../../src/index.js` reaches the built package. `builtFixture()` in each package's
 * test helpers finds these files and falls back to the TypeScript source (through tsx) for a
 * fixture added since the run began.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync, type TransformOptions } from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * Type-stripped as tsc would under the repository's settings (imports kept as written), for
 * the Node the tests run on. esbuild, which vitest runs anyway: TypeScript's own transpiler
 * took ~2.5 s to load and compile them at the start of every run, with the cores otherwise idle.
 */
const transformOptions: TransformOptions = {
  loader: 'ts',
  format: 'esm',
  target: 'es2022',
  sourcemap: 'inline',
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
};

function typeScriptFiles(dir: string, skip: (path: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (skip(path)) return [];
    if (entry.isDirectory()) return typeScriptFiles(path, skip);
    return /\.m?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Writes `text` to `path` unless it is already there, atomically: other runs may be reading it. */
function writeIfChanged(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

export function buildTestFixtures(): void {
  for (const name of readdirSync(join(root, 'packages'))) {
    const pkg = join(root, 'packages', name);
    const out = join(pkg, 'test', 'dist');
    if (!existsSync(join(pkg, 'test'))) continue;
    const sources = typeScriptFiles(join(pkg, 'test'), (path) => path === out);
    // The examples have no build of their own: their programs are compiled here too.
    if (name === 'examples') sources.push(...typeScriptFiles(join(pkg, 'src'), () => false));
    if (sources.length === 0) continue;
    for (const source of sources) {
      const { code } = transformSync(readFileSync(source, 'utf8'), { ...transformOptions, sourcefile: source });
      writeIfChanged(join(out, relative(pkg, source)).replace(/\.(m?)ts$/, '.$1js'), code);
    }
    if (existsSync(join(pkg, 'dist')) && !existsSync(join(out, 'src'))) {
      mkdirSync(out, { recursive: true });
      try {
        symlinkSync(join('..', '..', 'dist'), join(out, 'src'), 'dir');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }
}

export default function setup(): void {
  buildTestFixtures();
}
