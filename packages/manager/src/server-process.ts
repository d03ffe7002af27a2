/**
 * The manager server process that `Manager.start()` forks, whichever way it starts: from its
 * modules (server-main.ts), from the one-file bundle and its code cache (server-standalone.ts),
 * or from V8's startup snapshot (server-snapshot.ts).
 *
 * It takes its settings over the fork's IPC channel (so the authkey is never on a command
 * line), listens on a Unix socket in a fresh private directory, and sends the address back.
 * The IPC channel is used for nothing else, except to notice the parent's death: when it
 * disconnects (the parent exited or was killed), the server shuts down and removes its socket.
 * Before it makes its own socket directory, it removes those of servers killed with their parent
 * (socket-dir.ts).
 */
import { InitializerFailed, runInitializer } from './initializer.js';
import { ManagerServer } from './serve.js';
import { makeSocketDir, removeSocketDir, removeStaleSocketDirs } from './socket-dir.js';
import { serializeError } from './serialized-error.js';
import type { ServerReady, ServerStartup } from './server-startup.js';

let socketPath: string | undefined;
let server: ManagerServer | undefined;
let stopping = false;

export interface ServerProcessHooks {
  /** Runs once the server listens and its parent was told where. */
  onReady?: () => void;
}

/** Makes this process the manager server: it serves once its parent sends the settings. */
export function runServerProcess(hooks: ServerProcessHooks = {}): void {
  // Like Python's manager process: Ctrl-C in a terminal reaches the whole process group, and the
  // parent, not the manager, decides when the manager ends.
  process.on('SIGINT', () => {});
  process.on('exit', removeOwnSocketDir);
  process.on('SIGTERM', () => void stop(0));
  process.on('disconnect', () => void stop(0));
  process.once('message', (message: ServerStartup) => {
    start(message).then(hooks.onReady).catch((error: unknown) => {
      // The parent must hear why before this process ends (the callback comes once it was sent,
      // or could not be).
      if (process.send === undefined || !process.connected) void stop(1);
      else process.send(failure(error), undefined, {}, () => void stop(1));
    });
  });
}

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

async function start(startup: ServerStartup): Promise<void> {
  removeStaleSocketDirs();
  if (startup.initializer !== undefined) {
    // As in Python, the user's modules load first, then the initializer runs before the server
    // exists: nothing is served before it returns, and if it throws there is no socket to leave.
    for (const module of startup.register) await import(module);
    await runInitializer(startup.initializer);
  }
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
    pythonClients: startup.pythonClients,
  });
  // CPython's clients reach a manager by (host, port) only: the same server listens there too.
  let pythonPort: number | undefined;
  if (startup.pythonClients) {
    const bound = (await server.server.listen({ host: '127.0.0.1', port: 0 })).address();
    pythonPort = typeof bound === 'object' && bound !== null ? bound.port : undefined;
  }
  // A client's shutdown command closes the server; then this process ends.
  void server.closed.then(() => stop(0));
  process.send?.({ address: server.address, pythonPort } satisfies ServerReady);
}

function failure(error: unknown): ServerReady {
  if (error instanceof InitializerFailed) {
    return { error: error.message, initializer: { exportName: error.exportName, thrown: serializeError(error.thrown) } };
  }
  return { error: error instanceof Error ? (error.stack ?? String(error)) : String(error) };
}
