// Every Transport knob, declared once: its default, what zero means, and its validation.
// Go's Transport fields with TypeScript spelling; durations are milliseconds.

import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { LookupFunction } from 'node:net';
import { InvalidRequestError } from '../errors.js';
import type { Request } from '../request.js';
import { proxyFromEnvironment } from '../proxy/environment.js';

/** Chooses the proxy for a request: a URL, or null to go direct. */
export type ProxyFunc = (req: Request) => URL | string | null;

export interface TransportOptions {
  /** Idle connections kept across all hosts; 0 = no limit. @default 100 */
  maxIdleConns?: number;
  /**
   * Idle connections kept per host. Go's default is 2, which seed 002 shows closing
   * connections after every use under modest concurrency; ours fits real concurrency.
   * 0 = the default. @default 100
   */
  maxIdleConnsPerHost?: number;
  /** Connections per host counting dialing, active and idle; 0 = no limit. Above it requests wait in FIFO order. @default 0 */
  maxConnsPerHost?: number;
  /** How long an idle connection is kept; 0 = forever (until the server closes it). @default 90_000 */
  idleConnTimeout?: number;
  /** Use each connection for one request only. @default false */
  disableKeepAlives?: boolean;
  /** false: send Accept-Encoding: gzip, deflate, br and decode transparently. @default false */
  disableCompression?: boolean;
  /** Time to establish the TCP connection; 0 = none. @default 30_000 */
  dialTimeout?: number;
  /** TCP keep-alive probe interval; 0 = disabled. @default 30_000 */
  tcpKeepAlive?: number;
  /** Time for the TLS handshake; 0 = none. @default 10_000 */
  tlsHandshakeTimeout?: number;
  /** Time from the request being written to the response head arriving; 0 = none. @default 0 */
  responseHeaderTimeout?: number;
  /** Time to wait for 100 Continue when the request says Expect: 100-continue. @default 1_000 */
  expectContinueTimeout?: number;
  /** Status line plus headers, per response. @default 1 MiB */
  maxResponseHeaderBytes?: number;
  /** On an early body close, drain at most this many bytes to keep the connection. @default 256 KiB */
  maxDrainBytes?: number;
  /** …for at most this long. @default 1_000 */
  drainTimeout?: number;
  /**
   * The proxy for each request (a URL, or null to go direct): http://, https:// (TLS to the
   * proxy), socks5:// (names resolved here) or socks5h:// (by the proxy). null: never proxy.
   * @default proxyFromEnvironment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY)
   */
  proxy?: ProxyFunc | null;
  /** node:tls options for https (ca, cert, key, servername, rejectUnauthorized…). */
  tls?: TlsOptions;
  /** Offer HTTP/2 in TLS (ALPN h2, then http/1.1) and use it when the server agrees. @default true */
  forceAttemptHTTP2?: boolean;
  /** Speak HTTP/2 without TLS to http:// origins (prior-knowledge h2c; no upgrade dance). @default false */
  unencryptedHTTP2?: boolean;
  /** PING an HTTP/2 session idle this long; 0 = never (Go's ReadIdleTimeout). @default 30_000 */
  http2PingInterval?: number;
  /** Close the session as 'health-check-failed' when a PING is not answered in this time. @default 15_000 */
  http2PingTimeout?: number;
  /** Name resolution, with dns.lookup's signature (a custom resolver; Go's Resolver). @default dns.lookup */
  lookup?: LookupFunction | null;
  /**
   * Retire an idle connection this long before the server is known to close it (from
   * `Keep-Alive: timeout=` or from closes seen earlier), so reuse does not race the server's
   * FIN (seed 003). @default 1_000, at most a tenth of the limit
   */
  idleSafetyMargin?: number;
  /** Warn (once per process) when a response is garbage-collected without its body read or closed. @default true */
  warnOnLeakedBody?: boolean;
  /** A transparently decoded body may not exceed this many bytes: ERR_BODY_TOO_LARGE, connection closed. 0 = no limit. @default 0 */
  maxDecodedBytes?: number;
  /**
   * Nor grow past this many times its compressed size once over 1 MiB (a decompression bomb:
   * gzip reaches about 1000×). 0 = no limit. @default 200
   */
  maxDecodeRatio?: number;
}

export interface ResolvedOptions {
  maxIdleConns: number;
  maxIdleConnsPerHost: number;
  maxConnsPerHost: number;
  idleConnTimeout: number;
  disableKeepAlives: boolean;
  disableCompression: boolean;
  dialTimeout: number;
  tcpKeepAlive: number;
  tlsHandshakeTimeout: number;
  responseHeaderTimeout: number;
  expectContinueTimeout: number;
  maxResponseHeaderBytes: number;
  maxDrainBytes: number;
  drainTimeout: number;
  proxy: ProxyFunc | null;
  lookup: LookupFunction | null;
  tls: TlsOptions;
  forceAttemptHTTP2: boolean;
  unencryptedHTTP2: boolean;
  http2PingInterval: number;
  http2PingTimeout: number;
  idleSafetyMargin: number;
  warnOnLeakedBody: boolean;
  maxDecodedBytes: number;
  maxDecodeRatio: number;
}

export const DEFAULTS: Readonly<ResolvedOptions> = Object.freeze({
  maxIdleConns: 100,
  maxIdleConnsPerHost: 100,
  maxConnsPerHost: 0,
  idleConnTimeout: 90_000,
  disableKeepAlives: false,
  disableCompression: false,
  dialTimeout: 30_000,
  tcpKeepAlive: 30_000,
  tlsHandshakeTimeout: 10_000,
  responseHeaderTimeout: 0,
  expectContinueTimeout: 1_000,
  maxResponseHeaderBytes: 1 << 20,
  maxDrainBytes: 256 * 1024,
  drainTimeout: 1_000,
  proxy: proxyFromEnvironment,
  lookup: null,
  tls: {},
  forceAttemptHTTP2: true,
  unencryptedHTTP2: false,
  http2PingInterval: 30_000,
  http2PingTimeout: 15_000,
  idleSafetyMargin: 1_000,
  warnOnLeakedBody: true,
  maxDecodedBytes: 0,
  maxDecodeRatio: 200,
});

const COUNTS = [
  'maxIdleConns', 'maxIdleConnsPerHost', 'maxConnsPerHost', 'idleConnTimeout', 'dialTimeout',
  'tcpKeepAlive', 'tlsHandshakeTimeout', 'responseHeaderTimeout', 'expectContinueTimeout', 'http2PingInterval', 'http2PingTimeout',
  'maxResponseHeaderBytes', 'maxDrainBytes', 'drainTimeout', 'idleSafetyMargin', 'maxDecodedBytes',
  'maxDecodeRatio',
] as const;
const FLAGS = ['disableKeepAlives', 'disableCompression', 'forceAttemptHTTP2', 'unencryptedHTTP2', 'warnOnLeakedBody'] as const;

/** Fills defaults and refuses nonsense once, so the hot path never re-checks. */
export function resolveOptions(opts: TransportOptions = {}): ResolvedOptions {
  const out: ResolvedOptions = { ...DEFAULTS, tls: { ...DEFAULTS.tls } };
  for (const key of Object.keys(opts) as (keyof TransportOptions)[]) {
    if (!(key in DEFAULTS)) {
      throw new InvalidRequestError('ERR_INVALID_OPTION', `unknown Transport option "${String(key)}"`);
    }
  }
  for (const key of COUNTS) {
    const v = opts[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || !Number.isInteger(v)) {
      throw new InvalidRequestError('ERR_INVALID_OPTION', `Transport option ${key} must be a non-negative integer, got ${String(v)}`);
    }
    out[key] = v;
  }
  for (const key of FLAGS) {
    const v = opts[key];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') {
      throw new InvalidRequestError('ERR_INVALID_OPTION', `Transport option ${key} must be a boolean, got ${String(v)}`);
    }
    out[key] = v;
  }
  // Go: "If zero, DefaultMaxIdleConnsPerHost is used."
  if (opts.maxIdleConnsPerHost === 0) out.maxIdleConnsPerHost = DEFAULTS.maxIdleConnsPerHost;
  if (opts.maxResponseHeaderBytes === 0) out.maxResponseHeaderBytes = DEFAULTS.maxResponseHeaderBytes;
  if (opts.proxy !== undefined) {
    if (opts.proxy !== null && typeof opts.proxy !== 'function') {
      throw new InvalidRequestError('ERR_INVALID_OPTION', 'Transport option proxy must be a function or null');
    }
    out.proxy = opts.proxy;
  }
  if (opts.tls !== undefined) out.tls = { ...opts.tls };
  if (opts.lookup !== undefined && opts.lookup !== null) {
    if (typeof opts.lookup !== 'function') {
      throw new InvalidRequestError('ERR_INVALID_OPTION', 'Transport option lookup must be a function (dns.lookup signature) or null');
    }
    out.lookup = opts.lookup;
  }
  return out;
}
