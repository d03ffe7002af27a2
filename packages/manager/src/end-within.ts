import type { Socket } from 'node:net';

/**
 * Ends a connection after what was written to it, or destroys it if that does not leave
 * within a second (a client that reads nothing must not keep its socket open).
 */
export function endWithin(socket: Socket): void {
  socket.end();
  socket.destroySoon();
  setTimeout(() => socket.destroy(), 1000).unref();
}
