#!/usr/bin/env node
/**
 * The `mpts` command:
 *
 *   mpts serve --host 0.0.0.0 --port 50000 --authkey-file key [--tls-cert cert.pem --tls-key key.pem]
 *              [--register ./my-types.js ... [--manager MyManager]] [--python-clients]
 *   mpts inspect tcp://host:50000 --authkey-file key [--tls-ca cert.pem] [--json]
 *   mpts inspect redis://[user:password@]host:6379/0[?prefix=mpts] [--tls-ca cert.pem] [--json]
 *
 * The authkey is read from a file (never from the command line, where `ps` shows it): its bytes,
 * exactly, as `Manager.serve({ authkeyFile })` and `Manager.connect(address, { authkeyFile })` read it.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Manager } from '@mpts/manager';
import { formatDebugInfo, jsonSafe } from './inspect.js';

const usage = `usage:
  mpts serve --port <port> --authkey-file <file> [--host <host>] [--tls-cert <pem> --tls-key <pem>]
             [--register <module>]... [--manager <class name>] [--max-frame-size <bytes>]
             [--handshake-timeout <seconds>] [--heartbeat-interval <seconds>] [--heartbeat-timeout <seconds>]
             [--python-clients]
  mpts inspect <address> --authkey-file <file> [--tls-ca <pem> | --tls] [--json]
  mpts inspect <redis url> [--tls-ca <pem>] [--json]

  <address> is tcp://host:port, tcp://[::1]:port, host:port, or a Unix socket path.
  <redis url> is redis://, rediss:// (TLS) or redis+sentinel:// (docs/scaling-out.md), with
  ?prefix= when the program uses another key prefix; it needs no authkey file.
  The authkey file holds the key's bytes, exactly: a trailing newline is part of the key
  (write it with printf %s, not echo). Ports, sizes and seconds are plain decimal numbers.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'serve') return serve(rest);
  if (command === 'inspect') return inspect(rest);
  process.stderr.write(`${command === undefined || command === '--help' || command === '-h' ? '' : `mpts: unknown command '${command}'\n`}${usage}\n`);
  return command === '--help' || command === '-h' ? 0 : 2;
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseOptions({
    args,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      'authkey-file': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      register: { type: 'string', multiple: true },
      // The manager class whose registered types to serve, when the modules register on several.
      manager: { type: 'string' },
      'max-frame-size': { type: 'string' },
      'handshake-timeout': { type: 'string' },
      'heartbeat-interval': { type: 'string' },
      'heartbeat-timeout': { type: 'string' },
      // CPython's manager clients (3.12+) are served on the same port too.
      'python-clients': { type: 'boolean', default: false },
    },
  });
  const authkeyFile = checkAuthkeyFile(values['authkey-file']);
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together');
  }
  const server = await Manager.serve({
    host: values.host,
    port: port(values.port!),
    authkeyFile,
    tls: values['tls-cert'] ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']!) } : undefined,
    register: values.register,
    manager: values.manager,
    maxFrameSize: values['max-frame-size'] === undefined ? undefined : positiveInteger(values['max-frame-size'], '--max-frame-size'),
    handshakeTimeout: optionalSeconds(values['handshake-timeout'], '--handshake-timeout'),
    heartbeatInterval: optionalSeconds(values['heartbeat-interval'], '--heartbeat-interval'),
    heartbeatTimeout: optionalSeconds(values['heartbeat-timeout'], '--heartbeat-timeout'),
    pythonClients: values['python-clients'],
  });
  // One line a script can wait for and parse.
  process.stdout.write(
    `mpts: serving on ${server.address}${server.tls ? ' (TLS)' : ''}${values['python-clients'] ? ' (and Python clients)' : ''} (pid ${process.pid})\n`,
  );
  await server.serveForever();
  process.stdout.write('mpts: stopped\n');
  return 0;
}

async function inspect(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions({
    args,
    allowPositionals: true,
    options: {
      'authkey-file': { type: 'string' },
      'tls-ca': { type: 'string' },
      tls: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const address = positionals[0];
  if (address === undefined) throw new UsageError('inspect needs the address of a manager');
  if (redisUrl.test(address)) return inspectRedis(address, values);
  const authkeyFile = checkAuthkeyFile(values['authkey-file']);
  const tls = values['tls-ca'] ? { ca: readFileSync(values['tls-ca']) } : values.tls ? true : undefined;
  const manager = await Manager.connect(address, { authkeyFile, tls });
  try {
    const info = await manager.debugInfo();
    // Leave out the inspecting connection itself.
    const self = info.clients.find((client) => client.label.includes(`pid ${process.pid}`));
    if (self) info.clients = info.clients.filter((client) => client !== self);
    process.stdout.write(values.json ? `${JSON.stringify(info, jsonSafe, 2)}\n` : `${formatDebugInfo(info, manager.address)}\n`);
  } finally {
    await manager.shutdown();
  }
  return 0;
}

/** The schemes `@mpts/redis` serves. */
const redisUrl = /^rediss?(\+sentinel)?:\/\//i;

/** `mpts inspect` of a Redis-backed mpts: its objects, holders and waiters, read from Redis. */
async function inspectRedis(address: string, values: { 'authkey-file'?: string; 'tls-ca'?: string; tls?: boolean; json?: boolean }): Promise<number> {
  if (values['authkey-file'] !== undefined) throw new UsageError('--authkey-file is for a manager: Redis checks its own users (redis://user:password@host)');
  if (values.tls) throw new UsageError('--tls is for a manager: a Redis URL asks for TLS with rediss://');
  // Loaded only here, and installed only by those who use Redis: inspecting a manager needs no
  // Redis client.
  try {
    await import('@mpts/redis');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new UsageError(`${address.split(':')[0]}:// addresses need @mpts/redis: npm install @mpts/redis`);
  }
  const manager = await Manager.connect(address, values['tls-ca'] === undefined ? {} : { tlsCa: values['tls-ca'] });
  try {
    const info = await manager.debugInfo();
    // Leave out the inspecting session itself.
    info.clients = info.clients.filter((client) => !client.label.includes(` pid ${process.pid} `));
    process.stdout.write(values.json ? `${JSON.stringify(info, jsonSafe, 2)}\n` : `${formatDebugInfo(info, redactPassword(manager.address))}\n`);
  } finally {
    await manager.shutdown();
  }
  return 0;
}

/** An address as printed: its password masked. */
function redactPassword(address: string): string {
  return address.replace(/^([a-z+]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

class UsageError extends Error {}

/** `parseArgs`, its errors (an unknown option, a missing value) as usage errors. */
function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError((error as Error).message);
    throw error;
  }
}

/** The key file's path, once it is known to be there; the library reads it (`authkeyFile`). */
function checkAuthkeyFile(file: string | undefined): string {
  if (file === undefined) throw new UsageError('--authkey-file is required: the file holding the manager\'s authkey');
  const mode = statSync(file).mode;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    process.stderr.write(`mpts: warning: ${file} can be read by other users; chmod 600 it\n`);
  }
  return file;
}

/** Plain decimal notation only: `Number()` would also take '', ' 8', '0x10', '1e3' and 'Infinity'. */
const decimalInteger = /^\d+$/;
const decimal = /^(\d+\.?\d*|\.\d+)$/;

function optionalSeconds(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!decimal.test(text) || !(value > 0) || !Number.isFinite(value)) {
    throw new UsageError(`${flag} must be a positive number of seconds, not '${text}'`);
  }
  return value;
}

function port(text: string): number {
  const value = Number(text);
  if (!decimalInteger.test(text) || value > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, not '${text}'`);
  return value;
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!decimalInteger.test(text) || !(value > 0) || !Number.isSafeInteger(value)) {
    throw new UsageError(`${flag} must be a positive whole number, not '${text}'`);
  }
  return value;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`mpts: ${error instanceof UsageError ? `${error.message}\n${usage}` : error.message}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
