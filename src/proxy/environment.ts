// proxyFromEnvironment: Go's httpproxy rules (golang.org/x/net/http/httpproxy).
//
//   HTTP_PROXY / http_proxy    for http:// requests (ignored under CGI, when REQUEST_METHOD is set:
//                              a client header "Proxy:" would become HTTP_PROXY — "httpoxy")
//   HTTPS_PROXY / https_proxy  for https:// requests
//   NO_PROXY / no_proxy        comma-separated exceptions:
//       *                      nothing is proxied
//       10.0.0.0/8, ::1/128    CIDRs
//       10.1.2.3, [::2]:8080   IPs, optionally with a port
//       example.com            the domain and its subdomains
//       .example.com           subdomains only        (*.example.com is the same)
//       example.com:8080       with a port: only requests to that port
// The upper-case name wins when both are set. localhost and loopback addresses are never
// proxied. A proxy value without a scheme means http://.

import { isIP } from 'node:net';
import { InvalidRequestError } from '../errors.js';
import type { Request } from '../request.js';
import { parseProxyUrl } from './proxy-url.js';

export type Env = Readonly<Record<string, string | undefined>>;

interface Matcher {
  (host: string, port: string, ip: Ip | null): boolean;
}

/** An address as bytes, IPv4 as 4 and IPv6 as 16 (IPv4-mapped IPv6 folded to IPv4). */
type Ip = Uint8Array;

export interface ProxyConfig {
  httpProxy: URL | null;
  httpsProxy: URL | null;
  /** True when NO_PROXY is `*`. */
  noneProxied: boolean;
  matchers: Matcher[];
}

/** Reads the proxy variables from `env` (Go's FromEnvironment). */
export function proxyConfig(env: Env): ProxyConfig {
  const get = (upper: string): string => env[upper] || env[upper.toLowerCase()] || '';
  const cgi = (env['REQUEST_METHOD'] ?? '') !== '';
  const cfg: ProxyConfig = {
    httpProxy: cgi ? null : proxyValue(get('HTTP_PROXY'), 'HTTP_PROXY'),
    httpsProxy: proxyValue(get('HTTPS_PROXY'), 'HTTPS_PROXY'),
    noneProxied: false,
    matchers: [],
  };
  for (const raw of get('NO_PROXY').split(',')) {
    const p = raw.trim().toLowerCase();
    if (p === '') continue;
    if (p === '*') {
      cfg.noneProxied = true;
      break;
    }
    const m = noProxyMatcher(p);
    if (m !== null) cfg.matchers.push(m);
  }
  return cfg;
}

function proxyValue(value: string, name: string): URL | null {
  if (value === '') return null;
  try {
    return parseProxyUrl(value);
  } catch (err) {
    throw new InvalidRequestError('ERR_INVALID_OPTION', `${name}: ${(err as Error).message}`, { cause: err });
  }
}

/** What the rules look at: a URL, or a request's URL parts (which saves building the URL). */
type ProxiedUrl = Pick<URL, 'protocol' | 'hostname' | 'port'>;

/** The proxy for `url` under `cfg`, or null to go direct (Go's ProxyFunc). */
export function proxyFor(cfg: ProxyConfig, url: ProxiedUrl): URL | null {
  const proxy = url.protocol === 'https:' ? cfg.httpsProxy : url.protocol === 'http:' ? cfg.httpProxy : null;
  if (proxy === null) return null;
  return useProxy(cfg, url) ? proxy : null;
}

function useProxy(cfg: ProxyConfig, url: ProxiedUrl): boolean {
  let host = url.hostname.toLowerCase();
  if (host.startsWith('[')) host = host.slice(1, -1);
  if (host === 'localhost') return false;
  const ip = parseIp(host);
  if (ip !== null && isLoopback(ip)) return false;
  if (cfg.noneProxied) return false;
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  for (const m of cfg.matchers) if (m(host, port, ip)) return false;
  return true;
}

function noProxyMatcher(p: string): Matcher | null {
  const cidr = parseCidr(p);
  if (cidr !== null) return (_h, _p, ip) => ip !== null && inCidr(ip, cidr.net, cidr.bits);
  let host = p;
  let port = '';
  const split = splitHostPort(p);
  if (split !== null) {
    if (split.host === '') return null; // ":80" names no host: ignored, as Go does
    host = split.host;
    port = split.port;
  }
  const ip = parseIp(host);
  if (ip !== null) return (_h, reqPort, reqIp) => reqIp !== null && sameIp(ip, reqIp) && (port === '' || port === reqPort);
  if (host === '') return null;
  if (host.startsWith('*.')) host = host.slice(1);
  // "example.com" matches itself and its subdomains; ".example.com" only the subdomains.
  const matchItself = !host.startsWith('.');
  const suffix = matchItself ? `.${host}` : host;
  const bare = suffix.slice(1);
  return (reqHost, reqPort) =>
    (reqHost.endsWith(suffix) || (matchItself && reqHost === bare)) && (port === '' || port === reqPort);
}

/** "host:port" or "[v6]:port"; null when `s` has no port part (a bare name, IP or IPv6). */
function splitHostPort(s: string): { host: string; port: string } | null {
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0 || s[end + 1] !== ':') return null;
    return { host: s.slice(1, end), port: s.slice(end + 2) };
  }
  const colon = s.indexOf(':');
  if (colon < 0 || colon !== s.lastIndexOf(':')) return null; // none, or a bare IPv6 address
  return { host: s.slice(0, colon), port: s.slice(colon + 1) };
}

function parseIp(s: string): Ip | null {
  const kind = isIP(s);
  if (kind === 4) return Uint8Array.from(s.split('.').map(Number));
  if (kind !== 6) return null;
  const bytes = v6Bytes(s);
  const mapped = bytes.subarray(0, 12).every((b, i) => (i < 10 ? b === 0 : b === 0xff));
  return mapped ? bytes.slice(12) : bytes;
}

function v6Bytes(s: string): Uint8Array {
  // WHATWG URL serializes IPv6 in hex groups with one "::" (dotted IPv4 tails converted).
  const canon = new URL(`http://[${s.split('%')[0]}]/`).hostname.slice(1, -1);
  const [l, r] = canon.includes('::') ? canon.split('::') : [canon, ''];
  const left = l ? l.split(':') : [];
  const right = r ? r.split(':') : [];
  const words = [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    const n = parseInt(w, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}

function parseCidr(p: string): { net: Ip; bits: number } | null {
  const slash = p.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIp(p.slice(0, slash));
  const bitsText = p.slice(slash + 1);
  if (ip === null || !/^\d{1,3}$/.test(bitsText)) return null;
  let bits = Number(bitsText);
  // An IPv4-mapped network written in IPv6 counts its prefix over 128 bits.
  if (ip.length === 4 && isIP(p.slice(0, slash)) === 6) bits -= 96;
  if (bits < 0 || bits > ip.length * 8) return null;
  return { net: ip, bits };
}

function inCidr(ip: Ip, net: Ip, bits: number): boolean {
  if (ip.length !== net.length) return false;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip[i]! & mask) !== (net[i]! & mask)) return false;
  }
  return true;
}

function sameIp(a: Ip, b: Ip): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function isLoopback(ip: Ip): boolean {
  if (ip.length === 4) return ip[0] === 127;
  return ip.subarray(0, 15).every((b) => b === 0) && ip[15] === 1;
}

let cached: ProxyConfig | null = null;

/**
 * The default `proxy` option: the environment's proxy for this request, read once on first use
 * as Go does (a later change to process.env is not seen; `envProxy(env)` reads a given one).
 */
export function proxyFromEnvironment(req: Request): URL | null {
  cached ??= proxyConfig(process.env);
  return proxyFor(cached, req._parts);
}

/** A proxy function over a fixed environment (for tests, or to pin the variables). */
export function envProxy(env: Env): (req: Request) => URL | null {
  const cfg = proxyConfig(env);
  return (req) => proxyFor(cfg, req._parts);
}
