/**
 * The entry point of a `Process` child. It waits for its start message, imports the target's
 * module (the user's main block stays behind `isMainModule`), rebuilds the arguments (proxies
 * count their own references on their manager, shared memory is mapped), reports ready, and
 * runs the target.
 *
 * Then it ends as the target's program would, as Python's child waits for its non-daemon
 * threads: once nothing is left to do (timers, servers, calls in flight), with exit code 0 (or
 * the `process.exitCode` the target set), 1 if the target threw. `process.exit()` in the target
 * still ends the child at once. When the event loop drains, mpts's connections close with their
 * goodbye (connection-pool.ts), so the manager sees a clean close and keeps what this child
 * holds (DESIGN D6); closing them as soon as the target returns would cut off work it left
 * running.
 */
import { markDaemonic } from './current-process.js';
import type { ChildReport, ChildStart } from './process-messages.js';

let ready = false;

process.once('message', (start: ChildStart) => {
  if (start.daemon) endWithParent();
  run(start).catch(async (error: unknown) => {
    process.exitCode = 1;
    const { serializeError } = await import('./serialized-error.js');
    const serialized = serializeError(error);
    process.stderr.write(`Process ${start.name}:\n${serialized.stack ?? `${serialized.name}: ${serialized.message}`}\n`);
    await report({ kind: 'error', error: serialized, beforeReady: !ready });
  });
});

async function run(start: ChildStart): Promise<void> {
  // A child loads no more of mpts than it needs before its target runs: nothing for a target
  // without arguments; the codec and the proxies (through proxies-in.ts) for arguments; the rest
  // of the packages only for arguments that need their handlers (shared memory). A target whose
  // module imports @mpts/manager loads it all anyway.
  if (start.carriesTransfers) await import('./index.js');
  const module = (await import(start.module)) as Record<string, unknown>;
  const target = module[start.exportName];
  if (typeof target !== 'function') {
    const { messages } = await import('@mpts/proxy/wire');
    throw new TypeError(messages.targetNotExported(start.exportName, start.module));
  }
  const args = start.args === undefined ? [] : await argumentsOf(start, start.args);
  ready = true;
  await report({ kind: 'ready' });
  await target(...args);
}

/** The target's arguments, decoded, with the proxies among them counted on their managers. */
async function argumentsOf(start: ChildStart, encoded: Uint8Array): Promise<unknown[]> {
  const [{ connectionPool, decode, standaloneCodecContext, tlsOptionsFromData }, { proxiesIn }] = await Promise.all([
    import('@mpts/proxy/wire'),
    import('./proxies-in.js'),
  ]);
  const connections = new Map(start.connections ?? []);
  for (const [address, authkey] of start.authkeys) {
    const { maxFrameSize, tls } = connections.get(address) ?? {};
    connectionPool.setOptions(address, {
      authkey: Buffer.from(authkey, 'base64'),
      ...(maxFrameSize === undefined ? {} : { maxFrameSize }),
      // A proxy of a manager served over TLS connects over TLS here too.
      ...(tls === undefined ? {} : { tls: tlsOptionsFromData(tls) }),
    });
  }
  const args = decode(Buffer.from(encoded), standaloneCodecContext) as unknown[];
  await Promise.all(proxiesIn(args).map((proxy) => proxy.ready));
  return args;
}

/**
 * A daemonic child goes when its parent does. The parent terminates it when it exits; a parent
 * that was killed cannot, but its end closes the IPC channel, and the child terminates itself
 * then (with SIGTERM, as the parent would have: the target's own handler may still act on it).
 */
function endWithParent(): void {
  markDaemonic();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  // Listening for 'disconnect' holds the channel; it must not keep the child alive.
  process.channel?.unref();
}

/** Sends a report to the parent; resolves once it is written, so that no exit can lose it. */
function report(message: ChildReport): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}
