// A proxy URL and what dialing through it needs: where to connect, how (forward, CONNECT tunnel,
// SOCKS5), and the credentials. Go's defaults: no scheme means http://; ports default to 80
// (http), 443 (https) and 1080 (socks5).

import { InvalidRequestError, redactText, redactUrl } from '../errors.js';

export type ProxyScheme = 'http' | 'https' | 'socks5' | 'socks5h';

const PORTS: Record<ProxyScheme, number> = { http: 80, https: 443, socks5: 1080, socks5h: 1080 };

/** Parses a proxy setting: a value without a scheme ("proxy:3128") means http://. */
export function parseProxyUrl(value: string | URL): URL {
  if (value instanceof URL) return checked(value);
  // Go retries any unknown scheme as http://value; only a value with no scheme at all is
  // retried here, so "ftp://p" is refused instead of becoming a proxy named "ftp".
  const text = value.includes('://') ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    throw new InvalidRequestError('ERR_INVALID_OPTION', `invalid proxy URL "${redactText(value)}"`, { cause: err });
  }
  return checked(url);
}

function checked(url: URL): URL {
  const scheme = url.protocol.slice(0, -1);
  if (!(scheme in PORTS)) {
    throw new InvalidRequestError('ERR_INVALID_OPTION', `unsupported proxy scheme "${scheme}" (http, https, socks5, socks5h)`);
  }
  if (url.hostname === '') throw new InvalidRequestError('ERR_INVALID_OPTION', `proxy URL "${redactUrl(url)}" has no host`);
  return url;
}

export class ProxyTarget {
  readonly scheme: ProxyScheme;
  /** Host name or IP to dial (IPv6 without brackets). */
  readonly hostname: string;
  readonly port: number;
  readonly hostPort: string;
  readonly username: string;
  readonly password: string;
  /** `Basic …` for Proxy-Authorization, or null without credentials. */
  readonly authorization: string | null;
  /** The URL with the password masked, for stats keys, traces and errors. */
  readonly display: string;
  /** The full identity, credentials included: proxies that differ in it never share connections. */
  readonly identity: string;
  /** The URL as chosen, credentials included: the CONNECT hooks get a fresh URL of it (Go passes cm.proxyURL). */
  readonly href: string;

  constructor(url: URL) {
    this.href = url.href;
    this.scheme = url.protocol.slice(0, -1) as ProxyScheme;
    const h = url.hostname;
    this.hostname = h.startsWith('[') ? h.slice(1, -1) : h;
    this.port = url.port === '' ? PORTS[this.scheme] : Number(url.port);
    this.hostPort = `${h}:${this.port}`;
    this.username = decodeURIComponent(url.username);
    this.password = decodeURIComponent(url.password);
    this.authorization =
      url.username === '' && url.password === ''
        ? null
        : `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
    const user = url.username === '' ? '' : url.password === '' ? `${url.username}@` : `${url.username}:***@`;
    this.display = `${this.scheme}://${user}${this.hostPort}`;
    this.identity = `${this.scheme}://${url.username}:${url.password}@${this.hostPort}`;
  }

  /** SOCKS5 proxies take the target name; socks5 (curl's meaning) resolves it here first. */
  get isSocks(): boolean {
    return this.scheme === 'socks5' || this.scheme === 'socks5h';
  }
}
