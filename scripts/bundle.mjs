// Bundles each library package's compiled modules (tsc's dist/) into a few files in bundle/,
// the code Node runs. Node 20 spends more time resolving and linking ~90 small ES modules than
// evaluating them, and every manager server and Process child loads them afresh: one file per
// entry point (plus the chunks entries share) starts measurably faster (`pnpm bench` W8).
//
// Each package stays its own bundle and imports the others by name, so a class is defined
// once however a program reaches it. bundle/ sits beside dist/ and src/, so paths the code
// builds relative to its own file (`../tracker/`, `../build/`) mean the same from either.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Each package, with the modules Node starts from: its exports and the files it forks. */
const packages = {
  proxy: ['index', 'wire'],
  shm: ['index'],
  manager: ['index', 'server-main', 'process-child-main'],
};

// In dependency order: checking a package's exports imports the bundles it depends on.
for (const [name, entries] of Object.entries(packages)) {
  const dir = join(root, 'packages', name);
  const { exports } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  // Chunks are named by their content: last build's would stay beside this one's.
  rmSync(join(dir, 'bundle'), { recursive: true, force: true });
  await build({
    entryPoints: entries.map((entry) => join(dir, 'dist', `${entry}.js`)),
    outdir: join(dir, 'bundle'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Dependencies (mpts's other packages included) stay imports, resolved by Node.
    packages: 'external',
    // Maps through tsc's own maps back to src/, for `--enable-source-maps`; src/ ships beside
    // them, so the maps need not carry the sources again.
    sourcemap: 'linked',
    sourcesContent: false,
    chunkNames: 'chunk-[hash]',
    logLevel: 'warning',
  });
  for (const [subpath, target] of Object.entries(exports)) {
    const entry = target.default.replace('./bundle/', '').replace(/\.js$/, '');
    reExportExternals(dir, entry);
    await checkSameExports(dir, entry, subpath);
  }
}

await buildStandaloneServer();

/**
 * The manager server a `Manager.start()` forks when it imports none of the user's modules
 * (no `register`, no `initializer`): mpts's code it runs in one CommonJS file, which Node reads
 * and compiles at once, where the package bundles cost it half a dozen ES modules to resolve,
 * link and compile. Nothing in that process shares classes with code of another bundle, so it
 * may carry its own copy of @mpts/proxy. msgpackr stays a dependency: required, Node loads its
 * one CommonJS build, which finds its optional native string extractor where msgpackr is.
 *
 * Its entry (server-standalone.ts) compiles that file from V8's code cache, made here by
 * starting the server and using it as `Manager.start()` and a first call do.
 */
async function buildStandaloneServer() {
  const dir = join(root, 'packages', 'manager');
  const common = {
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['msgpackr'],
    // Code that finds files beside its own (`createRequire(import.meta.url)`) finds them beside
    // these files, which sit in bundle/ as the package bundles do.
    define: { 'import.meta.url': '__mptsModuleUrl' },
    banner: { js: "var __mptsModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  };
  await build({
    ...common,
    entryPoints: [join(dir, 'dist', 'server-main.js')],
    outfile: join(dir, 'bundle', 'server-standalone-main.cjs'),
    sourcemap: 'linked',
    sourcesContent: false,
  });
  await build({ ...common, entryPoints: [join(dir, 'dist', 'server-standalone.js')], outfile: join(dir, 'bundle', 'server-standalone.cjs') });
  // In a process of its own: this one has loaded dist/ and bundle/ both, two copies of mpts's
  // codec on one msgpackr.
  execFileSync(process.execPath, [join(root, 'scripts', 'server-code-cache.mjs')], { stdio: 'inherit' });
}

/**
 * Restores an entry's `export * from '<package>'` of another package: with code splitting,
 * esbuild moves it into a shared chunk, where it exports nothing (esbuild issue 1737).
 */
function reExportExternals(dir, entry) {
  const source = readFileSync(join(dir, 'dist', `${entry}.js`), 'utf8');
  for (const [line] of source.matchAll(/^export \* from '[^.][^']*';$/gm)) {
    appendFileSync(join(dir, 'bundle', `${entry}.js`), `${line}\n`);
  }
}

/** Fails the build unless an export of the bundle has exactly the names of tsc's module. */
async function checkSameExports(dir, entry, subpath) {
  const names = async (file) => Object.keys(await import(pathToFileURL(file).href)).sort().join();
  if (await names(join(dir, 'bundle', `${entry}.js`)) !== await names(join(dir, 'dist', `${entry}.js`))) {
    throw new Error(`${dir}: the bundle of "${subpath}" does not export what dist/${entry}.js does`);
  }
}
