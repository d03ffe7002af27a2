import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, pidNamespace, provablyGone } from '@mpts/proxy/wire';

/**
 * A python3 process whose child has exited and is not reaped (a zombie): it waits for the
 * child's exit without reaping it (WNOWAIT), prints the pid, and holds it until stdin closes.
 */
async function withZombie(use: (pid: number) => void): Promise<void> {
  const parent = spawn('python3', ['-c', `
import os, sys
pid = os.fork()
if pid == 0: os._exit(0)
os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
print(pid, flush=True)
sys.stdin.read()
`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(parent, 'exit');
  try {
    const [line] = (await once(parent.stdout, 'data')) as [Buffer];
    use(Number(line.toString()));
  } finally {
    parent.stdin.end();
    await exited;
  }
}

describe('process liveness', () => {
  it("knows this process's PID namespace by its inode", () => {
    expect(`pid:[${pidNamespace()}]`).toBe(readlinkSync('/proc/self/ns/pid'));
  });

  it('finds a running process alive, and one that has exited and been reaped gone', async () => {
    const child = spawn(process.execPath, ['-e', 'process.stdin.resume()'], { stdio: ['pipe', 'ignore', 'inherit'] });
    const pid = child.pid!;
    const exited = once(child, 'exit');
    expect(isProcessAlive(pid)).toBe(true);
    expect(isProcessAlive(process.pid)).toBe(true);
    child.stdin.end();
    await exited;
    expect(isProcessAlive(pid)).toBe(false);
    expect(provablyGone(pid, pidNamespace())).toBe(true);
  });

  it('takes a zombie, which still answers a signal, for gone', async () => {
    await withZombie((pid) => {
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(isProcessAlive(pid)).toBe(false);
      expect(provablyGone(pid, pidNamespace())).toBe(true);
    });
  });

  it("never judges a process recorded in another PID namespace, or in an unknown one", () => {
    const alwaysGone = () => false;
    expect(provablyGone(process.pid, pidNamespace(), alwaysGone)).toBe(true);
    expect(provablyGone(process.pid, pidNamespace() + 1, alwaysGone)).toBe(false);
    expect(provablyGone(process.pid, 0, alwaysGone)).toBe(false);
    expect(provablyGone(process.pid, pidNamespace())).toBe(false);
  });
});
