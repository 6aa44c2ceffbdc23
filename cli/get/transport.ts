// The Transport options curl's connection flags stand for: -k, --cacert, --cert/--key, -x,
// --unix-socket, --http1.1/--http2/--http2-prior-knowledge and --connect-timeout. Certificate
// files are read here, before any socket opens: an unreadable one is curl's 77 (--cacert) or
// 58 (--cert, --key), not a failed handshake later.

import { readFile } from 'node:fs/promises';
import type { TransportOptions } from '../../src/index.js';
import { cannotRead, EXIT } from './exit-codes.js';
import type { GetOptions } from './options.js';

async function readCertFile(flag: string, path: string, exitCode: number): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw cannotRead(exitCode, flag, path, err);
  }
}

export async function transportOptions(opts: GetOptions): Promise<TransportOptions> {
  const tls: NonNullable<TransportOptions['tls']> = {};
  if (opts.insecure) tls.rejectUnauthorized = false;
  // As curl's --cacert, the file replaces the default roots rather than adding to them.
  if (opts.cacert !== null) tls.ca = await readCertFile('--cacert', opts.cacert, EXIT.caCertFile);
  if (opts.cert !== null) {
    tls.cert = await readCertFile('--cert', opts.cert, EXIT.clientCert);
    // curl reads the key from the --cert file when --key is not given (one PEM holding both).
    tls.key = opts.key === null ? tls.cert : await readCertFile('--key', opts.key, EXIT.clientCert);
  }
  const options: TransportOptions = { tls };
  if (opts.proxy !== null) {
    const proxy = opts.proxy;
    options.proxy = () => proxy;
  }
  if (opts.unixSocket !== null) options.socketPath = opts.unixSocket;
  // --http2 is the default over TLS (offered by ALPN); over http:// curl would try an Upgrade
  // that httpool does not make, so it stays HTTP/1.1 there, as curl does when a server declines.
  if (opts.http === '1.1') options.forceAttemptHTTP2 = false;
  if (opts.http === '2-prior-knowledge') options.unencryptedHTTP2 = true;
  if (opts.connectTimeout !== undefined) {
    // curl's --connect-timeout covers the TCP connect and the TLS handshake: each gets it here.
    options.dialTimeout = opts.connectTimeout;
    options.tlsHandshakeTimeout = opts.connectTimeout;
  }
  return options;
}
