/**
 * Which manager connection the codec is encoding for or decoding from, while it does.
 *
 * A token names its manager by address, but a manager knows itself under many names (a Unix
 * path, `tcp://localhost:…`, an address seen through NAT). So a token for the very manager on
 * the other end of the connection travels with the address `SELF_ADDRESS`, and the receiving
 * side fills in the name it knows that manager by. Encoding and decoding are synchronous, so
 * a module variable set around them is enough.
 */
let current: string | undefined;

export function withCodecConnection<T>(address: string, work: () => T): T {
  const outer = current;
  current = address;
  try {
    return work();
  } finally {
    current = outer;
  }
}

/**
 * `withCodecConnection` without a closure, for the hot path: sets the address and returns the
 * one it replaces, which the caller restores in a `finally`.
 */
export function swapCodecConnection(address: string | undefined): string | undefined {
  const outer = current;
  current = address;
  return outer;
}

/** The address of the manager connection being encoded for or decoded from, if any. */
export function codecConnectionAddress(): string | undefined {
  return current;
}
