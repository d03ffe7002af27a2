/**
 * mpts's internals shared with the manager and shared-memory packages: protocol, codec, framing,
 * authentication, connections, and Python's rules (typecodes, slices, type names). Not a user
 * API; it changes with the protocol.
 */
export * from './address.js';
export * from './array-items.js';
export * from './auto-proxy.js';
export * from './auth.js';
export * from './codec.js';
export * from './codec-context.js';
export * from './connection.js';
export * from './connection-pool.js';
export * from './errors.js';
export * from './exposed-methods.js';
export * from './frame-reader.js';
export * from './frame-writer.js';
export * from './framing.js';
export * from './is-iterable.js';
export * from './large-frame-buffers.js';
export * from './process-liveness.js';
export * from './protocol.js';
export * from './proxy-types.js';
export * from './python-compare.js';
export * from './python-float.js';
export * from './python-repeat.js';
export * from './python-address.js';
export * from './python-repr.js';
export * from './python-numbers.js';
export * from './python-slice.js';
export * from './python-ssize.js';
export * from './python-type-name.js';
export * from './transfer.js';
export * from './timeout-seconds.js';
export * from './node-tls.js';
export * from './tls-options.js';
export * from './typecode-facts.js';
export * from './typecode-ranges.js';
export * from './item-limit.js';
export * from './backend.js';
export type { DebugInfo } from './debug-info.js';
