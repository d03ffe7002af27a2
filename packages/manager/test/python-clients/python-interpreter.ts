import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The CPython interpreters of at least 3.12 this machine has (a manager's Python clients must
 * be 3.12 or later: older ones answer the handshake with HMAC-MD5). `MPTS_PYTHON` names one
 * explicitly; otherwise pyenv's and the PATH's `python3.12`, `python3.13`, `python3`.
 */
export function findPythons(): string[] {
  const candidates = new Set<string>();
  if (process.env.MPTS_PYTHON) candidates.add(process.env.MPTS_PYTHON);
  for (const version of ['3.13', '3.12', '3.14']) {
    try {
      const prefix = execFileSync('pyenv', ['prefix', version], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (prefix) candidates.add(`${prefix.split('\n')[0]}/bin/python3`);
    } catch {
      // No pyenv, or not this version.
    }
    candidates.add(`python${version}`);
  }
  candidates.add('python3');
  const found = new Map<string, string>();
  for (const candidate of candidates) {
    if (candidate.includes('/') && !existsSync(candidate)) continue;
    try {
      const version = execFileSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      const [major, minor] = version.split('.').map(Number);
      if (major === 3 && minor! >= 12 && !found.has(version)) found.set(version, candidate);
    } catch {
      // Not installed.
    }
  }
  return [...found.values()];
}

/**
 * Why the Python tests cannot run, or undefined when they can. In CI a missing interpreter is
 * a failure, not a skip.
 */
export function pythonMissing(pythons: string[]): string | undefined {
  if (pythons.length > 0) return undefined;
  const reason = 'no CPython >= 3.12 found (set MPTS_PYTHON, or install one with pyenv)';
  if (process.env.CI) throw new Error(reason);
  console.warn(`skipping Python client tests: ${reason}`);
  return reason;
}
