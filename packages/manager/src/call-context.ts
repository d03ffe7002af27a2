import type { ClientSession } from './client-session.js';

/**
 * The call a servant method is serving: which client asked, under which request id. Servant
 * methods read it (synchronously, at their start) when they need to know who holds a lock or
 * who waits; most never do, so it is not a parameter of every method.
 */
export interface CallContext {
  readonly client: ClientSession;
  readonly requestId: number;
}

let current: CallContext | undefined;

/** Runs a servant method as `call`. */
export function runAsCall<T>(call: CallContext, method: () => T): T {
  const outer = current;
  current = call;
  try {
    return method();
  } finally {
    current = outer;
  }
}

/** Calls `method` on `servant` with `args` as `call`; `runAsCall` without a closure, for the hot path. */
export function applyAsCall(call: CallContext, method: Function, servant: unknown, args: unknown[]): unknown {
  const outer = current;
  current = call;
  try {
    return method.apply(servant, args);
  } finally {
    current = outer;
  }
}

/** The call being served. Only valid in the synchronous part of a servant method. */
export function currentCall(): CallContext {
  if (current === undefined) throw new Error('currentCall() used outside a servant call');
  return current;
}
