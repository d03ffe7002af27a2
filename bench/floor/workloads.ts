/** The floor's side of the workloads it can express (one client, key/value calls). */
import { randomBytes } from 'node:crypto';
import { forDuration, inFlight, type Measurement } from '../lib/measure.js';
import { megabytes, type Params } from '../mpts/workloads.js';
import { FloorClient } from './client.js';

async function withClient<T>(path: string, work: (client: FloorClient) => Promise<T>): Promise<T> {
  const client = await FloorClient.connect(path);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

export const floorWorkloads = {
  W1: (p: Params, path: string): Promise<Measurement> => withClient(path, (c) =>
    forDuration(p.duration, 100, async () => {
      for (let i = 0; i < 50; i++) {
        await c.set('k', i);
        await c.get('k');
      }
    })),

  W2: (p: Params, path: string): Promise<Measurement> => withClient(path, (c) => {
    let i = 0;
    return inFlight(p.duration, 64, () => (i++ & 1 ? c.get('k') : c.set('k', i)));
  }),

  W10: (p: Params, path: string): Promise<Measurement> => withClient(path, async (c) => {
    const blob = randomBytes(p.blobBytes);
    const result = await forDuration(p.duration, 1, async () => {
      await c.set('blob', blob);
      const got = (await c.get('blob')) as Uint8Array;
      if (got.length !== blob.length) throw new Error('wrong size');
    });
    return megabytes(result, 2 * p.blobBytes);
  }),
};
