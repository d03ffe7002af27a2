import fc from 'fast-check';
import { Command } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { BinaryCommand } from '../src/binary-command.js';

/** What a command puts on the wire, as bytes. */
const bytesOf = (command: Command) => {
  const writable = command.toWritable({});
  return typeof writable === 'string' ? Buffer.from(writable) : writable;
};

describe('a command with binary arguments', () => {
  it('puts on the wire the bytes ioredis would, for any mix of text, numbers and bytes', () => {
    const argument = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string(),
      fc.integer(),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    );
    fc.assert(
      fc.property(fc.constantFrom('set', 'EVALSHA', 'rpush', 'héllo'), fc.array(argument, { maxLength: 8 }), (name, args) => {
        const command = new BinaryCommand(name, args);
        expect(bytesOf(command)).toEqual(bytesOf(new Command(name, args)));
        // Each argument as the command holds it (numbers as ioredis writes them: text).
        args.forEach((arg, index) => expect(command.argument(index)).toEqual(typeof arg === 'number' ? String(arg) : arg));
      }),
      { numRuns: 500 },
    );
  });
});

describe('the Buffer arguments of a command', () => {
  it('are copied when it is made: what it writes, and argument(), stay as they were', () => {
    const value = Buffer.from([0x93, 1, 2, 3]);
    const command = new BinaryCommand('set', ['key', value, 'XX'], 'utf8');
    const expected = bytesOf(new Command('set', ['key', Buffer.from([0x93, 1, 2, 3]), 'XX']));
    // An encoder writes its next value where this one was.
    value.fill(0xff);
    expect(bytesOf(command)).toEqual(expected);
    expect(command.argument(1)).toEqual(Buffer.from([0x93, 1, 2, 3]));
    expect(command.argument(0)).toBe('key');
    expect(command.argument(2)).toBe('XX');
  });
});
