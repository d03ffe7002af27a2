// The package's install script. The addon ships prebuilt for linux-x64 and the Node majors in
// prebuilds/ (scripts/prebuild.mjs); if one of them loads under the Node running this script,
// there is nothing to do. Otherwise it builds the addon from source with node-gyp, found as npm
// and pnpm provide it, against the headers of an installed Node (it never downloads any). A
// build that cannot be done leaves a warning and a record of why (build/mpts-build-status.json),
// and the install still succeeds: @mpts/shm then works within one process and across
// worker_threads, and says so at its first shared-memory object.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findInstalledNodeDir, nodeDirCandidates } from './node-headers.mjs';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(packageDir, 'build');
const statusFile = join(buildDir, 'mpts-build-status.json');
const requireHere = createRequire(join(packageDir, 'package.json'));

const fixCommands =
  'Once they are there, run "npm rebuild @mpts/shm" (with pnpm: "pnpm approve-builds", then ' +
  '"pnpm rebuild @mpts/shm")';

function warn(reason) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(statusFile, JSON.stringify({ built: false, reason }) + '\n');
  console.warn(
    `\n@mpts/shm: WARNING: the shared-memory addon was not built (${reason}).\n` +
      `No prebuilt binary matches Node ${process.version} on ${process.platform}-${process.arch}, ` +
      `so @mpts/shm will share Value/Array objects within one process and across worker_threads ` +
      `only; passing one to a child process will raise an error. Building the addon needs Linux, ` +
      `python3, make and a C++ compiler. ${fixCommands}. Or use a manager's value()/array().\n`,
  );
}

/**
 * Whether the addon loads in a fresh Node like this one, through node-gyp-build; with
 * `prebuildsOnly`, ignoring build/. A child process, so that a binary that crashes on load
 * cannot take the install down with it.
 */
function addonLoads({ prebuildsOnly }) {
  let loader;
  try {
    loader = requireHere.resolve('node-gyp-build');
  } catch {
    return false;
  }
  const env = { ...process.env };
  if (prebuildsOnly) env.PREBUILDS_ONLY = '1';
  else delete env.PREBUILDS_ONLY;
  const result = spawnSync(process.execPath,
    ['-e', `require(${JSON.stringify(loader)})(${JSON.stringify(packageDir)})`],
    { env, stdio: 'ignore' });
  return result.status === 0;
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).filter(Boolean)
    .map((dir) => join(dir, command)).find(isExecutable);
}

/**
 * node-gyp, as a command line: npm names its own in npm_config_node_gyp (a .js file), pnpm puts
 * one on PATH for lifecycle scripts, and a developer of mpts has the package's devDependency.
 */
function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) {
    return fromNpm.endsWith('.js') ? [process.execPath, fromNpm] : [fromNpm];
  }
  const fromPath = onPath('node-gyp');
  if (fromPath) return [fromPath];
  try {
    return [process.execPath, requireHere.resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    return undefined;
  }
}

function main() {
  if (process.platform !== 'linux') return warn(`${process.platform} is not supported, only Linux`);
  if (addonLoads({ prebuildsOnly: true })) {
    // A build from source, made for another Node, would be picked before the prebuilt binary.
    if (existsSync(join(buildDir, 'Release')) && !addonLoads({ prebuildsOnly: false })) {
      rmSync(buildDir, { recursive: true, force: true });
    }
    return;
  }
  if (process.env.MPTS_SHM_SKIP_BUILD) return warn('MPTS_SHM_SKIP_BUILD is set');
  const nodedir = findInstalledNodeDir();
  if (!nodedir) {
    return warn(`no headers of Node ${process.version} found (looked in ${nodeDirCandidates().join(', ')})`);
  }
  const compiler = process.env.CXX ? process.env.CXX.split(' ')[0] : 'g++';
  if (!onPath(compiler) && !existsSync(compiler)) {
    return warn(`no C++ compiler: ${compiler} is not on PATH`);
  }
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) return warn('node-gyp was not found (npm_config_node_gyp, PATH, or installed here)');
  rmSync(statusFile, { force: true });
  const [command, ...args] = nodeGyp;
  const result = spawnSync(command, [...args, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=warn'], {
    cwd: packageDir,
    stdio: 'inherit',
    env: { ...process.env, npm_config_nodedir: nodedir },
  });
  if (result.status !== 0 || !addonLoads({ prebuildsOnly: false })) {
    return warn(`node-gyp ${result.error ? `did not start: ${result.error.message}` :
      result.status === 0 ? 'built an addon that does not load' : `exited with ${result.status ?? result.signal}`}`);
  }
  writeFileSync(statusFile, JSON.stringify({ built: true, nodedir }) + '\n');
}

try {
  main();
} catch (error) {
  // Whatever went wrong, the install goes on: the package works without the addon, and says so.
  warn(`the install script failed: ${error.message}`);
}
