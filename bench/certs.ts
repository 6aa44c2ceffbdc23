// A throw-away certificate authority and a server certificate for 127.0.0.1 and localhost,
// made with the `openssl` CLI at run time into a temp dir: nothing secret is checked in, and
// the clients verify the server against the CA exactly as they would a real one (no
// rejectUnauthorized: false, which would skip work a real deployment pays for).

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BenchCerts {
  /** The CA certificate (PEM) the clients trust. */
  ca: string;
  /** The same CA as a file, for the Go client's -ca flag. */
  caPath: string;
  keyPath: string;
  certPath: string;
  /** Removes the temp dir; safe to call more than once. */
  remove(): void;
}

/** P-256 keys: generated in milliseconds, unlike RSA, and the handshake is not what is measured. */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

const SERVER_EXT = [
  'subjectAltName = IP:127.0.0.1, DNS:localhost',
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature',
  'extendedKeyUsage = serverAuth',
].join('\n');

/**
 * The certificates, or the reason they could not be made (openssl missing or failing): the
 * caller skips the TLS scenarios with that reason instead of failing the whole run.
 */
export async function makeCerts(): Promise<BenchCerts | { skipped: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'httpool-bench-tls-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  // The dir goes even when the run ends by an uncaught error or process.exit().
  process.once('exit', remove);
  const at = (name: string): string => join(dir, name);
  try {
    await run('openssl', ['req', '-x509', ...EC_KEY, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '1',
      '-subj', '/CN=httpool bench CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    await run('openssl', ['req', ...EC_KEY, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=localhost']);
    writeFileSync(at('server.ext'), SERVER_EXT);
    await run('openssl', ['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'),
      '-CAcreateserial', '-out', at('server.pem'), '-days', '1', '-extfile', at('server.ext')]);
    return { ca: readFileSync(at('ca.pem'), 'latin1'), caPath: at('ca.pem'), keyPath: at('server.key'), certPath: at('server.pem'), remove };
  } catch (err) {
    remove();
    const e = err as NodeJS.ErrnoException & { stderr?: unknown };
    if (e.code === 'ENOENT') return { skipped: 'the openssl CLI was not found on PATH (needed to make a test certificate)' };
    const detail = typeof e.stderr === 'string' && e.stderr.trim() !== '' ? e.stderr.trim() : e.message;
    return { skipped: `openssl failed to make a test certificate: ${detail}` };
  }
}
