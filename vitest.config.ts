import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * Files whose tests measure time on purpose (heartbeat timeouts, handshake deadlines, slow
 * frames, a memory bound over a window): they run after the others, three files at a time, so
 * that the processes of the many other files do not compete with them for the CPU. (Three of
 * them at once do not fill two cores: they spend most of their time waiting for a deadline.)
 */
const timed = [
  'packages/manager/test/e2e/admission.test.ts',
  'packages/manager/test/e2e/backpressure.test.ts',
  'packages/manager/test/e2e/hardening-server.test.ts',
  'packages/manager/test/e2e/liveness.test.ts',
  'packages/manager/test/e2e/remote-followups-tls.test.ts',
  // A dead holder's lock must come back within its lease and a second.
  'packages/redis/test/leases.test.ts',
];

/**
 * Files that run last, alone: a manager started by another file meanwhile would clean up the
 * socket directory this one leaves on purpose.
 */
const alone = ['packages/manager/test/e2e/socket-dir-leftover.test.ts'];

const common = {
  // Tests fork real manager servers and child processes; give them room on a 2-core machine.
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks',
} satisfies TestProjectInlineConfiguration['test'];

export default defineConfig({
  test: {
    // Compiles the fixtures that tests run as processes of their own, once per run, and sets
    // up the environment those processes start with.
    globalSetup: ['./vitest.fixtures.ts', './vitest.environment.ts'],
    // Most of a test's time is spent waiting for processes it started: three files at once keep
    // both cores busy ~87% of the run (vitest would run one at a time on 2 cores; two files at
    // once left them idle a quarter of it). Files reuse those worker processes (isolate: false):
    // a fresh worker per file cost more CPU than most files' tests. As many workers kept as
    // started: with fewer (minForks 1), vitest 3.2 ended a run with "Terminating worker thread"
    // and no summary.
    poolOptions: { forks: { maxForks: 3, minForks: 3, isolate: false } },
    projects: [
      {
        test: {
          ...common,
          name: 'mpts',
          include: ['packages/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...timed, ...alone],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...common,
          name: 'timed',
          include: timed,
          // Three files at a time, as the others (the root's pool options).
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          ...common,
          name: 'alone',
          include: alone,
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
