import { native, nativeUnavailableReason } from './native.js';

/**
 * Whether shm objects can reach other processes here (Linux, with the addon built), and why
 * not. Without it they still work within one process and across worker_threads.
 */
export const crossProcess: { readonly available: boolean; readonly reason: string } = Object.freeze({
  available: native !== undefined,
  reason: nativeUnavailableReason,
});
