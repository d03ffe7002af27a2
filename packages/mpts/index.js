// The one package a user installs: everything `@mpts/manager` exports (the manager, Process,
// every proxy and error class, and shared memory), and the `mpts` command of `@mpts/cli`.
export * from '@mpts/manager';
