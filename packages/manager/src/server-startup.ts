/** What `Manager.start()` sends its server process over IPC, and what comes back. */
export interface ServerStartup {
  /** base64 */
  readonly authkey: string;
  readonly maxFrameSize?: number | undefined;
  readonly handshakeTimeout?: number | undefined;
}

export type ServerReady = { readonly address: string } | { readonly error: string };
