/**
 * mpts's internals shared by the manager package: protocol, codec, framing, authentication.
 * Not a user API; it changes with the protocol.
 */
export * from './codec.js';
export * from './errors.js';
export * from './transfer.js';
