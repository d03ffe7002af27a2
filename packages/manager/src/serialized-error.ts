import { rebuildError } from '@mpts/proxy/wire';

/**
 * An error thrown in a child process (a manager's server that could not start, a `Process`
 * target), as it crosses the IPC channel to the parent: the channel carries plain data only.
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
}

/** What the child sends for anything it caught; a thrown non-Error is an `Error` of its text. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error), stack: undefined };
}

/** The parent's error for what the child sent: its class if mpts knows it, with the child's stack. */
export function deserializeError(error: SerializedError): Error {
  return rebuildError(error.name, error.message, error.stack);
}
