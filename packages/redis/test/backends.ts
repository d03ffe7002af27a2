import { Manager } from '@mpts/manager';
import '@mpts/redis';
import { startRedisServer, type RedisServer } from './redis-server.js';

/** The lease the Redis tests run with: short, so that a dead holder's lock comes back quickly. */
export const testLease = 2;

/**
 * The backends the shared-type behaviour tests run against: the same test body, on a manager
 * server started here or on a redis-server started here. Each test gets a connection of its own
 * (`Manager.connect`), to one server per file.
 */
export interface Backend {
  readonly name: 'manager' | 'redis';
  /** A manager for one test, and what to stop after it. */
  open(): Promise<Manager>;
  close(): Promise<void>;
}

export function managerBackend(): Backend {
  let server: Promise<Manager> | undefined;
  return {
    name: 'manager',
    async open() {
      server ??= Manager.start();
      const { address, authkey } = await server;
      return await Manager.connect(address, { authkey });
    },
    async close() {
      await (await server)?.shutdown();
    },
  };
}

export function redisBackend(): Backend & { server(): RedisServer } {
  let server: RedisServer | undefined;
  return {
    name: 'redis',
    async open() {
      server ??= await startRedisServer();
      return await Manager.connect(`${server.url}?lease=${testLease}`);
    },
    async close() {
      await server?.stop();
    },
    server: () => server!,
  };
}
