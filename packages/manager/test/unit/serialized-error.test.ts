import { describe, expect, it } from 'vitest';
import { RemoteError } from '@mpts/proxy/wire';
import { deserializeError, serializeError } from '../../src/serialized-error.js';

describe('an error crossing from a child process to its parent', () => {
  it('keeps its class, message and the stack it had in the child', () => {
    const thrown = new TypeError('bad argument');
    const sent = serializeError(thrown);
    // The IPC channel carries plain data: what is sent must survive JSON unchanged.
    expect(JSON.parse(JSON.stringify(sent))).toEqual({ name: 'TypeError', message: 'bad argument', stack: thrown.stack });
    const rebuilt = deserializeError(sent);
    expect(rebuilt).toBeInstanceOf(TypeError);
    expect(rebuilt.message).toBe('bad argument');
    expect((rebuilt as { remoteStack?: string }).remoteStack).toBe(thrown.stack);
  });

  it('sends a thrown non-Error as an Error of its text, with no stack', () => {
    expect(serializeError('out of disk')).toEqual({ name: 'Error', message: 'out of disk', stack: undefined });
    expect(serializeError(42)).toEqual({ name: 'Error', message: '42', stack: undefined });
  });

  it('rebuilds a class mpts does not know as a RemoteError that names it', () => {
    class QuotaExceeded extends Error {
      override name = 'QuotaExceeded';
    }
    const rebuilt = deserializeError(serializeError(new QuotaExceeded('no room')));
    expect(rebuilt).toBeInstanceOf(RemoteError);
    expect(rebuilt.message).toBe('QuotaExceeded: no room');
  });
});
