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
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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
await buildServerSnapshot();

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
 * The manager server as a V8 startup snapshot (server-snapshot.ts): `Manager.start()` forks a
 * server from it when it imports none of the user's modules and this Node can use the snapshot
 * (server-launch.ts). A snapshot holds one script and no native state, so this bundle carries
 * all of mpts's server code and msgpackr's plain-JavaScript build; the server loads msgpackr's
 * native string extractor once it runs. It is made under the server's V8 flags: Node refuses a
 * snapshot under other flags.
 */
async function buildServerSnapshot() {
  const dir = join(root, 'packages', 'manager');
  const script = join(dir, 'bundle', 'server-snapshot.cjs');
  const require = createRequire(join(root, 'packages', 'proxy', 'package.json'));
  // msgpackr's package root, from its CommonJS build (dist/node.cjs).
  const msgpackrRoot = dirname(dirname(require.resolve('msgpackr')));
  await build({
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    entryPoints: [join(dir, 'dist', 'server-snapshot.js')],
    outfile: script,
    // @mpts/proxy from its modules, and msgpackr's ES module build, both bundled.
    alias: {
      '@mpts/proxy/wire': join(root, 'packages', 'proxy', 'dist', 'wire.js'),
      '@mpts/proxy': join(root, 'packages', 'proxy', 'dist', 'index.js'),
      'msgpackr/pack': join(msgpackrRoot, 'index.js'),
      // The module that holds msgpackr's setExtractor (native-string-extractor.ts).
      'msgpackr/set-extractor': join(msgpackrRoot, 'unpack.js'),
    },
    // No module of the server may use its own path at run time: this one is the build's.
    define: { 'import.meta.url': '__mptsModuleUrl' },
    banner: { js: "var __mptsModuleUrl = 'file:///mpts-server-snapshot.cjs';" },
    logLevel: 'warning',
  });
  const { SERVER_V8_FLAGS } = await import(pathToFileURL(join(dir, 'dist', 'server-v8-flags.js')).href);
  const blob = join(dir, 'bundle', `server-snapshot.${process.version}-${process.arch}.blob`);
  try {
    // Node warns that some built-in modules are "not yet fully verified" in a snapshot; the
    // tests run every Manager.start() from it, so its output is shown only if the build fails.
    execFileSync(process.execPath, [...SERVER_V8_FLAGS, '--snapshot-blob', blob, '--build-snapshot', script], { stdio: 'pipe' });
  } catch (error) {
    process.stderr.write(error.stderr ?? '');
    throw error;
  }
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
