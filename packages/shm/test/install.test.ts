import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const copy = mkdtempSync(join(tmpdir(), 'mpts-shm-install-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('the install script', () => {
  it('succeeds with a clear warning, and records why, when the addon does not compile', () => {
    for (const part of ['binding.gyp', 'scripts', 'native', 'package.json']) {
      cpSync(join(packageDir, part), join(copy, part), { recursive: true });
    }
    writeFileSync(join(copy, 'native', 'shm.cc'), 'this is not C++\n');
    const result = spawnSync(process.execPath, [join(copy, 'scripts', 'build-addon.mjs')],
      { cwd: copy, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('@mpts/shm: WARNING: the shared-memory addon was not built');
    expect(result.stderr).toContain("use a manager's value()/array()");
    const status = JSON.parse(readFileSync(join(copy, 'build', 'mpts-build-status.json'), 'utf8'));
    expect(status.built).toBe(false);
  });
});
