/**
 * Clients of a servant without a server or processes: a servant method is called as one
 * client's call, and a client goes away the way the server ends a connection (its waits
 * dropped first, then each holding told whether the client was lost).
 */
import { Socket } from 'node:net';
import { afterEach } from 'vitest';
import { runAsCall } from '../../src/call-context.js';
import { ClientSession } from '../../src/client-session.js';

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

/** A client connection, as the server makes one per socket. */
export function client(): ClientSession {
  const socket = new Socket();
  sockets.push(socket);
  return new ClientSession(socket);
}

let nextRequest = 1;

/** Calls `method` as a call of `who`, as the server dispatches it. */
export function as<T>(who: ClientSession, method: () => T): T {
  return runAsCall({ client: who, requestId: nextRequest++ }, method);
}

/** A pending call's outcome, readable without awaiting it. */
export interface Tracked<T> {
  readonly promise: Promise<T>;
  readonly settled: { done: boolean; value?: T; error?: unknown };
}

/** Calls a method that may block, tracking when and how it settles. */
export function track<T>(who: ClientSession, method: () => T | Promise<T>): Tracked<T> {
  const promise = Promise.resolve(as(who, method));
  const settled: Tracked<T>['settled'] = { done: false };
  promise.then(
    (value) => Object.assign(settled, { value, done: true }),
    (error: unknown) => Object.assign(settled, { error, done: true }),
  );
  return { promise, settled };
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/**
 * `who`'s connection ends, in the server's order: closed, waits dropped, holdings told.
 * `lost`: it ended without the client's goodbye (killed, crashed).
 */
export function goAway(who: ClientSession, lost: boolean): void {
  who.closed = true;
  for (const wait of [...who.waits.values()]) wait.drop();
  for (const holding of [...who.holdings]) holding.clientGone(who, lost);
  who.holdings.clear();
}
