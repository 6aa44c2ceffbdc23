// An HTTP request as the Client and Transport see it. Validated when built, so a bad method
// or a URL with CR/LF/NUL fails here with nothing written (the writer checks again).

import { InvalidRequestError, redactUrl } from './errors.js';
import { validateHost } from './h1/write.js';
import { Headers, type HeadersInit } from './headers.js';
import { RequestBody, type BodyInit } from './request-body.js';
import type { ClientTrace } from './trace.js';
import type { Cancel } from './cancel.js';
import { parseUrl, parseUrlParts, partsOf, type UrlParts } from './url-parts.js';

export interface RequestInit {
  headers?: HeadersInit;
  /**
   * The Host to send instead of the URL's (Go's Request.Host): `host[:port]`. The URL still
   * decides where to connect (and the pool key, TLS name and cookies); only the Host field (and
   * HTTP/2's :authority) change. A `Host` header does the same; this wins over it. Kept through
   * a redirect to a relative Location, dropped on any other (Go's Client, issue 22233).
   * @default null (the URL's host)
   */
  host?: string | null;
  body?: BodyInit | RequestBody | null;
  signal?: AbortSignal | null;
  trace?: ClientTrace | null;
  /**
   * This exchange's whole-exchange limit in ms, instead of the Client's (0 = none for this call).
   * Only a Client applies it; a Transport alone ignores it.
   * @default the Client's timeout
   */
  timeout?: number;
  /** ms from the request written to the response head, instead of the Transport's (0 = none). */
  responseHeaderTimeout?: number;
  /**
   * The longest wait in ms for the next response body bytes, instead of the Transport's (0 =
   * none); time the caller is not reading does not count.
   */
  bodyIdleTimeout?: number;
}

/** The per-call limits a Request carries (undefined: the Client's or Transport's). */
export interface RequestTimeouts {
  timeout?: number | undefined;
  responseHeaderTimeout?: number | undefined;
  bodyIdleTimeout?: number | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export class Request {
  readonly method: string;
  readonly headers: Headers;
  readonly body: RequestBody | null;
  readonly signal: AbortSignal | null;
  readonly trace: ClientTrace | null;
  /** The Host sent instead of the URL's (Go's Request.Host), or null for the URL's (or a Host header's). */
  readonly host: string | null;
  /** Per-call limits (RequestInit's timeout, responseHeaderTimeout, bodyIdleTimeout); undefined fields defer to the Client/Transport. */
  readonly timeouts: Readonly<RequestTimeouts> | undefined;
  /** @internal The cancellation token of the exchange this request belongs to (src/cancel.ts). */
  _cancel: Cancel | null = null;
  /**
   * @internal Whose rule decides which response bodies are decoded (decode.ts): Go's for the
   * Client, the Fetch standard's for fetch.
   */
  _decoding: 'go' | 'fetch' = 'go';
  /**
   * @internal Sends so far of the logical request this Request belongs to (request-events.ts's
   * resendCount), shared with its cookie copies and redirect hops; made only when request events
   * have a subscriber.
   */
  _sends: { n: number } | null = null;
  /** Built on first use: the transport works from the parts (url-parts.ts). */
  #url: URL | null;
  #parts: UrlParts | null;

  constructor(method: string, url: string | URL, init: RequestInit = {}) {
    if (typeof method !== 'string' || !TOKEN.test(method)) {
      throw new InvalidRequestError('ERR_INVALID_METHOD', `invalid method ${JSON.stringify(String(method))}: must be an HTTP token`);
    }
    this.method = method;
    if (typeof url === 'string') {
      this.#parts = parseUrlParts(url);
      this.#url = null;
    } else {
      this.#url = parseUrl(url);
      this.#parts = null;
    }
    this.headers = init.headers instanceof Headers ? init.headers.clone() : new Headers(init.headers);
    const body = init.body ?? null;
    this.body = body === null ? null : body instanceof RequestBody ? body : RequestBody.from(body);
    this.signal = init.signal ?? null;
    this.trace = init.trace ?? null;
    const host = init.host ?? null;
    // Go's zero value: an empty Host means the URL's.
    if (host !== null && host !== '') validateHost(host);
    this.host = host === '' ? null : host;
    // Most requests set none: no object for them, and nothing to check on the hot path.
    this.timeouts =
      init.timeout === undefined && init.responseHeaderTimeout === undefined && init.bodyIdleTimeout === undefined
        ? undefined
        : checkTimeouts(init);
  }

  /** The request's URL (the caller's own URL object when one was given). */
  get url(): URL {
    return (this.#url ??= new URL(this.#parts!.href));
  }

  /** @internal What the transport needs of the URL, without building a URL object. */
  get _parts(): UrlParts {
    const url = this.#url;
    const parts = this.#parts;
    if (url === null) return parts!;
    // A URL object is the caller's, and may have been changed since: the parts follow it.
    return parts !== null && parts.href === url.href ? parts : (this.#parts = partsOf(url));
  }

  /** The same request with some fields changed (used for redirects, retries and timeouts). */
  with(changes: {
    method?: string;
    url?: string | URL;
    headers?: Headers;
    body?: RequestBody | null;
    signal?: AbortSignal | null;
    trace?: ClientTrace | null;
    host?: string | null;
    timeouts?: RequestTimeouts | undefined;
  }): Request {
    const out = new Request(changes.method ?? this.method, changes.url ?? this.#url ?? this.#parts!.href, {
      headers: changes.headers ?? this.headers,
      body: changes.body === undefined ? this.body : changes.body,
      signal: changes.signal === undefined ? this.signal : changes.signal,
      trace: changes.trace === undefined ? this.trace : changes.trace,
      host: changes.host === undefined ? this.host : changes.host,
      ...('timeouts' in changes ? changes.timeouts : this.timeouts),
    });
    out._decoding = this._decoding;
    out._sends = this._sends;
    return out;
  }

  toString(): string {
    return `${this.method} ${redactUrl(this.url)}`;
  }
}

function checkTimeouts(init: RequestTimeouts): RequestTimeouts {
  const out: RequestTimeouts = {};
  for (const key of ['timeout', 'responseHeaderTimeout', 'bodyIdleTimeout'] as const) {
    const v = init[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new InvalidRequestError('ERR_INVALID_OPTION', `${key} must be a non-negative number of ms, got ${String(v)}`);
    }
    out[key] = v;
  }
  return out;
}
