import type { SerializedError } from './serialized-error.js';

/** What `Manager.start()` sends its server process over IPC, and what comes back. */
export interface ServerStartup {
  /** base64 */
  readonly authkey: string;
  readonly maxFrameSize?: number | undefined;
  /** Seconds. */
  readonly handshakeTimeout?: number | undefined;
  /** Seconds. */
  readonly heartbeatInterval?: number | undefined;
  /** Seconds. */
  readonly heartbeatTimeout?: number | undefined;
  /** Also listen on 127.0.0.1 (a free port) for CPython's manager clients. */
  readonly pythonClients?: boolean | undefined;
  /** URLs of the modules that register the user's shared types. */
  readonly register: readonly string[];
  /** The name of the manager class whose registered types to serve (see register.ts). */
  readonly manager?: string | undefined;
  /** The function to call before serving, if any. */
  readonly initializer?: InitializerStartup | undefined;
}

/** Where the server finds a manager's initializer, and its arguments. */
export interface InitializerStartup {
  /** URL of the module that exports it. */
  readonly module: string;
  readonly exportName: string;
  /** `initargs`, msgpack-encoded as `Process` arguments are, in base64 (the channel is JSON). */
  readonly args: string;
}

export type ServerReady =
  | { readonly address: string; readonly pythonPort?: number | undefined }
  /** The server could not start; `initializer` is what the initializer threw, if it was that. */
  | { readonly error: string; readonly initializer?: { readonly exportName: string; readonly thrown: SerializedError } };
