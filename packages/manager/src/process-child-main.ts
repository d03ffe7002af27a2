/**
 * The entry point of a `Process` child. It waits for its start message, imports the target's
 * module (the user's main block stays behind `isMainModule`), rebuilds the arguments (proxies
 * count their own references on their manager, shared memory is mapped), reports ready, runs
 * the target, and exits: 0 when the target returns, 1 when it throws.
 */
import { closeAllConnections, decode, messages, setConnectionOptions, standaloneCodecContext, tlsOptionsFromData } from '@mpts/proxy/wire';
import './index.js';
import type { ChildReport, ChildStart, SerializedError } from './process-messages.js';
import { proxiesIn } from './proxies-in.js';

let ready = false;

process.once('message', (start: ChildStart) => {
  run(start).then(
    () => exit(0),
    (error: unknown) => {
      const serialized = serialize(error);
      process.stderr.write(`Process ${start.name}:\n${serialized.stack ?? `${serialized.name}: ${serialized.message}`}\n`);
      report({ kind: 'error', error: serialized, beforeReady: !ready });
      return exit(1);
    },
  );
});

async function run(start: ChildStart): Promise<void> {
  const connections = new Map(start.connections ?? []);
  for (const [address, authkey] of start.authkeys) {
    const { maxFrameSize, tls } = connections.get(address) ?? {};
    setConnectionOptions(address, {
      authkey: Buffer.from(authkey, 'base64'),
      ...(maxFrameSize === undefined ? {} : { maxFrameSize }),
      // A proxy of a manager served over TLS connects over TLS here too.
      ...(tls === undefined ? {} : { tls: tlsOptionsFromData(tls) }),
    });
  }
  const module = (await import(start.module)) as Record<string, unknown>;
  const target = module[start.exportName];
  if (typeof target !== 'function') throw new TypeError(messages.targetNotExported(start.exportName, start.module));
  const args = decode(Buffer.from(start.args), standaloneCodecContext) as unknown[];
  await Promise.all(proxiesIn(args).map((proxy) => proxy.ready));
  ready = true;
  report({ kind: 'ready' });
  await target(...args);
}

async function exit(code: number): Promise<void> {
  // Decrefs and last calls may still be queued: send them before the process ends.
  await closeAllConnections().catch(() => {});
  process.exit(code);
}

function report(message: ChildReport): void {
  process.send?.(message);
}

function serialize(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error), stack: undefined };
}
