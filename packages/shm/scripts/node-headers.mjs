// Finds the headers of an installed Node, to compile the addon against it without downloading
// anything: npm's `nodedir` setting, MPTS_NODEDIR, the running Node's own prefix, /usr or
// /usr/local (Debian's and NodeSource's packages put them there).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The Node version (`v20.20.2`) whose headers are in `dir`/include/node, if any. */
export function headersVersion(dir) {
  const versionHeader = join(dir, 'include', 'node', 'node_version.h');
  if (!existsSync(versionHeader) || !existsSync(join(dir, 'include', 'node', 'v8.h'))) return undefined;
  const text = readFileSync(versionHeader, 'utf8');
  const part = (name) => text.match(new RegExp(`#define ${name} (\\d+)`))?.[1];
  return `v${part('NODE_MAJOR_VERSION')}.${part('NODE_MINOR_VERSION')}.${part('NODE_PATCH_VERSION')}`;
}

/** The places looked in, in order. */
export function nodeDirCandidates() {
  return [
    process.env.npm_config_nodedir,
    process.env.MPTS_NODEDIR,
    join(dirname(process.execPath), '..'),
    '/usr',
    '/usr/local',
  ].filter(Boolean);
}

/** A directory with the headers of exactly the running Node, if one is installed. */
export function findInstalledNodeDir() {
  return nodeDirCandidates().find((dir) => headersVersion(dir) === process.version);
}
