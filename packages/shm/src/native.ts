import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's functions (native/shm.cc). */
export interface NativeShm {
  create(name: string, size: number): SharedArrayBuffer;
  attach(name: string): SharedArrayBuffer;
  unlink(name: string): boolean;
  wait(sab: SharedArrayBuffer, byteOffset: number, expected: number, timeoutMs: number): WaitResult;
  wake(sab: SharedArrayBuffer, byteOffset: number, count: number): number;
  waitAsync(sab: SharedArrayBuffer, byteOffset: number, expected: number, timeoutMs: number,
    callback: (result: WaitResult) => void): void;
  pidAlive(pid: number): boolean;
}

/** 0: woken (or spuriously), 1: the word did not hold the expected value, 2: timed out. */
export type WaitResult = 0 | 1 | 2;
export const WAIT_OK = 0;
export const WAIT_NOT_EQUAL = 1;
export const WAIT_TIMED_OUT = 2;

/** src/ and dist/ both sit one level below the package root, beside prebuilds/ and build/. */
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** What a user runs to get the addon built, in the words of both package managers. */
export const rebuildAdvice =
  'To build it (needs python3, make and a C++ compiler): npm rebuild @mpts/shm; with pnpm: ' +
  'pnpm approve-builds, then pnpm rebuild @mpts/shm';

/** Why no build from source is here: what the install script recorded (scripts/build-addon.mjs). */
function installScriptOutcome(): string {
  try {
    const status = JSON.parse(readFileSync(join(packageDir, 'build', 'mpts-build-status.json'), 'utf8')) as
      { built?: boolean; reason?: string };
    return status.reason ? `the install script could not build it: ${status.reason}` : '';
  } catch {
    return 'nothing was built from source here: the install script builds only when no prebuilt ' +
      'binary loads under the Node that runs it, and pnpm and npm 11 run it only once it is ' +
      'approved (npm install --ignore-scripts, never)';
  }
}

interface Loaded {
  native: NativeShm | undefined;
  reason: string;
  /** Whether building the addon would help (not on another platform, nor when turned off). */
  buildable: boolean;
}

function load(): Loaded {
  if (process.platform !== 'linux') {
    return { native: undefined, reason: `only Linux is supported, this is ${process.platform}`, buildable: false };
  }
  if (process.env.MPTS_SHM_NO_ADDON) {
    return { native: undefined, reason: 'the MPTS_SHM_NO_ADDON environment variable is set', buildable: false };
  }
  // node-gyp-build takes build/Release if there is one (a build from source, made here), else
  // the prebuilt binary for this platform, architecture, C library and Node ABI.
  const nodeGypBuild = createRequire(import.meta.url)('node-gyp-build') as (dir: string) => unknown;
  try {
    return { native: nodeGypBuild(packageDir) as NativeShm, reason: '', buildable: false };
  } catch (error) {
    const loaderError = (error as Error).message.trim().replace(/\s*\n\s*/g, ' ');
    const outcome = installScriptOutcome();
    return {
      native: undefined,
      reason: `the native addon did not load (${loaderError})${outcome ? `; ${outcome}` : ''}. ${rebuildAdvice}`,
      buildable: true,
    };
  }
}

const loaded = load();

/** The addon, when it is built and loads on this platform. */
export const native: NativeShm | undefined = loaded.native;

/** Why the addon is not available ('' when it is). */
export const nativeUnavailableReason: string = loaded.reason;

let warned = false;

/**
 * Says once, at the first shared-memory object, that objects will not reach other processes
 * because the addon is missing where it could be built, and how to build it. Not said where
 * that is the expected state (another platform, MPTS_SHM_NO_ADDON).
 */
export function warnOnceIfAddonMissing(): void {
  if (warned || !loaded.buildable) return;
  warned = true;
  process.emitWarning(`@mpts/shm: shared memory will reach only this process and its worker_threads, ` +
    `not child processes: ${nativeUnavailableReason}`, { code: 'MPTS_SHM_NO_ADDON' });
}
