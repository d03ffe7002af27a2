import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Runs `body` in a fresh Node process that has imported mpts's codec (the package bundle, as a
 * program gets it), and returns what it printed. `mapped()` there says whether msgpackr's
 * native string extractor is loaded: its addon shows in the process's memory map.
 */
function inFreshProcess(body: string, env: NodeJS.ProcessEnv = process.env): string {
  const program = `
import { readFileSync } from 'node:fs';
import { decode, encode } from '@mpts/proxy/wire';
const mapped = () => /msgpackr-extract.*\\.node$/m.test(readFileSync('/proc/self/maps', 'utf8'));
const strings = (bytes) => { const list = []; while (encode(list).length < bytes) list.push('string number ' + list.length); return list; };
${body}`;
  // From the package's folder, so that '@mpts/proxy' resolves as a dependent's import does.
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', program], { cwd, env, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

describe("msgpackr's native string extractor", () => {
  it('is not loaded by importing mpts, nor by small messages', () => {
    const out = inFreshProcess(`
for (let i = 0; i < 500; i++) decode(encode(strings(200)));
console.log(mapped());`);
    expect(out).toBe('false\n');
  });

  it('is loaded by the first message of 4 KB, and decodes it and later ones as msgpackr alone does', () => {
    const out = inFreshProcess(`
const large = strings(5000), later = strings(300);
const first = decode(encode(large));
console.log(mapped(), JSON.stringify(first) === JSON.stringify(large), JSON.stringify(decode(encode(later))) === JSON.stringify(later));`);
    expect(out).toBe('true true true\n');
  });

  it('is loaded by the thousandth message of 140 bytes or more', () => {
    const out = inFreshProcess(`
const message = encode(strings(200));
for (let i = 1; i < 1000; i++) decode(message);
const before = mapped();
decode(message);
console.log(before, mapped());`);
    expect(out).toBe('false true\n');
  });

  it('stays unloaded where MSGPACKR_NATIVE_ACCELERATION_DISABLED=true, as in msgpackr', () => {
    const out = inFreshProcess(
      `
const large = strings(5000);
console.log(JSON.stringify(decode(encode(large))) === JSON.stringify(large), mapped());`,
      { ...process.env, MSGPACKR_NATIVE_ACCELERATION_DISABLED: 'true' },
    );
    expect(out).toBe('true false\n');
  });
});
