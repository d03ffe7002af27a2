/**
 * mpts's internals shared with the manager package: protocol, codec, framing, authentication,
 * connections. Not a user API; it changes with the protocol.
 */
export * from './address.js';
export * from './auto-proxy.js';
export * from './auth.js';
export * from './codec.js';
export * from './codec-context.js';
export * from './connection.js';
export * from './connection-pool.js';
export * from './errors.js';
export * from './frame-writer.js';
export * from './framing.js';
export * from './protocol.js';
export * from './proxy-types.js';
export * from './python-repr.js';
export * from './transfer.js';
export * from './tls-options.js';
