import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    // Compiles the fixtures that tests run as processes of their own, once per run.
    globalSetup: ['./vitest.fixtures.ts'],
    // Tests fork real manager servers and child processes; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
