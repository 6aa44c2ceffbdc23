// An HTTP request as the Client and Transport see it. Validated when built, so a bad method
// or a URL with CR/LF/NUL fails here with nothing written (the writer checks again).

import { InvalidRequestError, redactText, redactUrl } from './errors.js';
import { Headers, type HeadersInit } from './headers.js';
import { RequestBody, type BodyInit } from './request-body.js';
import type { ClientTrace } from './trace.js';
import type { Cancel } from './cancel.js';

export interface RequestInit {
  headers?: HeadersInit;
  body?: BodyInit | RequestBody | null;
  signal?: AbortSignal | null;
  trace?: ClientTrace | null;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// WHATWG URL parsing silently strips tabs and newlines; refuse them before it can.
const URL_FORBIDDEN = /[\r\n\0\t]/;

export class Request {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: RequestBody | null;
  readonly signal: AbortSignal | null;
  readonly trace: ClientTrace | null;
  /** @internal The cancellation token of the exchange this request belongs to (src/cancel.ts). */
  _cancel: Cancel | null = null;

  constructor(method: string, url: string | URL, init: RequestInit = {}) {
    if (typeof method !== 'string' || !TOKEN.test(method)) {
      throw new InvalidRequestError('ERR_INVALID_METHOD', `invalid method ${JSON.stringify(String(method))}: must be an HTTP token`);
    }
    this.method = method;
    this.url = parseUrl(url);
    this.headers = init.headers instanceof Headers ? init.headers.clone() : new Headers(init.headers);
    const body = init.body ?? null;
    this.body = body === null ? null : body instanceof RequestBody ? body : RequestBody.from(body);
    this.signal = init.signal ?? null;
    this.trace = init.trace ?? null;
  }

  /** The same request with some fields changed (used for redirects, retries and timeouts). */
  with(changes: { method?: string; url?: string | URL; headers?: Headers; body?: RequestBody | null; signal?: AbortSignal | null; trace?: ClientTrace | null }): Request {
    return new Request(changes.method ?? this.method, changes.url ?? this.url, {
      headers: changes.headers ?? this.headers,
      body: changes.body === undefined ? this.body : changes.body,
      signal: changes.signal === undefined ? this.signal : changes.signal,
      trace: changes.trace === undefined ? this.trace : changes.trace,
    });
  }

  toString(): string {
    return `${this.method} ${redactUrl(this.url)}`;
  }
}

export function parseUrl(url: string | URL): URL {
  if (url instanceof URL) return url;
  if (typeof url !== 'string') {
    throw new InvalidRequestError('ERR_INVALID_URL', `invalid URL: expected a string or URL, got ${typeof url}`);
  }
  if (URL_FORBIDDEN.test(url)) {
    throw new InvalidRequestError('ERR_INVALID_URL', `invalid URL ${JSON.stringify(redactText(url))}: contains CR, LF, TAB or NUL`);
  }
  try {
    return new URL(url);
  } catch (cause) {
    throw new InvalidRequestError('ERR_INVALID_URL', `invalid URL ${JSON.stringify(redactText(url))}`, { cause });
  }
}
