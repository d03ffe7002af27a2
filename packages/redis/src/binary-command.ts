import { Command } from 'ioredis';
import type { RedisClient } from './script.js';

/**
 * A command with binary arguments (mpts's msgpack values, a script's packed arguments), written
 * as one Buffer made in one pass. ioredis writes a command of text as one string, but builds one
 * with a Buffer argument piece by piece (a byte count, then a copy or a write, per piece), which
 * took ~3 µs a command here: most of what mpts on Redis spends on a call beyond raw ioredis's
 * (`pnpm bench` W1). A command without a Buffer argument is written by ioredis as usual.
 */
export class BinaryCommand extends Command {
  override toWritable(socket: object): string | Buffer {
    // Strings and Buffers only: ioredis's constructor turned numbers into text.
    const args = this.args as (string | Buffer)[];
    if (!args.some((arg) => typeof arg !== 'string')) return super.toWritable(socket);
    // Text between two Buffer arguments is gathered in one string, so most commands are three
    // pieces: text, the value, text.
    const pieces: (string | Buffer)[] = [];
    let text = `*${args.length + 1}\r\n$${Buffer.byteLength(this.name)}\r\n${this.name}\r\n`;
    for (const arg of args) {
      if (typeof arg === 'string') {
        text += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
      } else {
        pieces.push(`${text}$${arg.length}\r\n`, arg);
        text = '\r\n';
      }
    }
    pieces.push(text);
    let length = 0;
    for (const piece of pieces) length += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
    const bytes = Buffer.allocUnsafe(length);
    let at = 0;
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        at += bytes.write(piece, at);
      } else {
        bytes.set(piece, at);
        at += piece.length;
      }
    }
    return bytes;
  }
}

/**
 * Sends a command that may have binary arguments; resolves with its reply, as text
 * (`replyEncoding` 'utf8') or raw (null: strings as Buffers, as `callBuffer`).
 */
export function sendCommand(client: RedisClient, name: string, args: readonly (string | number | Buffer)[], replyEncoding: 'utf8' | null): Promise<unknown> {
  return client.sendCommand(new BinaryCommand(name, args as (string | Buffer)[], { replyEncoding })) as Promise<unknown>;
}
