// Builds mpts's shared-memory addon from source with node-gyp, against the headers of the Node
// that runs this script. Never downloads anything: headers come from a local Node installation
// (npm's `nodedir`, the running Node's own prefix, /usr or /usr/local). If the build cannot be
// done, the install still succeeds and @mpts/shm works within one process and across
// worker_threads only, saying why when an object is passed to a child process.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const statusFile = join(packageDir, 'build', 'mpts-build-status.json');

function warn(reason) {
  mkdirSync(dirname(statusFile), { recursive: true });
  writeFileSync(statusFile, JSON.stringify({ built: false, reason }) + '\n');
  console.warn(
    `\n@mpts/shm: WARNING: the shared-memory addon was not built (${reason}).\n` +
      `@mpts/shm will share Value/Array objects within one process and across worker_threads ` +
      `only; passing one to a child process will raise an error. To share state with other ` +
      `processes, build the addon (needs Linux, python3, make and a C++ compiler: run ` +
      `"npm run install" in packages/shm) or use a manager's value()/array().\n`,
  );
}

function headersMatch(dir) {
  const versionHeader = join(dir, 'include', 'node', 'node_version.h');
  if (!existsSync(versionHeader) || !existsSync(join(dir, 'include', 'node', 'v8.h'))) return false;
  const text = readFileSync(versionHeader, 'utf8');
  const part = (name) => text.match(new RegExp(`#define ${name} (\\d+)`))?.[1];
  const version = `v${part('NODE_MAJOR_VERSION')}.${part('NODE_MINOR_VERSION')}.${part('NODE_PATCH_VERSION')}`;
  return version === process.version;
}

function findNodeDir() {
  const candidates = [
    process.env.npm_config_nodedir,
    process.env.MPTS_NODEDIR,
    join(dirname(process.execPath), '..'),
    '/usr',
    '/usr/local',
  ].filter(Boolean);
  return candidates.find(headersMatch);
}

function findNodeGyp() {
  try {
    return createRequire(join(packageDir, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    // npm ships its own node-gyp; pnpm puts one on PATH for lifecycle scripts.
    const bundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm',
      'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    return existsSync(bundled) ? bundled : undefined;
  }
}

function main() {
  if (process.env.MPTS_SHM_SKIP_BUILD) return warn('MPTS_SHM_SKIP_BUILD is set');
  if (process.platform !== 'linux') return warn(`${process.platform} is not supported, only Linux`);
  const nodedir = findNodeDir();
  if (!nodedir) {
    return warn(`no Node ${process.version} headers found (looked in npm's nodedir, ` +
      `${join(dirname(process.execPath), '..')}, /usr and /usr/local)`);
  }
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) return warn('node-gyp is not installed');
  rmSync(statusFile, { force: true });
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=warn'], {
    cwd: packageDir,
    stdio: 'inherit',
    env: { ...process.env, npm_config_nodedir: nodedir },
  });
  if (result.status !== 0 || !existsSync(join(packageDir, 'build', 'Release', 'mpts_shm.node'))) {
    return warn(`node-gyp exited with ${result.status ?? result.signal}`);
  }
  writeFileSync(statusFile, JSON.stringify({ built: true, nodedir }) + '\n');
}

main();
