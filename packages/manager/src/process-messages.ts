import type { SerializedError } from './serialized-error.js';

/** What a child needs, besides the authkey, to connect to a manager as its parent does. */
export interface PortableConnection {
  readonly maxFrameSize?: number;
  /** Plain data only (functions and secure contexts are left out); bytes stay bytes. */
  readonly tls?: Record<string, unknown>;
}

/** What a `Process` and its child say to each other over the fork's IPC channel. */
export interface ChildStart {
  readonly kind: 'start';
  readonly name: string;
  /** URL of the module that exports the target. */
  readonly module: string;
  /** The target's export name. */
  readonly exportName: string;
  /** Python's `daemon`: the child ends when this process goes, and may not start children. */
  readonly daemon: boolean;
  /**
   * The arguments, msgpack-encoded while spawning (so shared memory may travel too); absent for
   * none, so that a child without arguments loads no codec before its target.
   */
  readonly args?: Uint8Array;
  /**
   * Whether the arguments hold objects of another package's transfer handler (shared memory):
   * the child loads mpts's packages, which register those handlers, before it decodes them.
   */
  readonly carriesTransfers: boolean;
  /** Authkeys of the managers whose proxies are in the arguments: [address, base64]. */
  readonly authkeys: readonly (readonly [string, string])[];
  /**
   * How to reach those managers besides the authkey: the frame limit and, for a manager served
   * over TLS, the plain-data TLS options (CA, servername, client certificate...). They come
   * here, over the IPC channel, never on the command line.
   */
  readonly connections?: readonly (readonly [string, PortableConnection])[];
}

export type ChildReport =
  /** The child rebuilt its arguments (its proxies are counted): the parent may go on. */
  | { readonly kind: 'ready' }
  /** The target threw, or the child could not start it. */
  | { readonly kind: 'error'; readonly error: SerializedError; readonly beforeReady: boolean };
