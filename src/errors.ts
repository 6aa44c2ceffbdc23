// Every error httpool throws. One base class with a stable `code`; the message is for people
// and may change, the code may not. Subclasses group codes by what the caller can do about
// them (retry later, fix the input, give up).

import { Headers } from './headers.js';

export type ErrorCode =
  | 'ERR_TIMEOUT'
  | 'ERR_ABORTED'
  | 'ERR_CONNECT'
  | 'ERR_DNS'
  | 'ERR_TLS'
  | 'ERR_PROXY'
  | 'ERR_PROTOCOL'
  | 'ERR_HEADERS_TOO_LARGE'
  | 'ERR_CONNECTION_CLOSED'
  | 'ERR_READ'
  | 'ERR_WRITE'
  | 'ERR_BODY_NOT_REPLAYABLE'
  | 'ERR_BODY_CONSUMED'
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_DECODE'
  | 'ERR_TOO_MANY_REDIRECTS'
  | 'ERR_REDIRECT'
  | 'ERR_INTEGRITY'
  | 'ERR_INVALID_METHOD'
  | 'ERR_INVALID_HEADER'
  | 'ERR_INVALID_URL'
  | 'ERR_INVALID_BODY'
  | 'ERR_INVALID_OPTION'
  | 'ERR_TRANSPORT_CLOSED'
  | 'ERR_BODY_LEAKED'
  /** httpool/testing: a MockTransport had no expectation for the request. */
  | 'ERR_NO_MOCK';

export interface ErrorContext {
  cause?: unknown;
  method?: string;
  url?: string;
}

export class HttpoolError extends Error {
  readonly code: ErrorCode;
  method: string | undefined;
  url: string | undefined;

  constructor(code: ErrorCode, message: string, ctx: ErrorContext = {}) {
    super(message, ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.code = code;
    this.method = ctx.method;
    this.url = ctx.url;
    if (ctx.method !== undefined || ctx.url !== undefined) {
      this.message = `${ctx.method ?? ''} ${ctx.url ?? ''}: ${message}`.trimStart();
    }
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/**
 * Which limit a TimeoutError hit (`err.timeout`), stable for code to branch on (the message may
 * change): the Client's whole-exchange or per-call `timeout` ('client'), `responseHeaderTimeout`,
 * `bodyIdleTimeout`, `dialTimeout` (TCP, a custom dial, a proxy's CONNECT or SOCKS5),
 * `tlsHandshakeTimeout`. (expectContinueTimeout fails nothing: on expiry the body is sent.)
 */
export type TimeoutKind = 'client' | 'responseHeader' | 'bodyIdle' | 'dial' | 'tlsHandshake';

/** The request did not finish in time; `timeout` says which limit fired. */
export class TimeoutError extends HttpoolError {
  /** Which limit fired; undefined only for one made by hand without it (e.g. a mock's). */
  readonly timeout: TimeoutKind | undefined;

  constructor(code: ErrorCode, message: string, ctx: ErrorContext & { timeout?: TimeoutKind } = {}) {
    super(code, message, ctx);
    this.timeout = ctx.timeout;
  }
}
/** The caller's AbortSignal fired. */
export class AbortedError extends HttpoolError {}
/** No connection could be made: DNS, refused, unreachable, dial timeout is a TimeoutError. */
export class ConnectError extends HttpoolError {}
/** The TLS handshake failed: verification, protocol version, or a server that does not speak TLS. */
export class TlsError extends ConnectError {}
/** What a ProxyError may carry besides the usual context. */
export interface ProxyErrorContext extends ErrorContext {
  /** The proxy's response header fields. */
  headers?: Headers;
}

/**
 * A proxy refused or failed the tunnel (CONNECT answered other than 2xx, a SOCKS5 refusal, an
 * onProxyConnectResponse that threw). `statusCode` is the proxy's HTTP status (407, 502…), or 0
 * when there was none (SOCKS, no answer); `headers` its response fields (a 407's
 * Proxy-Authenticate), empty when there was no HTTP answer. No request byte was sent.
 */
export class ProxyError extends ConnectError {
  readonly statusCode: number;
  readonly headers: Headers;
  constructor(message: string, statusCode: number, ctx: ProxyErrorContext = {}) {
    super('ERR_PROXY', message, ctx);
    this.statusCode = statusCode;
    this.headers = ctx.headers ?? new Headers();
  }
}
/** The server broke HTTP/1.1 framing or syntax; the connection is never reused. */
export class ProtocolError extends HttpoolError {}
/** The connection failed or closed while a request was on it. */
export class ConnectionError extends HttpoolError {}
/** The request cannot be sent as given: bad method, header, URL, body, or option. */
export class InvalidRequestError extends HttpoolError {}
/** The body cannot be (re)sent, or was already consumed, or is too large. */
export class BodyError extends HttpoolError {}
/** A redirect policy stopped the chain. */
export class RedirectError extends HttpoolError {}
/** The transport was closed while the request waited or ran. */
export class TransportClosedError extends HttpoolError {}

/**
 * Attach the request's method and URL to an error raised below the transport (the parser and
 * the connection do not know which request they serve). Errors that already carry them are
 * left as they are.
 */
export function withRequest<E extends HttpoolError>(err: E, method: string, url: string): E {
  if (err.method === undefined && err.url === undefined) {
    err.method = method;
    err.url = url;
    err.message = `${method} ${url}: ${err.message}`;
  }
  return err;
}

/** URL text for messages: passwords never appear (`***`). */
export function redactUrl(url: URL | string): string {
  const u = typeof url === 'string' ? safeParse(url) : url;
  if (u === null) return redactText(String(url));
  if (u.password === '') return u.href;
  const copy = new URL(u.href);
  copy.password = '***';
  return copy.href;
}

/**
 * Redacts `scheme://user:password@` in text that may not parse as a URL (a refused URL is
 * quoted in its own error message).
 */
export function redactText(s: string): string {
  return s.replace(/(\/\/[^/?#@\s:]*:)[^/?#\s]*@/g, '$1***@');
}

function safeParse(s: string): URL | null {
  try {
    return new URL(s);
  } catch {
    return null;
  }
}
