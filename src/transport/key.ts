// The pool key (Go's connectMethodKey): which connections may serve which requests.
//
//   scheme  host:port        proxy     → key string
//   http    127.0.0.1:8080   none      → "http://127.0.0.1:8080"
//   https   example.com:443  none      → "https://example.com:443"
//   http    [::1]:80         none      → "http://[::1]:80"
// Proxies and TLS identity join the key in later layers (proxy.ts).

import { InvalidRequestError } from '../errors.js';

export class PoolKey {
  readonly scheme: 'http' | 'https';
  /** Host name or IP as used to dial (IPv6 without brackets). */
  readonly hostname: string;
  readonly port: number;
  /** "host:port" with IPv6 in brackets, as trace's getConn reports it. */
  readonly hostPort: string;
  /** The Host header value: the port only when it is not the scheme's default. */
  readonly hostHeader: string;
  readonly id: string;

  constructor(url: URL) {
    const scheme = url.protocol === 'http:' ? 'http' : url.protocol === 'https:' ? 'https' : null;
    if (scheme === null) {
      throw new InvalidRequestError('ERR_INVALID_URL', `unsupported protocol scheme "${url.protocol.replace(/:$/, '')}"`);
    }
    if (url.hostname === '') throw new InvalidRequestError('ERR_INVALID_URL', 'URL has no host');
    this.scheme = scheme;
    const bracketed = url.hostname;
    this.hostname = bracketed.startsWith('[') ? bracketed.slice(1, -1) : bracketed;
    this.port = url.port === '' ? (scheme === 'http' ? 80 : 443) : Number(url.port);
    this.hostPort = `${bracketed}:${this.port}`;
    this.hostHeader = url.host;
    this.id = `${scheme}://${this.hostPort}`;
  }
}
