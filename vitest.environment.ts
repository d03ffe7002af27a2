/**
 * Vitest global setup: the environment that the tests' own processes start with. A run starts
 * ~700 Node processes (manager servers, Process children, fixtures, example programs) and ~100
 * Python ones, so what each start costs before any of its code runs adds up.
 *
 * - `NODE_EXTRA_CA_CERTS` names a certificate bundle that Node reads and parses at every start:
 *   ~80 ms of CPU per process where it names the system's bundle. None of the tests' processes
 *   verifies a certificate from outside the run (the TLS tests bring their own CA), so the run
 *   unsets it and keeps it as `MPTS_TEST_NODE_EXTRA_CA_CERTS`; the commands that reach the npm
 *   registry get it back (`registryEnvironment`, `withRegistryAccess`).
 * - `python3` may be a pyenv shim, a shell script that takes ~90 ms to find the interpreter it
 *   runs. The interpreter it finds is linked into a folder put first on PATH for the run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const pythonFolder = join(root, 'node_modules', '.cache', 'mpts-test-python');
const keptCertificates = 'MPTS_TEST_NODE_EXTRA_CA_CERTS';

/** `env` with the certificate bundle the machine set for Node, for a command that uses the network. */
export function registryEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const certificates = process.env[keptCertificates];
  return certificates === undefined ? env : { ...env, NODE_EXTRA_CA_CERTS: certificates };
}

/** Runs `fetch`, which starts processes that use the network from this process's environment. */
export function withRegistryAccess<T>(fetch: () => T): T {
  const certificates = process.env[keptCertificates];
  if (certificates === undefined) return fetch();
  process.env.NODE_EXTRA_CA_CERTS = certificates;
  try {
    return fetch();
  } finally {
    delete process.env.NODE_EXTRA_CA_CERTS;
  }
}

/** The interpreter that `python3` on PATH runs, or undefined when there is none. */
function python3Executable(): string | undefined {
  try {
    return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export default function setup(): () => void {
  const certificates = process.env.NODE_EXTRA_CA_CERTS;
  if (certificates !== undefined) {
    process.env[keptCertificates] = certificates;
    delete process.env.NODE_EXTRA_CA_CERTS;
  }
  const python = python3Executable();
  const path = process.env.PATH;
  if (python !== undefined) {
    rmSync(pythonFolder, { recursive: true, force: true });
    mkdirSync(pythonFolder, { recursive: true });
    symlinkSync(python, join(pythonFolder, 'python3'));
    process.env.PATH = `${pythonFolder}:${path ?? ''}`;
  }
  return () => {
    rmSync(pythonFolder, { recursive: true, force: true });
    process.env.PATH = path;
    if (certificates !== undefined) process.env.NODE_EXTRA_CA_CERTS = certificates;
  };
}
