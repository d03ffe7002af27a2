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
  /** URLs of the modules that register the user's shared types. */
  readonly register: readonly string[];
  /** The name of the manager class whose registered types to serve (see register.ts). */
  readonly manager?: string | undefined;
}

export type ServerReady = { readonly address: string } | { readonly error: string };
