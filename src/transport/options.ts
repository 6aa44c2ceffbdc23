// Every Transport knob, declared once: its default, what zero means, and its validation.
// Go's Transport fields with TypeScript spelling; durations are milliseconds.

import type { ConnectionOptions as TlsOptions, TLSSocket } from 'node:tls';
import type { LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import { InvalidRequestError } from '../errors.js';
import type { Headers, HeadersInit } from '../headers.js';
import type { Request } from '../request.js';
import { connectFields } from '../proxy/connect-request.js';
import { proxyFromEnvironment } from '../proxy/environment.js';
import { eitherLookupShape } from './lookup.js';

/** Chooses the proxy for a request: a URL, or null to go direct. */
export type ProxyFunc = (req: Request) => URL | string | null;

/** Where a `dial` connects: the first hop (the target, or the proxy when there is one). */
export interface DialArgs {
  /** Host name or IP, IPv6 without brackets. */
  hostname: string;
  port: number;
  /** Aborted when dialTimeout passes or the Transport closes: stop dialing. */
  signal: AbortSignal;
}

/** Where a `dialTLS` connects (an https:// target, no proxy), and the TLS it should speak. */
export interface DialTLSArgs extends DialArgs {
  /** The name to send as SNI and verify the certificate against: `tls.servername` when set, else the URL's host ('' for an IP literal). */
  servername: string;
  /** The ALPN protocols to offer, in order ('h2', 'http/1.1'). */
  alpn: string[];
}

/** A CONNECT request as httpool sent it to a proxy (Go's connectReq, given to OnProxyConnectResponse). */
export interface ProxyConnectRequest {
  readonly method: 'CONNECT';
  /** The tunnel's target, "host:port" (IPv6 in brackets): the request target and Host. */
  readonly target: string;
  /** The fields after Host, as sent: User-Agent, the caller's, Proxy-Authorization. */
  readonly headers: Headers;
}

/** A proxy's answer to CONNECT: its head only (a tunnel has no body; a refusal's is not read). */
export interface ProxyConnectResponse {
  readonly statusCode: number;
  /** "200 Connection established", "407 Proxy Authentication Required"… */
  readonly status: string;
  readonly headers: Headers;
}

/** Fields for the CONNECT to `target` through `proxyUrl` (Go's GetProxyConnectHeader); null adds none. */
export type GetProxyConnectHeaderFunc = (proxyUrl: URL, target: string) => HeadersInit | null | Promise<HeadersInit | null>;
/** Sees every proxy's answer to CONNECT before its status is checked (Go's OnProxyConnectResponse); a throw fails the dial. */
export type OnProxyConnectResponseFunc = (proxyUrl: URL, connectRequest: ProxyConnectRequest, res: ProxyConnectResponse) => void | Promise<void>;

/** Opens the raw connection for a pool key (Go's DialContext). */
export type DialFunc = (args: DialArgs) => Promise<Duplex> | Duplex;
/** Opens a connection already secured with TLS (Go's DialTLSContext). */
export type DialTLSFunc = (args: DialTLSArgs) => Promise<TLSSocket> | TLSSocket;

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
  /**
   * Hosts with nothing open that stats() still lists one by one, the most recent kept. A host
   * with no connection, dial or waiter costs nothing else: its pool entry goes, and past this
   * many its counters are summed into stats().unlisted (and stay in the totals), so a Transport
   * that reaches a million hosts keeps a bounded amount. 0 = list only hosts with something open. @default 1000
   */
  maxHostStats?: number;
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
  /**
   * The longest wait for the next response body bytes, ms; 0 = none (undici's bodyTimeout).
   * Time the caller is not reading (the body paused for backpressure) does not count. On expiry
   * the body fails ERR_TIMEOUT (`err.timeout === 'bodyIdle'`) and the HTTP/1.1 connection closes
   * (an HTTP/2 stream is reset). A call's own `bodyIdleTimeout` overrides it. @default 0
   */
  bodyIdleTimeout?: number;
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
  /**
   * Header fields sent on every CONNECT request to an HTTP(S) proxy, after Host and User-Agent
   * (Go's ProxyConnectHeader). A User-Agent here replaces httpool's; a Proxy-Authorization here
   * replaces the one made from the proxy URL's credentials (Go lets the URL's win). Host,
   * Content-Length and Transfer-Encoding are refused: a CONNECT names its target and has no body
   * (RFC 9110 §9.3.6). @default null
   */
  proxyConnectHeader?: HeadersInit | null;
  /**
   * Called for each CONNECT with a copy of the proxy URL and the target "host:port"; the fields
   * it returns are sent instead of proxyConnectHeader, by the same rules (Go's
   * GetProxyConnectHeader). Runs within dialTimeout; a throw fails the dial with ERR_PROXY (the
   * error as cause), an invalid field with ERR_INVALID_HEADER. @default null
   */
  getProxyConnectHeader?: GetProxyConnectHeaderFunc | null;
  /**
   * Called with every proxy's answer to CONNECT, before its status is checked (Go's
   * OnProxyConnectResponse): to read a 407's Proxy-Authenticate, or refuse a tunnel. Runs
   * within dialTimeout; a throw fails the dial with ERR_PROXY, the error as cause. @default null
   */
  onProxyConnectResponse?: OnProxyConnectResponseFunc | null;
  /** node:tls options for https (ca, cert, key, servername, rejectUnauthorized…). */
  tls?: TlsOptions;
  /** Offer HTTP/2 in TLS (ALPN h2, then http/1.1) and use it when the server agrees. @default true */
  forceAttemptHTTP2?: boolean;
  /** Speak HTTP/2 without TLS to http:// origins (prior-knowledge h2c; no upgrade dance). @default false */
  unencryptedHTTP2?: boolean;
  /** PING an HTTP/2 session idle this long; 0 = never (Go's ReadIdleTimeout). @default 30_000 */
  http2PingInterval?: number;
  /**
   * Close the session as 'health-check-failed' when a PING is not answered in this time; also how
   * long a new session waits for the server's first SETTINGS. 0 = the default, as in Go. @default 15_000
   */
  http2PingTimeout?: number;
  /**
   * Name resolution, with dns.lookup's signature (a custom resolver; Go's Resolver). Either
   * callback shape will do: one address (`cb(null, '10.0.0.1', 4)`) or all of them
   * (`cb(null, [{ address, family }])`). @default dns.lookup
   */
  lookup?: LookupFunction | null;
  /**
   * Opens the raw connection instead of httpool's TCP dial (Go's DialContext): a net.Socket, or
   * any Duplex. It is given the first hop (the proxy when there is one); TLS, proxy handshakes,
   * HTTP/1.1 and HTTP/2 run over what it returns. dialTimeout bounds it (a net.Socket still
   * connecting is waited for, then given TCP_NODELAY and tcpKeepAlive as httpool's own are), and
   * a socket it returns after the timeout is destroyed. @default null (TCP)
   */
  dial?: DialFunc | null;
  /**
   * Opens the connection to an https:// target reached without a proxy, TLS included (Go's
   * DialTLSContext); of the `tls` option only servername reaches it (as `servername`). A socket
   * still handshaking is waited for, under dialTimeout, and its ALPN protocol picks HTTP/2 or
   * HTTP/1.1. @default null
   */
  dialTLS?: DialTLSFunc | null;
  /**
   * Every connection goes to this Unix domain socket; the URL still gives the scheme and Host
   * (`http://localhost/v1.43/containers/json` for Docker's API). No proxy is used, so it cannot
   * be combined with `proxy`, nor with `dial` or `dialTLS`. @default null
   */
  socketPath?: string | null;
  /**
   * Retire an idle connection this long before the server is known to close it (from
   * `Keep-Alive: timeout=` or from closes seen earlier), so reuse does not race the server's
   * FIN (seed 003). @default 1_000, at most a tenth of the limit
   */
  idleSafetyMargin?: number;
  /**
   * A request that could not be sent again if its connection died under it (not replayable: a
   * POST or PATCH without an Idempotency-Key, or a body that cannot be produced twice) does not
   * take an HTTP/1.1 connection idle longer than this, ms: it dials a new one, and the idle ones
   * stay for other requests. A server may close a kept-alive connection at the instant a request
   * reaches it (its idle timeout, or Apache dropping idle connections when its workers are all
   * busy); a replayable request then goes again on another connection, this one would fail.
   * 0 = no limit (Go's behaviour). @default 1_000
   */
  unreplayableMaxIdle?: number;
  /** Warn (once per process) when a response is garbage-collected without its body read or closed. @default true */
  warnOnLeakedBody?: boolean;
  /**
   * Warn (process.emitWarning, type HttpoolPoolWarning) when the pool's own figures show it
   * mis-sized or misused: connections closed by a too-small idle cap and dialed again
   * (HTTPOOL_POOL_CHURN), low reuse (HTTPOOL_POOL_LOW_REUSE), long waits for maxConnsPerHost
   * (HTTPOOL_POOL_WAIT), bodies leaked again and again (HTTPOOL_POOL_LEAKS), a Transport made per
   * call (HTTPOOL_TRANSPORT_PER_CALL). Once per host and cause in 10 minutes; transport.advice()
   * returns the findings either way. @default true
   */
  warnOnPoolMisuse?: boolean;
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
  maxHostStats: number;
  idleConnTimeout: number;
  disableKeepAlives: boolean;
  disableCompression: boolean;
  dialTimeout: number;
  tcpKeepAlive: number;
  tlsHandshakeTimeout: number;
  responseHeaderTimeout: number;
  bodyIdleTimeout: number;
  expectContinueTimeout: number;
  maxResponseHeaderBytes: number;
  maxDrainBytes: number;
  drainTimeout: number;
  proxy: ProxyFunc | null;
  /** Flat [name, value, …], checked; empty when none. */
  proxyConnectHeader: readonly string[];
  getProxyConnectHeader: GetProxyConnectHeaderFunc | null;
  onProxyConnectResponse: OnProxyConnectResponseFunc | null;
  lookup: LookupFunction | null;
  dial: DialFunc | null;
  dialTLS: DialTLSFunc | null;
  socketPath: string | null;
  tls: TlsOptions;
  forceAttemptHTTP2: boolean;
  unencryptedHTTP2: boolean;
  http2PingInterval: number;
  http2PingTimeout: number;
  idleSafetyMargin: number;
  unreplayableMaxIdle: number;
  warnOnLeakedBody: boolean;
  warnOnPoolMisuse: boolean;
  maxDecodedBytes: number;
  maxDecodeRatio: number;
}

export const DEFAULTS: Readonly<ResolvedOptions> = Object.freeze({
  maxIdleConns: 100,
  maxIdleConnsPerHost: 100,
  maxConnsPerHost: 0,
  maxHostStats: 1000,
  idleConnTimeout: 90_000,
  disableKeepAlives: false,
  disableCompression: false,
  dialTimeout: 30_000,
  tcpKeepAlive: 30_000,
  tlsHandshakeTimeout: 10_000,
  responseHeaderTimeout: 0,
  bodyIdleTimeout: 0,
  expectContinueTimeout: 1_000,
  maxResponseHeaderBytes: 1 << 20,
  maxDrainBytes: 256 * 1024,
  drainTimeout: 1_000,
  proxy: proxyFromEnvironment,
  proxyConnectHeader: Object.freeze([]),
  getProxyConnectHeader: null,
  onProxyConnectResponse: null,
  lookup: null,
  dial: null,
  dialTLS: null,
  socketPath: null,
  tls: {},
  forceAttemptHTTP2: true,
  unencryptedHTTP2: false,
  http2PingInterval: 30_000,
  http2PingTimeout: 15_000,
  idleSafetyMargin: 1_000,
  unreplayableMaxIdle: 1_000,
  warnOnLeakedBody: true,
  warnOnPoolMisuse: true,
  maxDecodedBytes: 0,
  maxDecodeRatio: 200,
});

const COUNTS = [
  'maxIdleConns', 'maxIdleConnsPerHost', 'maxConnsPerHost', 'maxHostStats', 'idleConnTimeout', 'dialTimeout',
  'tcpKeepAlive', 'tlsHandshakeTimeout', 'responseHeaderTimeout', 'bodyIdleTimeout', 'expectContinueTimeout', 'http2PingInterval', 'http2PingTimeout',
  'maxResponseHeaderBytes', 'maxDrainBytes', 'drainTimeout', 'idleSafetyMargin', 'maxDecodedBytes',
  'maxDecodeRatio', 'unreplayableMaxIdle',
] as const;
const FLAGS = ['disableKeepAlives', 'disableCompression', 'forceAttemptHTTP2', 'unencryptedHTTP2', 'warnOnLeakedBody', 'warnOnPoolMisuse'] as const;

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
  // Go's http2 Transport: a zero PingTimeout is 15 s. A wait of nothing would close every
  // session at its first health check, and give the server no time to send its SETTINGS.
  if (opts.http2PingTimeout === 0) out.http2PingTimeout = DEFAULTS.http2PingTimeout;
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
    out.lookup = eitherLookupShape(opts.lookup);
  }
  for (const key of ['dial', 'dialTLS'] as const) {
    const fn = opts[key];
    if (fn === undefined || fn === null) continue;
    if (typeof fn !== 'function') {
      throw new InvalidRequestError('ERR_INVALID_OPTION', `Transport option ${key} must be a function or null, got ${typeof fn}`);
    }
  }
  out.dial = opts.dial ?? null;
  out.dialTLS = opts.dialTLS ?? null;
  resolveSocketPath(opts, out);
  resolveProxyConnect(opts, out);
  return out;
}

/** The CONNECT options: functions or null, and fields checked once here (connect-request.ts's rules). */
function resolveProxyConnect(opts: TransportOptions, out: ResolvedOptions): void {
  for (const key of ['getProxyConnectHeader', 'onProxyConnectResponse'] as const) {
    const fn = opts[key];
    if (fn !== undefined && fn !== null && typeof fn !== 'function') {
      throw new InvalidRequestError('ERR_INVALID_OPTION', `Transport option ${key} must be a function or null, got ${typeof fn}`);
    }
  }
  out.getProxyConnectHeader = opts.getProxyConnectHeader ?? null;
  out.onProxyConnectResponse = opts.onProxyConnectResponse ?? null;
  const init = opts.proxyConnectHeader;
  if (init === undefined || init === null) return;
  if (typeof init !== 'object') {
    throw new InvalidRequestError('ERR_INVALID_OPTION', `Transport option proxyConnectHeader must be headers (an object, pairs or a Headers) or null, got ${typeof init}`);
  }
  try {
    out.proxyConnectHeader = Object.freeze(connectFields(init));
  } catch (err) {
    throw new InvalidRequestError('ERR_INVALID_OPTION', `Transport option proxyConnectHeader: ${(err as Error).message}`, { cause: err });
  }
}

/** socketPath names the one server every connection reaches: nothing else may choose a route. */
function resolveSocketPath(opts: TransportOptions, out: ResolvedOptions): void {
  const path = opts.socketPath;
  if (path === undefined || path === null) return;
  if (typeof path !== 'string' || path === '') {
    throw new InvalidRequestError('ERR_INVALID_OPTION', `Transport option socketPath must be a non-empty string or null, got ${JSON.stringify(path)}`);
  }
  for (const other of ['dial', 'dialTLS', 'proxy'] as const) {
    if (opts[other] !== undefined && opts[other] !== null) {
      throw new InvalidRequestError('ERR_INVALID_OPTION', `Transport options socketPath and ${other} cannot be combined: socketPath is where every connection goes`);
    }
  }
  out.socketPath = path;
  // Not proxyFromEnvironment either: HTTP_PROXY must not turn requests to a local socket into proxy requests.
  out.proxy = null;
}
