import { describe, expect, it } from 'vitest';
import { DictProxy, fromToken, toToken } from '@mpts/proxy';
import { registerBackend, type ProxyChannel } from '@mpts/proxy/wire';

/** A channel that records what the proxies send it, for a scheme no real backend uses. */
class RecordingChannel implements ProxyChannel {
  readonly sent: unknown[][] = [];
  constructor(readonly address: string) {}
  call(objectId: number, method: string, args: unknown[], _holder?: object, signal?: AbortSignal): Promise<unknown> {
    this.sent.push(['call', objectId, method, args, signal]);
    return Promise.resolve(method === 'len' ? 3 : null);
  }
  incref(objectId: number): Promise<unknown> {
    this.sent.push(['incref', objectId]);
    return Promise.resolve(null);
  }
  decref(objectId: number): void {
    this.sent.push(['decref', objectId]);
  }
}

describe('the backend seam', () => {
  const channel = new RecordingChannel('recording://here/0');
  registerBackend(['recording'], {
    connect: () => Promise.reject(new Error('not used here')),
    channelTo: () => channel,
  });

  it('sends a rebuilt proxy\'s incref, calls, signal and release to the backend that owns its address', async () => {
    const proxy = fromToken<DictProxy>({ typeId: 'dict', id: 7, address: 'recording://here/0' });
    expect(proxy).toBeInstanceOf(DictProxy);
    await proxy.ready;
    const controller = new AbortController();
    expect(await proxy.len()).toBe(3);
    await proxy.callMethod('get', ['k'], controller.signal);
    expect(toToken(proxy)).toEqual({ typeId: 'dict', id: 7, address: 'recording://here/0' });
    proxy.releaseProxy();
    proxy.releaseProxy();
    expect(channel.sent).toEqual([
      ['incref', 7],
      ['call', 7, 'len', [], undefined],
      ['call', 7, 'get', ['k'], controller.signal],
      ['decref', 7],
    ]);
  });
});
