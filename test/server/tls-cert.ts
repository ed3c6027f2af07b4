/**
 * A self-signed certificate for the TLS tests, made by the openssl binary
 * (node:crypto makes keys but not X.509 certificates). Null when there is no
 * openssl: the TLS tests are then skipped, saying why.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function selfSignedCertificate(): { cert: Buffer; key: Buffer } | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-tls-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    // P-256: quick to make, and every TLS client takes it
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    return { cert: fs.readFileSync(cert), key: fs.readFileSync(key) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
