/**
 * The manager server process's entry point, forked by `Manager.start()`.
 *
 * It takes its settings over the fork's IPC channel (so the authkey is never on a command
 * line), listens on a Unix socket in a fresh private directory, and sends the address back.
 * The IPC channel is used for nothing else, except to notice the parent's death: when it
 * disconnects (the parent exited or was killed), the server shuts down and removes its socket.
 * Before it makes its own socket directory, it removes those of servers killed with their parent
 * (socket-dir.ts).
 */
import { ManagerServer } from './serve.js';
import { makeSocketDir, removeSocketDir, removeStaleSocketDirs } from './socket-dir.js';
import type { ServerReady, ServerStartup } from './server-startup.js';

// Like Python's manager process: Ctrl-C in a terminal reaches the whole process group, and the
// parent, not the manager, decides when the manager ends.
process.on('SIGINT', () => {});

let socketPath: string | undefined;
let server: ManagerServer | undefined;
let stopping = false;

function removeOwnSocketDir(): void {
  removeSocketDir(socketPath);
  socketPath = undefined;
}

async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  removeOwnSocketDir();
  await server?.close();
  process.exit(code);
}

process.on('exit', removeOwnSocketDir);
process.on('SIGTERM', () => void stop(0));
process.on('disconnect', () => void stop(0));

process.once('message', (message: ServerStartup) => {
  start(message).catch((error: Error) => {
    process.send?.({ error: error.stack ?? String(error) } satisfies ServerReady);
    void stop(1);
  });
});

async function start(startup: ServerStartup): Promise<void> {
  removeStaleSocketDirs();
  socketPath = makeSocketDir();
  // The same server as Manager.serve(), on a private socket; it imports the user's modules that
  // register shared types first, so their factories run here.
  server = await ManagerServer.start({
    path: socketPath,
    authkey: Buffer.from(startup.authkey, 'base64'),
    register: startup.register,
    manager: startup.manager,
    maxFrameSize: startup.maxFrameSize,
    handshakeTimeout: startup.handshakeTimeout,
    heartbeatInterval: startup.heartbeatInterval,
    heartbeatTimeout: startup.heartbeatTimeout,
  });
  // A client's shutdown command closes the server; then this process ends.
  void server.closed.then(() => stop(0));
  process.send?.({ address: server.address } satisfies ServerReady);
}
