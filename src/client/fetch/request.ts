// fetch's input and init as an httpool Request, checked as the standard Request constructor
// (Fetch §6.3) checks them: bad input is a TypeError before anything is sent. Also what the rest
// of the fetch needs from them: the redirect mode, the integrity metadata, and a handle on a
// ReadableStream body so an abort can cancel it.

import { InvalidRequestError, redactText } from '../../errors.js';
import { Headers as HpHeaders } from '../../headers.js';
import { Request as HpRequest } from '../../request.js';
import { RequestBody, type BodyInit as HpBodyInit } from '../../request-body.js';
import type { ClientTrace } from '../../trace.js';
import type { RedirectMode } from './redirect.js';
import { StreamBody } from './stream-body.js';

export type FetchInput = string | URL | globalThis.Request;

/** What fetch() was asked, resolved: the request to send and the options that shape the fetch. */
export interface FetchCall {
  request: HpRequest;
  /** The URL as given, without its fragment: Resource Timing names the entry by it. */
  requestedUrl: string;
  redirect: RedirectMode;
  integrity: string;
  /** The request body when it is a stream, for cancelling it on abort. */
  stream: StreamBody | null;
}

/** RequestInit as the DOM typings have it, plus `duplex` (Fetch §6.3), which they lack. */
export type FetchInit = RequestInit & { duplex?: 'half' };

/**
 * The request a fetch sends. `signal` is the one already chosen from init and input, `trace`
 * records its timing. Throws
 * TypeError for anything the standard Request constructor would refuse.
 */
export async function buildFetchCall(input: FetchInput, init: FetchInit, signal: AbortSignal | null, clientHeaders: HpHeaders, trace: ClientTrace): Promise<FetchCall> {
  const source = input instanceof globalThis.Request ? input : null;
  // Fetch §6.3 step 29: a window other than null is refused (there is no window here).
  if (init.window !== undefined && init.window !== null) throw new TypeError("RequestInit: 'window' can only be null");
  const method = init.method !== undefined ? normalizeMethod(init.method) : (source?.method ?? 'GET');
  const href = source !== null ? source.url : input instanceof URL ? input.href : String(input);
  let url: URL;
  try {
    url = new URL(href);
  } catch (cause) {
    const text = redactText(href);
    throw new TypeError(`Failed to parse URL from ${text}`, { cause: new InvalidRequestError('ERR_INVALID_URL', `invalid URL ${JSON.stringify(text)}`, { cause }) });
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`Request cannot be constructed from a URL that includes credentials: ${redactText(href)}`);
  }

  const headers = fetchHeaders(init.headers ?? source?.headers);
  // Fetch's default Accept (§4.1 main fetch step 12), unless the caller or the Client names one.
  if (!headers.has('accept') && !clientHeaders.has('accept')) headers.set('Accept', '*/*');
  let body: HpBodyInit | RequestBody | null = null;
  let type: string | null = null;
  let stream: StreamBody | null = null;
  if (init.body !== undefined && init.body !== null) {
    ({ body, type, stream } = await extractBody(init.body, init.duplex));
  } else if (source !== null && source.body !== null) {
    // Buffered: a Request's body is usually a known string or bytes, and this way it goes out
    // with Content-Length and can be replayed on a redirect (its Content-Type is in its headers).
    body = new Uint8Array(await source.arrayBuffer());
  }
  if (body !== null && (method === 'GET' || method === 'HEAD')) {
    throw new TypeError('Request with GET/HEAD method cannot have body.');
  }
  if (type !== null && !headers.has('content-type')) headers.set('Content-Type', type);

  const request = new HpRequest(method, url, { headers, body, signal, trace });
  request._decoding = 'fetch';
  const hash = url.href.indexOf('#');
  return {
    request,
    requestedUrl: hash < 0 ? url.href : url.href.slice(0, hash),
    redirect: redirectMode(init.redirect ?? source?.redirect ?? 'follow'),
    integrity: init.integrity ?? source?.integrity ?? '',
    stream,
  };
}

function redirectMode(mode: string): RedirectMode {
  if (mode === 'follow' || mode === 'manual' || mode === 'error') return mode;
  throw new TypeError(`invalid redirect mode ${JSON.stringify(mode)}: expected 'follow', 'manual' or 'error'`);
}

/**
 * The request's header list. globalThis.Headers validates names and values as fetch does and
 * normalizes values; the names go out as the caller spelled them when given as a record or a
 * list of pairs (as Node's fetch sends them). A Headers object only hands out lower-case names,
 * so those go out in the canonical form Go gives every name (content-type → Content-Type).
 */
function fetchHeaders(init: RequestInit['headers']): HpHeaders {
  const out = new HpHeaders();
  if (init === undefined || init === null) return out;
  if (init instanceof globalThis.Headers) {
    for (const [name, value] of init) out.append(canonicalName(name), value);
    return out;
  }
  // A list of pairs may be a one-shot iterable: taken once, then checked and copied.
  const pairs = Symbol.iterator in init ? Array.from(init as Iterable<Iterable<string>>, (p) => Array.from(p)) : Object.entries(init);
  new globalThis.Headers(pairs as [string, string][]);
  for (const [name, value] of pairs) out.append(String(name), trimValue(String(value)));
  return out;
}

/** Fetch §2.2 "normalize": leading and trailing HTTP whitespace removed. */
function trimValue(value: string): string {
  return value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
}

/** Go's CanonicalMIMEHeaderKey: the first letter and each letter after a hyphen upper-cased. */
function canonicalName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** Fetch upper-cases only the six standard methods (so `patch` goes out as `patch`) and forbids three. */
function normalizeMethod(method: string): string {
  // ASCII only: toUpperCase() would turn "poſt" into "POST".
  const upper = method.replace(/[a-z]+/g, (s) => s.toUpperCase());
  if (FORBIDDEN_METHODS.has(upper)) throw new TypeError(`'${method}' HTTP method is unsupported.`);
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

type FetchBody = NonNullable<RequestInit['body']>;

/** fetch's body kinds (Fetch §5.2 extract) as httpool bodies, with the Content-Type fetch implies (null: none). */
async function extractBody(body: FetchBody, duplex: string | undefined): Promise<{ body: HpBodyInit | RequestBody; type: string | null; stream: StreamBody | null }> {
  if (typeof body === 'string') return { body, type: 'text/plain;charset=UTF-8', stream: null };
  if (body instanceof URLSearchParams) return { body, type: 'application/x-www-form-urlencoded;charset=UTF-8', stream: null };
  if (body instanceof globalThis.FormData) {
    // httpool's multipart serializer (multipart.ts: the bytes undici's would be), streamed: file
    // parts are read as they are sent, with Content-Length, and again for a 307/308. The entries
    // are taken now, as Fetch's extract does.
    const form = RequestBody.from(body);
    return { body: form, type: form.contentType, stream: null };
  }
  if (body instanceof Blob) return { body, type: body.type === '' ? null : body.type, stream: null };
  // Fetch takes a copy of buffer sources: changing the caller's buffer later must not change what is sent.
  if (body instanceof ArrayBuffer) return { body: new Uint8Array(body.slice(0)), type: null, stream: null };
  if (ArrayBuffer.isView(body)) return { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice(), type: null, stream: null };
  const streamed = body instanceof ReadableStream || (typeof body === 'object' && Symbol.asyncIterator in body);
  if (streamed) {
    // Fetch §6.3 step 36: a body that streams needs duplex 'half' (the only duplex there is).
    if (duplex !== 'half') throw new TypeError("RequestInit: duplex option is required when sending a body that streams (duplex: 'half')");
    if (body instanceof ReadableStream) {
      if (body.locked) throw new TypeError('Response body object should not be disturbed or locked');
      const stream = new StreamBody(body as ReadableStream<Uint8Array>);
      return { body: stream, type: null, stream };
    }
    // Streams and async iterables go out chunked, once (httpool refuses to send them twice).
    return { body: body as AsyncIterable<Uint8Array>, type: null, stream: null };
  }
  if (typeof body === 'object' && Symbol.iterator in body) return { body: fromIterable(body as Iterable<Uint8Array>), type: null, stream: null };
  // WebIDL: anything else is converted to a string.
  return { body: String(body as unknown), type: 'text/plain;charset=UTF-8', stream: null };
}

async function* fromIterable(chunks: Iterable<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* chunks;
}
