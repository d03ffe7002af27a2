import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('isMainModule in a program started as a package', () => {
  const pkg = fileURLToPath(new URL('../fixtures/main-package', import.meta.url));
  const expected = `${JSON.stringify({ program: true, helper: false })}\n`;

  it('is true in the package.json main of a program started as `node <dir>`', () => {
    const run = spawnSync(process.execPath, [pkg], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(expected);
  });

  it('is true there under `node .`, as `npm start` runs it', () => {
    const run = spawnSync(process.execPath, ['.'], { cwd: pkg, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(expected);
  });
});
