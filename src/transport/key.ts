// The pool key (Go's connectMethodKey): which connections may serve which requests.
//
//   target                 proxy                      → key id
//   http://127.0.0.1:8080  none                       → "http://127.0.0.1:8080"
//   https://example.com    none                       → "https://example.com:443"
//   https://example.com    http://u:pw@proxy:3128     → "https://example.com:443 via http://u:***@proxy:3128#1"
//   http://example.com     http://proxy:3128          → "http://* via http://proxy:3128"
//   http://example.com     socks5h://proxy:1080       → "http://example.com:80 via socks5h://proxy:1080"
// Plain http:// through an HTTP proxy sends absolute-form requests, so one connection to the
// proxy serves every target (Go drops the target from that key). Everything else is a tunnel to
// one target. Proxy credentials are part of the identity but never of the text: a password is
// shown as *** plus a number the Transport gives each distinct set of credentials.
// How the first hop is reached (a user's dial/dialTLS, socketPath) is set per Transport, so it
// is the same for every key of a pool and not part of any.

import { InvalidRequestError } from '../errors.js';
import type { ProxyTarget } from '../proxy/proxy-url.js';
import { HeadCache } from './head-cache.js';

/** direct; forward = absolute-form through an HTTP proxy; tunnel = CONNECT; socks = SOCKS5. */
export type Route = 'direct' | 'forward' | 'tunnel' | 'socks';

export class PoolKey {
  readonly scheme: 'http' | 'https';
  /** Host name or IP of the target (IPv6 without brackets). */
  readonly hostname: string;
  readonly port: number;
  /** The target's "host:port", IPv6 in brackets (CONNECT's authority). */
  readonly targetHostPort: string;
  /** What getConn reports: the address dialed, the proxy's when there is one (Go's cm.addr()). */
  readonly hostPort: string;
  readonly proxy: ProxyTarget | null;
  readonly route: Route;
  readonly id: string;
  /** The last request head sent with this key, for requests that repeat it (head-cache.ts). */
  readonly heads = new HeadCache();
  /** The text the Transport found this key under (its scheme, host and proxy identity), set by the Transport. */
  probe = '';

  constructor(url: Pick<URL, 'protocol' | 'hostname' | 'port'>, proxy: ProxyTarget | null = null, credentialTag = 0) {
    const scheme = url.protocol === 'http:' ? 'http' : url.protocol === 'https:' ? 'https' : null;
    if (scheme === null) {
      throw new InvalidRequestError('ERR_INVALID_URL', `unsupported protocol scheme "${url.protocol.replace(/:$/, '')}"`);
    }
    if (url.hostname === '') throw new InvalidRequestError('ERR_INVALID_URL', 'URL has no host');
    this.scheme = scheme;
    const bracketed = url.hostname;
    this.hostname = bracketed.startsWith('[') ? bracketed.slice(1, -1) : bracketed;
    this.port = url.port === '' ? (scheme === 'http' ? 80 : 443) : Number(url.port);
    this.targetHostPort = `${bracketed}:${this.port}`;
    this.proxy = proxy;
    if (proxy === null) {
      this.route = 'direct';
      this.hostPort = this.targetHostPort;
      this.id = `${scheme}://${this.targetHostPort}`;
      return;
    }
    this.route = proxy.isSocks ? 'socks' : scheme === 'http' ? 'forward' : 'tunnel';
    this.hostPort = proxy.hostPort;
    const via = `${proxy.display}${credentialTag > 0 ? `#${credentialTag}` : ''}`;
    this.id = this.route === 'forward' ? `http://* via ${via}` : `${scheme}://${this.targetHostPort} via ${via}`;
  }
}
