import { createRequire } from 'node:module';
import type * as Tls from 'node:tls';

const require = createRequire(import.meta.url);

/**
 * Node's `tls` module, loaded when first used. Loading it compiles a dozen of Node's internal
 * modules: a cost every manager server and Process child would pay at start, though most never
 * speak TLS.
 */
export function nodeTls(): typeof Tls {
  return require('node:tls') as typeof Tls;
}
