import { MptsError } from '@mpts/proxy';

/**
 * A lock (or permits) this process held was lost: its lease lapsed because the process stopped
 * renewing it (its event loop was blocked or the process was stopped for longer than the
 * lease), and another holder may have taken it since. What the lock guarded may have been
 * changed by that holder: use the fencing token (`lock.token`) where that matters.
 */
export class LockLostError extends MptsError {}
