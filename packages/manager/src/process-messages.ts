/** What a `Process` and its child say to each other over the fork's IPC channel. */
export interface ChildStart {
  readonly kind: 'start';
  readonly name: string;
  /** URL of the module that exports the target. */
  readonly module: string;
  /** The target's export name. */
  readonly exportName: string;
  /** The arguments, msgpack-encoded while spawning (so shared memory may travel too). */
  readonly args: Uint8Array;
  /** Authkeys of the managers whose proxies are in the arguments: [address, base64]. */
  readonly authkeys: readonly (readonly [string, string])[];
}

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
}

export type ChildReport =
  /** The child rebuilt its arguments (its proxies are counted): the parent may go on. */
  | { readonly kind: 'ready' }
  /** The target threw, or the child could not start it. */
  | { readonly kind: 'error'; readonly error: SerializedError; readonly beforeReady: boolean };
