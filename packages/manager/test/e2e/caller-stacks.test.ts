import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyError, setCallerStacks } from '@mpts/manager';
import { startManager } from '../helpers.js';

const thisFile = fileURLToPath(import.meta.url);

describe('an error raised in the manager points at the call that failed', () => {
  afterEach(() => setCallerStacks(true));

  it("has the caller's frames in its stack and the manager's in remoteStack", async () => {
    await using manager = await startManager();
    using d = await manager.dict<string, number>();
    const error = await failingGetItem(d);
    expect(error).toBeInstanceOf(KeyError);
    expect(error.message).toBe("'missing'");
    expect(error.stack).toMatch(/^KeyError: 'missing'\n/);
    expect(error.stack).toContain(thisFile);
    expect(error.stack).toContain('failingGetItem');
    expect(error.stack).not.toContain('onFrame');
    expect(error.remoteStack).toEqual(expect.any(String));
    expect(error.remoteStack).not.toContain(thisFile);

    // Turned off, the stack is where the reply arrived; remoteStack is still there.
    setCallerStacks(false);
    const plain = await failingGetItem(d);
    expect(plain).toBeInstanceOf(KeyError);
    expect(plain.stack).not.toContain('failingGetItem');
    expect(plain.remoteStack).toEqual(expect.any(String));
  });
});

async function failingGetItem(d: { getItem(key: string): Promise<unknown> }): Promise<KeyError> {
  try {
    await d.getItem('missing');
  } catch (error) {
    return error as KeyError;
  }
  throw new Error('getItem did not reject');
}
