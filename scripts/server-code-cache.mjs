// Makes V8's code cache of the standalone manager server (scripts/bundle.mjs): starts it as
// `Manager.start()` does, makes the calls a first user makes, shuts it down, and lets it write
// what V8 compiled meanwhile beside its bundle (packages/manager/src/code-cache.ts).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Manager } from '@mpts/manager';
import { SERVER_V8_FLAGS } from '../packages/manager/dist/server-v8-flags.js';

const entry = new URL('../packages/manager/bundle/server-standalone.cjs', import.meta.url).pathname;
const authkey = randomBytes(32);
// With the Node flags Manager.start() gives this server: V8 rejects a cache made under other
// flags, and the server would compile from source again.
const server = fork(entry, ['--write-code-cache'], { execArgv: [...SERVER_V8_FLAGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const exited = new Promise((resolve) => server.once('exit', resolve));
server.send({ authkey: authkey.toString('base64'), register: [] });
const ready = await new Promise((resolve, reject) => {
  server.once('message', resolve);
  server.once('exit', (code) => reject(new Error(`the manager server exited (${code}) before it served`)));
});
if ('error' in ready) throw new Error(ready.error);
const manager = await Manager.connect(ready.address, { authkey });
const d = await manager.dict();
await d.setItem('a', 1);
await d.getItem('a');
const l = await manager.list([1]);
await l.append(2);
await manager.shutdown();
// The channel's end is the parent going: the server shuts down and exits, writing the cache.
server.disconnect();
if ((await exited) !== 0) throw new Error('the manager server failed while making its code cache');
