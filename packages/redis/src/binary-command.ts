import { Command } from 'ioredis';
import type { RedisClient } from './script.js';

/**
 * A command with binary arguments (mpts's msgpack values, a script's packed arguments), written
 * as one Buffer made when the command is. ioredis writes a command of text as one string, which
 * Node encodes on its way to the socket, but builds one with a Buffer argument piece by piece
 * (a byte count, then a copy or a write, per piece), which took ~3 µs a command here, the most
 * of what mpts on Redis spent on a call beyond raw ioredis's (`pnpm bench` W1); this takes
 * ~1 µs. A command without a Buffer argument is written by ioredis as usual.
 *
 * Buffer arguments are copied into the command's bytes when it is made, so an argument may be
 * an encoder's output that the next encoding overwrites (`packTransient`), and `argument(i)`
 * gives a copy that lasts (a script's fallback sends the same value again).
 */
export class BinaryCommand extends Command {
  readonly #bytes: Buffer | undefined;

  constructor(name: string, args: readonly (string | number | Buffer)[], replyEncoding?: 'utf8' | null) {
    super(name, args as (string | number | Buffer)[], { replyEncoding });
    // Strings and Buffers only: ioredis's constructor turned numbers into text.
    this.#bytes = writeCommand(name, this.args as (string | Buffer)[]);
  }

  /** Argument `index` as it was when the command was made: a Buffer argument's copy in the command. */
  argument(index: number): string | Buffer {
    const args = this.args as (string | Buffer)[];
    const arg = args[index]!;
    if (typeof arg === 'string' || this.#bytes === undefined) return arg;
    // Rarely asked (a script's fallback): its place is found again, the way it was written.
    let at = headerLength(args.length + 1) + textLength(this.name);
    for (let i = 0; i < index; i++) at += argumentLength(args[i]!);
    at += headerLength(arg.length);
    return this.#bytes.subarray(at, at + arg.length);
  }

  override toWritable(socket: object): string | Buffer {
    return this.#bytes ?? super.toWritable(socket);
  }
}

const CR = 13;
const LF = 10;

/**
 * The command in RESP when an argument is a Buffer (undefined when all are text). Written byte
 * by byte where the text is ASCII: for a command's short texts (its name, mpts's keys), no
 * slower than a write through Node's encoder, measured. Nothing but the Buffer is allocated:
 * this is on every call's path.
 */
function writeCommand(name: string, args: readonly (string | Buffer)[]): Buffer | undefined {
  let binary = false;
  let length = headerLength(args.length + 1) + textLength(name);
  for (const arg of args) {
    if (typeof arg !== 'string') binary = true;
    length += argumentLength(arg);
  }
  if (!binary) return undefined;
  const bytes = Buffer.allocUnsafe(length);
  let at = writeHeader(bytes, 0, 0x2a /* '*' */, args.length + 1);
  at = writeText(bytes, at, name);
  for (const arg of args) {
    if (typeof arg === 'string') {
      at = writeText(bytes, at, arg);
    } else {
      at = writeHeader(bytes, at, 0x24 /* '$' */, arg.length);
      bytes.set(arg, at);
      at += arg.length;
      bytes[at++] = CR;
      bytes[at++] = LF;
    }
  }
  return bytes;
}

/** The bytes of `*<count>\r\n` or `$<count>\r\n`. */
function headerLength(count: number): number {
  return 3 + digitCount(count);
}

/** The bytes of an argument: `$<size>\r\n<bytes>\r\n`. */
function argumentLength(arg: string | Buffer): number {
  return typeof arg === 'string' ? textLength(arg) : headerLength(arg.length) + arg.length + 2;
}

function textLength(text: string): number {
  const size = Buffer.byteLength(text);
  return headerLength(size) + size + 2;
}

/**
 * `*<count>\r\n` or `$<count>\r\n`, the digits by arithmetic: ioredis defines a subclass of
 * `String` (its RESP3 `VerbatimString`), and in a process with one, V8 no longer inlines
 * `charCodeAt` (~20 ns a character here, against ~3), so the digits of `String(count)` cost
 * more than computing them.
 */
function writeHeader(bytes: Buffer, at: number, marker: number, count: number): number {
  bytes[at++] = marker;
  const end = at + digitCount(count);
  for (let i = end - 1, rest = count; i >= at; i--, rest = Math.floor(rest / 10)) bytes[i] = 0x30 + (rest % 10);
  bytes[end] = CR;
  bytes[end + 1] = LF;
  return end + 2;
}

function digitCount(count: number): number {
  let digits = 1;
  for (let rest = count; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

/** `$<size>\r\n<text>\r\n`: byte by byte when the text is ASCII (its UTF-8 size is its length). */
function writeText(bytes: Buffer, at: number, text: string): number {
  const size = Buffer.byteLength(text);
  at = writeHeader(bytes, at, 0x24 /* '$' */, size);
  if (size === text.length) {
    for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
  } else {
    at += bytes.write(text, at, size, 'utf8');
  }
  bytes[at++] = CR;
  bytes[at++] = LF;
  return at;
}

/**
 * Sends a command that may have binary arguments; resolves with its reply, as text
 * (`replyEncoding` 'utf8') or raw (null: strings as Buffers, as `callBuffer`).
 */
export function sendCommand(client: RedisClient, name: string, args: readonly (string | number | Buffer)[], replyEncoding: 'utf8' | null): Promise<unknown> {
  return send(client, new BinaryCommand(name, args as (string | Buffer)[], replyEncoding));
}

/** Sends a command made beforehand (to reuse its arguments); resolves with its reply. */
export function send(client: RedisClient, command: BinaryCommand): Promise<unknown> {
  return client.sendCommand(command) as Promise<unknown>;
}
