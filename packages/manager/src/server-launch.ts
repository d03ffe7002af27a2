import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_V8_FLAGS } from './server-v8-flags.js';
import { tsxLoader } from './tsx-loader.js';

/** How `Manager.start()` forks the manager server: which file, with which Node flags. */
export interface ServerLaunch {
  readonly entry: string;
  readonly execArgv: string[];
  /** Whether the server starts from the build's V8 startup snapshot, which a Node may refuse. */
  readonly fromSnapshot: boolean;
}

/**
 * Node's exit code when it cannot use a startup snapshot (one made by another Node, or under
 * other V8 flags): before the server ran anything.
 */
export const SNAPSHOT_REFUSED_EXIT_CODE = 14;

const thisFile = fileURLToPath(import.meta.url);
const here = dirname(thisFile);
/** The server as modules: the one that can import the user's modules, whose classes they share. */
const moduleServer = join(here, `server-main${extname(thisFile)}`);
/**
 * The server in one file, compiled from V8's code cache (server-standalone.ts). It carries its
 * own copy of mpts's classes, so it serves no user module. It exists beside the package bundles
 * only, as does the snapshot.
 */
const standaloneServer = join(here, 'server-standalone.cjs');
/**
 * The server as a V8 startup snapshot (server-snapshot.ts), which starts fastest: made by the
 * build for the Node that ran it, and named after that Node.
 */
const snapshotScript = join(here, 'server-snapshot.cjs');
const snapshotBlob = join(here, `server-snapshot.${process.version}-${process.arch}.blob`);

let standaloneExists: boolean | undefined;
let snapshotUsable: boolean | undefined;

/**
 * The fastest server that can serve: from the snapshot when there is one for this Node, else
 * the one-file server, and the server as modules when the user's modules must be imported
 * (registered types, an initializer).
 */
export function serverLaunch(userModules: readonly string[]): ServerLaunch {
  if (userModules.length === 0) {
    // A V8 option in NODE_OPTIONS, which the server inherits, would make Node refuse the snapshot.
    snapshotUsable ??= !process.env.NODE_OPTIONS && existsSync(snapshotBlob);
    if (snapshotUsable) {
      // Node runs the snapshot's main function; the script only names the process in `ps`.
      return { entry: snapshotScript, execArgv: [...SERVER_V8_FLAGS, '--snapshot-blob', snapshotBlob], fromSnapshot: true };
    }
    standaloneExists ??= existsSync(standaloneServer);
    if (standaloneExists) return { entry: standaloneServer, execArgv: [...SERVER_V8_FLAGS], fromSnapshot: false };
  }
  // From source (tests), the server needs a loader, and so does a TypeScript module it imports.
  const typeScript = extname(thisFile) === '.ts' || userModules.some((m) => /\.[cm]?tsx?$/.test(m));
  return { entry: moduleServer, execArgv: [...SERVER_V8_FLAGS, ...(typeScript ? ['--import', tsxLoader()] : [])], fromSnapshot: false };
}

/** This Node refused the snapshot: the servers this process starts from now on do without it. */
export function snapshotRefused(): void {
  snapshotUsable = false;
}
