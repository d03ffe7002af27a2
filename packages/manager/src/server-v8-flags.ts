/**
 * The V8 flags the manager server process runs with: the one place they are set.
 *
 * They trade a little more garbage collection for a smaller resident set, and change no compiled
 * code. A manager holding a dict of 1,000,000 small entries keeps about 128 MB resident with them
 * and about 155 MB without (`pnpm bench` M1):
 *
 * - `--max-semi-space-size=8`: V8's young generation is two semi-spaces of up to 16 MB each by
 *   default, and all of it ends up resident. A server's requests leave little alive, so smaller
 *   semi-spaces cost cheap scavenges more often, not more work. Not 4 or less: a process
 *   started from a startup snapshot (server-snapshot.ts) with those keeps a 1 MB young
 *   generation that does not grow, and allocating code ran two to three times slower in it.
 * - `--heap-growing-percent=20`: after a full collection V8 lets the old generation grow by a
 *   factor it picks between 1.1 and 4 (from how fast it collects against how fast the program
 *   allocates) before the next one, and what a growing dict left behind (its old hash tables,
 *   decoded requests) stays resident meanwhile. With a factor of 1.2, it is collected sooner.
 *
 * `mpts serve` runs the server in a process the user started, with that process's flags.
 */
export const SERVER_V8_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--heap-growing-percent=20'];
