import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate authority and a server certificate it signed for 127.0.0.1, in a temporary directory. */
export interface TlsFiles extends Disposable {
  readonly dir: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** A second CA that signed nothing here: trusting it alone must fail. */
  readonly otherCa: string;
}

function openssl(dir: string, args: string[]): void {
  const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${result.stderr}`);
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=${name}`]);
}

export function makeTlsFiles(): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), 'mpts-tls-'));
  try {
    makeCa(dir, 'mpts-test-ca');
    makeCa(dir, 'other-ca');
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
    // Node checks the name it connected to against the certificate's subjectAltName.
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
    openssl(dir, [
      'x509', '-req', '-in', 'server.csr', '-CA', 'mpts-test-ca.pem', '-CAkey', 'mpts-test-ca.key', '-CAcreateserial',
      '-out', 'server.pem', '-days', '1', '-extfile', 'server.ext',
    ]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    ca: join(dir, 'mpts-test-ca.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server.key'),
    otherCa: join(dir, 'other-ca.pem'),
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}
