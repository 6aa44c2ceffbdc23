// fetch over a Client: the WHATWG fetch signature and a standard (globalThis) Response, so code
// written for fetch gets httpool's pool (seeds 000/001/003: a response checked for its status
// and dropped keeps its connection). Layer: policy, beside client.ts (redirects, timeout,
// cookies, default headers: all of it applies here too) and default-client.ts (the shared client
// the plain `fetch` runs on). Connections stay the business of the Client's transport.
//
// Names: fetch's Request/Response/Headers are the globals; httpool's own are imported as
// Hp* aliases.

import { HttpoolError, ProtocolError, redactUrl } from '../errors.js';
import { Headers as HpHeaders } from '../headers.js';
import { Request as HpRequest } from '../request.js';
import type { BodyInit as HpBodyInit } from '../request-body.js';
import type { Response as HpResponse } from '../response.js';
import { Client } from './client.js';
import { defaultClient } from './default-client.js';
import { useLastResponse, type CheckRedirect } from './redirect.js';

type FetchInput = string | URL | globalThis.Request;
type RedirectMode = 'follow' | 'manual' | 'error';

/** WHATWG fetch on the default client (its shared transport, 30 s whole-exchange timeout). */
export function fetch(input: FetchInput, init?: RequestInit): Promise<globalThis.Response> {
  return fetchWith(defaultClient, input, init);
}

/** A fetch that sends through `client`: its transport, timeout, jar, default headers and checkRedirect. */
export function createFetch(client: Client): typeof fetch {
  return (input, init) => fetchWith(client, input, init);
}

async function fetchWith(client: Client, input: FetchInput, options: RequestInit | undefined): Promise<globalThis.Response> {
  const init = options ?? {};
  const source = input instanceof globalThis.Request ? input : null;
  // init overrides the Request input field by field, as `new Request(input, init)` would.
  const signal = 'signal' in init ? (init.signal ?? null) : (source?.signal ?? null);
  if (signal?.aborted) throw abortReason(signal);
  const redirect = redirectMode(init.redirect ?? source?.redirect ?? 'follow');

  let req: HpRequest;
  try {
    req = await buildRequest(client, input, source, init, signal);
  } catch (err) {
    // Bad input is a TypeError in fetch (Request's constructor throws one), not a network error.
    throw err instanceof HttpoolError ? new TypeError(err.message, { cause: err }) : err;
  }

  // A Client per call: the redirect mode needs its own checkRedirect, and `redirected` needs
  // this call's hop count. It only holds references (transport, jar) and a copy of the default
  // headers, so it costs next to nothing and never goes stale when the caller's client changes.
  let hops = 0;
  const base = client.checkRedirect;
  const checkRedirect: CheckRedirect =
    redirect === 'manual'
      ? () => useLastResponse
      : redirect === 'error'
        ? (next) => {
            throw new TypeError(`unexpected redirect to ${redactUrl(next.url)} (redirect: 'error')`);
          }
        : (next, via) => {
            const r = base(next, via);
            if (r !== useLastResponse) hops++;
            return r;
          };
  const sender = new Client({ transport: client.transport, timeout: client.timeout, jar: client.jar, headers: client.headers, checkRedirect });

  let res: HpResponse;
  try {
    res = await sender.do(req);
  } catch (err) {
    // Node's fetch: an aborted fetch rejects with the signal's reason; anything else that stops
    // the exchange is TypeError('fetch failed') with the cause kept, so the httpool code is reachable.
    if (signal?.aborted) throw abortReason(signal);
    throw new TypeError('fetch failed', { cause: err });
  }
  return toFetchResponse(res, req.method, hops > 0, signal);
}

function redirectMode(mode: string): RedirectMode {
  if (mode === 'follow' || mode === 'manual' || mode === 'error') return mode;
  throw new TypeError(`invalid redirect mode ${JSON.stringify(mode)}: expected 'follow', 'manual' or 'error'`);
}

/** The signal's reason, typed: AbortSignal.reason is `any` in the DOM typings. */
function abortReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  return reason;
}

async function buildRequest(client: Client, input: FetchInput, source: globalThis.Request | null, init: RequestInit, signal: AbortSignal | null): Promise<HpRequest> {
  const method = init.method !== undefined ? normalizeMethod(init.method) : (source?.method ?? 'GET');
  const url = source !== null ? source.url : input instanceof URL ? input.href : String(input);

  // globalThis.Headers takes every HeadersInit shape and validates names and values as fetch does.
  const headers = new HpHeaders();
  const headersInit = init.headers ?? source?.headers;
  if (headersInit !== undefined) for (const [name, value] of new globalThis.Headers(headersInit)) headers.append(name, value);

  let body: HpBodyInit | null = null;
  let type: string | null = null;
  if (init.body !== undefined && init.body !== null) {
    ({ body, type } = await extractBody(init.body));
  } else if (source !== null && source.body !== null) {
    // Buffered: a Request's body is usually a known string or bytes, and this way it goes out
    // with Content-Length and can be replayed on a 307/308 (its Content-Type is in its headers).
    body = new Uint8Array(await source.arrayBuffer());
  }
  if (body !== null && (method === 'GET' || method === 'HEAD')) {
    throw new TypeError('Request with GET/HEAD method cannot have body.');
  }
  if (type !== null && !headers.has('content-type')) headers.set('Content-Type', type);
  // Fetch's default Accept, unless the caller or the Client's default headers name one.
  if (!headers.has('accept') && !client.headers.has('accept')) headers.set('Accept', '*/*');
  return new HpRequest(method, url, { headers, body, signal });
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

/** fetch's body kinds as httpool bodies, with the Content-Type fetch implies (null: none). */
async function extractBody(body: FetchBody): Promise<{ body: HpBodyInit; type: string | null }> {
  if (typeof body === 'string') return { body, type: 'text/plain;charset=UTF-8' };
  if (body instanceof URLSearchParams) return { body, type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (body instanceof globalThis.FormData) {
    // The platform's own multipart serializer, boundary included in its Content-Type.
    const r = new globalThis.Response(body);
    return { body: new Uint8Array(await r.arrayBuffer()), type: r.headers.get('content-type') };
  }
  if (body instanceof Blob) return { body, type: body.type === '' ? null : body.type };
  // Fetch takes a copy of buffer sources: changing the caller's buffer later must not change what is sent.
  if (body instanceof ArrayBuffer) return { body: new Uint8Array(body.slice(0)), type: null };
  if (ArrayBuffer.isView(body)) return { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice(), type: null };
  // Streams and async iterables go out chunked, once (httpool refuses to send them twice).
  if (body instanceof ReadableStream) return { body: body as ReadableStream<Uint8Array>, type: null };
  if (typeof body === 'object' && Symbol.asyncIterator in body) return { body, type: null };
  if (typeof body === 'object' && Symbol.iterator in body) return { body: fromIterable(body), type: null };
  // WebIDL: anything else is converted to a string.
  return { body: String(body as unknown), type: 'text/plain;charset=UTF-8' };
}

async function* fromIterable(chunks: Iterable<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* chunks;
}

/**
 * The standard Response over an httpool one. Statuses a standard Response cannot hold (outside
 * 200–599, e.g. 101 or a 6xx) reject with TypeError('fetch failed') whose cause is an
 * ERR_PROTOCOL HttpoolError naming the status: a Response faking another status would misreport
 * it through clone() and friends.
 */
function toFetchResponse(res: HpResponse, method: string, redirected: boolean, signal: AbortSignal | null): globalThis.Response {
  const code = res.statusCode;
  if (code < 200 || code > 599) {
    res.body.close().catch(() => {});
    throw new TypeError('fetch failed', {
      cause: new ProtocolError('ERR_PROTOCOL', `status ${code} cannot be represented by a fetch Response (200-599)`, {
        method,
        url: redactUrl(res.request.url),
      }),
    });
  }
  const nullBody = method === 'HEAD' || code === 204 || code === 205 || code === 304;
  if (nullBody) res.body.close().catch(() => {});
  // Pairs, not a record: each Set-Cookie stays its own field.
  const headers: [string, string][] = [];
  for (const pair of res.headers) headers.push(pair);
  let out: globalThis.Response;
  try {
    out = new globalThis.Response(nullBody ? null : webStream(res, signal), {
      status: code,
      statusText: res.status.slice(String(code).length + 1),
      headers,
    });
  } catch (err) {
    res.body.close().catch(() => {});
    throw new TypeError('fetch failed', { cause: err });
  }
  // url and redirected are getters on the prototype; own properties shadow them (clone() does not
  // carry them over). The URL is the last hop's, without its fragment, as fetch reports it.
  const href = res.request._parts.href;
  const hash = href.indexOf('#');
  Object.defineProperty(out, 'url', { value: hash < 0 ? href : href.slice(0, hash), enumerable: true });
  if (redirected) Object.defineProperty(out, 'redirected', { value: true, enumerable: true });
  return out;
}

/**
 * The body as a web stream. highWaterMark 0: nothing is pulled until the caller reads, so a
 * dropped Response holds no pending read that would keep its Body reachable from the connection
 * (an unread Body must stay collectable: that is how a dropped large body frees its connection).
 * Cancelling closes the httpool body: a little is drained and the connection kept.
 */
function webStream(res: HpResponse, signal: AbortSignal | null): ReadableStream<Uint8Array> {
  const chunks = res.body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let r: IteratorResult<Uint8Array>;
        try {
          r = await chunks.next();
        } catch (err) {
          // As Node's fetch: an abort errors the body with the signal's reason, a broken
          // connection with TypeError('terminated') (the httpool error as its cause).
          throw signal?.aborted ? abortReason(signal) : new TypeError('terminated', { cause: err });
        }
        if (r.done === true) controller.close();
        else controller.enqueue(r.value);
      },
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
