import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { built, nodeFlags } from '../../manager/test/helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

/** A fixture process of these tests, its stdout read line by line. */
export interface Child extends AsyncDisposable {
  readonly process: ChildProcess;
  /** The next line it prints (rejects if it exits first). */
  nextLine(): Promise<string>;
  send(line: string): void;
  /** Closes its stdin: no more lines. */
  endInput(): void;
  /** Its exit: code and signal. */
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/**
 * Runs `fixtures/<name>.ts` with `args`: the JavaScript vitest's global setup compiled from it
 * (vitest.fixtures.ts), with plain node, or the source through tsx for a fixture added since
 * the run began. Disposing it kills and reaps it.
 */
export function runFixture(name: string, args: string[]): Child {
  const entry = fileURLToPath(built(new URL(`./fixtures/${name}.ts`, import.meta.url)));
  const child = spawn(process.execPath, [...nodeFlags(entry), entry, ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const lines: string[] = [];
  const readers: ((line: string | undefined) => void)[] = [];
  createInterface({ input: child.stdout! })
    .on('line', (line) => {
      const reader = readers.shift();
      if (reader) reader(line);
      else lines.push(line);
    })
    .on('close', () => {
      for (const reader of readers.splice(0)) reader(undefined);
    });
  return {
    process: child,
    exited,
    nextLine() {
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(line);
      return new Promise((resolve, reject) =>
        readers.push((next) => (next === undefined ? reject(new Error(`fixture ${name} ended before printing a line`)) : resolve(next))),
      );
    },
    send(line) {
      child.stdin!.write(`${line}\n`);
    },
    endInput() {
      child.stdin!.end();
    },
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
      await exited;
    },
  };
}
