import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

/** Runs a module in a fresh process (this test process has @mpts/redis imported already). */
function run(source: string): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], { cwd: packageDir, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout };
}

describe('Manager.connect with a URL scheme', () => {
  it('says which import a redis:// URL needs when @mpts/redis is not imported', () => {
    const { status, stdout } = run(`
      import { Manager } from '@mpts/manager';
      try {
        await Manager.connect('redis://127.0.0.1:1/0');
      } catch (error) {
        console.log(error.name + ': ' + error.message);
      }`);
    expect(status).toBe(0);
    expect(stdout.trim()).toBe("TypeError: no mpts backend serves redis:// URLs in this process (import '@mpts/redis' once, before Manager.connect)");
  });

  it('refuses a scheme no backend serves', () => {
    const { stdout } = run(`
      import { Manager } from '@mpts/manager';
      import '@mpts/redis';
      await Manager.connect('etcd://127.0.0.1:2379').catch((error) => console.log(error.name + ': ' + error.message));`);
    expect(stdout.trim()).toBe('TypeError: no mpts backend serves etcd:// URLs in this process');
  });

  it('rejects when nothing listens at a redis:// URL, rather than retrying forever', () => {
    const { stdout } = run(`
      import { Manager } from '@mpts/manager';
      import '@mpts/redis';
      await Manager.connect('redis://127.0.0.1:1/0').catch((error) => console.log(error.code + ': ' + error.message));`);
    expect(stdout.trim()).toBe('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1');
  });
});
