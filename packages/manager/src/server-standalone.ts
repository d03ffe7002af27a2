/**
 * The entry of the manager server that `Manager.start()` forks when the server imports none of
 * the user's modules; it exists in the package bundle only (scripts/bundle.mjs). The server
 * itself (server-main.ts) is bundled in one CommonJS file, run here from V8's code cache that
 * the build made by starting this server and making calls to it (`--write-code-cache`).
 */
import { fileURLToPath } from 'node:url';
import { runCommonJs } from './code-cache.js';

const server = runCommonJs(fileURLToPath(new URL('./server-standalone-main.cjs', import.meta.url)));
if (process.argv[2] === '--write-code-cache') process.once('exit', () => server.writeCodeCache());
