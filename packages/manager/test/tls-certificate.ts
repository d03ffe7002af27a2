import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** A self-signed certificate for 127.0.0.1 and localhost, in a temp directory; `remove()` deletes it. */
export interface TestCertificate {
  readonly cert: string;
  readonly key: string;
  remove(): void;
}

export function selfSignedCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'tls-test-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return { cert, key, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A self-signed certificate for the tests of one file (or `describe` block): made before them,
 * removed after. Read `cert` and `key` inside the tests.
 */
export function certificateForTests(): { readonly cert: string; readonly key: string } {
  let made: TestCertificate | undefined;
  beforeAll(() => {
    made = selfSignedCertificate();
  });
  afterAll(() => made?.remove());
  return {
    get cert() {
      return made!.cert;
    },
    get key() {
      return made!.key;
    },
  };
}
