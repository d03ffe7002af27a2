/**
 * The manager server process's entry point, forked by `Manager.start()`.
 *
 * It takes its settings over the fork's IPC channel (so the authkey is never on a command
 * line), listens on a Unix socket in a fresh private directory, and sends the address back.
 * The IPC channel is used for nothing else, except to notice the parent's death: when it
 * disconnects (the parent exited or was killed), the server shuts down and removes its socket.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinTypes } from './builtin-types.js';
import { applyRegistrations } from './register.js';
import { Server } from './server.js';
import type { ServerStartup, ServerReady } from './server-startup.js';

// Like Python's manager process: Ctrl-C in a terminal reaches the whole process group, and the
// parent, not the manager, decides when the manager ends.
process.on('SIGINT', () => {});

let socketDir: string | undefined;
let server: Server | undefined;
let stopping = false;

function removeSocketDir(): void {
  if (socketDir !== undefined) rmSync(socketDir, { recursive: true, force: true });
  socketDir = undefined;
}

async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  removeSocketDir();
  await server?.close();
  process.exit(code);
}

process.on('exit', removeSocketDir);
process.on('SIGTERM', () => void stop(0));
process.on('disconnect', () => void stop(0));

process.once('message', (message: ServerStartup & { register?: string[] }) => {
  start(message).catch((error: Error) => {
    process.send?.({ error: error.stack ?? String(error) } satisfies ServerReady);
    void stop(1);
  });
});

async function start(startup: ServerStartup & { register?: string[] }): Promise<void> {
  // The user's modules that register shared types: their factories run here, in the server.
  for (const module of startup.register ?? []) await import(module);
  const types = builtinTypes();
  applyRegistrations(types);
  server = new Server({
    authkey: Buffer.from(startup.authkey, 'base64'),
    types,
    maxFrameSize: startup.maxFrameSize,
    handshakeTimeout: startup.handshakeTimeout,
  });
  server.onShutdownRequested = () => void stop(0);
  socketDir = mkdtempSync(join(tmpdir(), 'mpts-'));
  const address = join(socketDir, 'manager.sock');
  await server.listen({ path: address });
  process.send?.({ address } satisfies ServerReady);
}
