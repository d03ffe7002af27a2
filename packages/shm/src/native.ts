import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';

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

function load(): { native: NativeShm | undefined; reason: string } {
  if (process.platform !== 'linux') {
    return { native: undefined, reason: `only Linux is supported, this is ${process.platform}` };
  }
  if (process.env.MPTS_SHM_NO_ADDON) {
    return { native: undefined, reason: 'the MPTS_SHM_NO_ADDON environment variable is set' };
  }
  // src/ and dist/ both sit one level below the package root, beside build/.
  const addonUrl = new URL('../build/Release/mpts_shm.node', import.meta.url);
  if (!existsSync(addonUrl)) {
    let reason = 'the native addon was not built';
    try {
      const status = JSON.parse(readFileSync(new URL('../build/mpts-build-status.json',
        import.meta.url), 'utf8')) as { reason?: string };
      if (status.reason) reason += `: ${status.reason}`;
    } catch {
      // no status: the install script did not run
    }
    return { native: undefined, reason };
  }
  try {
    return { native: createRequire(import.meta.url)(addonUrl.pathname) as NativeShm, reason: '' };
  } catch (error) {
    return { native: undefined, reason: `the native addon failed to load: ${(error as Error).message}` };
  }
}

const loaded = load();

/** The addon, when it is built and loads on this platform. */
export const native: NativeShm | undefined = loaded.native;

/** Why the addon is not available ('' when it is). */
export const nativeUnavailableReason: string = loaded.reason;
