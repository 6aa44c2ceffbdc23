// The standard (globalThis) Response a fetch resolves with, over an httpool Response: status,
// headers as they came, url and redirected, and the body as a web stream that reads the httpool
// body only when the caller reads, so a dropped Response still frees its connection (seeds
// 000/001/003). A fetch with integrity metadata reads the whole body first (integrity.ts).

import { HttpoolError, ProtocolError, redactUrl } from '../../errors.js';
import type { Response as HpResponse } from '../../response.js';
import { integrityMatches, type Metadata } from './integrity.js';
import type { FetchTiming } from './timing.js';

/** What the response needs from its fetch. */
export interface ResponseContext {
  signal: AbortSignal | null;
  redirected: boolean;
  requestedUrl: string;
  timing: FetchTiming;
}

/**
 * The standard Response. Statuses a standard Response cannot hold (outside 200–599, e.g. 101
 * or a 6xx) reject with TypeError('fetch failed') whose cause is an ERR_PROTOCOL HttpoolError
 * naming the status: a Response faking another status would misreport it through clone().
 */
export function toFetchResponse(res: HpResponse, method: string, ctx: ResponseContext): globalThis.Response {
  const code = res.statusCode;
  if (code < 200 || code > 599) {
    throw networkError(res, new ProtocolError('ERR_PROTOCOL', `status ${code} cannot be represented by a fetch Response (200-599)`, { method, url: redactUrl(res.request.url) }));
  }
  const nullBody = method === 'HEAD' || code === 204 || code === 205 || code === 304;
  let body: ReadableStream<Uint8Array> | null = null;
  if (nullBody) {
    res.body.close().catch(() => {});
    ctx.timing.finish(ctx.requestedUrl, code, res.proto, 0, 0);
  } else {
    body = webStream(res, ctx);
  }
  return standardResponse(res, body, ctx);
}

/**
 * The Response for a fetch with integrity metadata: the body read whole and checked before the
 * fetch resolves; a mismatch rejects with TypeError('fetch failed'), cause ERR_INTEGRITY.
 */
export async function checkedResponse(res: HpResponse, method: string, metadata: readonly Metadata[], ctx: ResponseContext): Promise<globalThis.Response> {
  const code = res.statusCode;
  if (code < 200 || code > 599) return toFetchResponse(res, method, ctx);
  let bytes: Uint8Array;
  try {
    bytes = await res.body.bytes();
  } catch (err) {
    throw abortedOr(ctx.signal, new TypeError('fetch failed', { cause: err }));
  }
  if (!integrityMatches(bytes, metadata)) {
    throw new TypeError('fetch failed', {
      cause: new HttpoolError('ERR_INTEGRITY', 'integrity mismatch', { method, url: redactUrl(res.request.url) }),
    });
  }
  ctx.timing.finish(ctx.requestedUrl, code, res.proto, wireBytes(res, bytes.length), bytes.length);
  const nullBody = method === 'HEAD' || code === 204 || code === 205 || code === 304;
  return standardResponse(res, nullBody ? null : bytes, ctx);
}

function standardResponse(res: HpResponse, body: ReadableStream<Uint8Array> | Uint8Array | null, ctx: ResponseContext): globalThis.Response {
  // Pairs, not a record: each Set-Cookie stays its own field.
  const headers: [string, string][] = [];
  for (const pair of res.headers) headers.push(pair);
  let out: globalThis.Response;
  try {
    out = new globalThis.Response(body, { status: res.statusCode, statusText: res.status.slice(String(res.statusCode).length + 1), headers });
  } catch (err) {
    throw networkError(res, err);
  }
  // url and redirected are getters on the prototype; own properties shadow them (clone() does not
  // carry them over). The URL is the last hop's, without its fragment, as fetch reports it.
  const href = res.request._parts.href;
  const hash = href.indexOf('#');
  Object.defineProperty(out, 'url', { value: hash < 0 ? href : href.slice(0, hash), enumerable: true });
  if (ctx.redirected) Object.defineProperty(out, 'redirected', { value: true, enumerable: true });
  return out;
}

/** TypeError('fetch failed') with `cause`, the httpool body closed (its connection drained or let go). */
export function networkError(res: HpResponse, cause: unknown): TypeError {
  res.body.close().catch(() => {});
  return new TypeError('fetch failed', { cause });
}

/**
 * The body as a web stream. highWaterMark 0: nothing is pulled until the caller reads, so a
 * dropped Response holds no pending read that would keep its Body reachable from the connection
 * (an unread Body must stay collectable: that is how a dropped large body frees its connection).
 * Cancelling closes the httpool body: a little is drained and the connection kept.
 */
function webStream(res: HpResponse, ctx: ResponseContext): ReadableStream<Uint8Array> {
  const chunks = res.body[Symbol.asyncIterator]();
  let delivered = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let r: IteratorResult<Uint8Array>;
        try {
          r = await chunks.next();
        } catch (err) {
          // As Node's fetch: an abort errors the body with the signal's reason, a broken
          // connection with TypeError('terminated') (the httpool error as its cause).
          throw abortedOr(ctx.signal, new TypeError('terminated', { cause: err }));
        }
        if (r.done === true) {
          controller.close();
          ctx.timing.finish(ctx.requestedUrl, res.statusCode, res.proto, wireBytes(res, delivered), delivered);
        } else {
          delivered += r.value.length;
          controller.enqueue(r.value);
        }
      },
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

function wireBytes(res: HpResponse, decoded: number): number {
  const encoded = res._encodedBytes;
  return encoded < 0 ? decoded : encoded;
}

/** The signal's abort reason when it has fired (an AbortError when it gives none), else `otherwise`. */
export function abortedOr(signal: AbortSignal | null, otherwise: unknown): unknown {
  return signal?.aborted === true ? abortReason(signal) : otherwise;
}

/** An aborted signal's reason; a polyfilled signal may have none, and then it is Fetch's AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  return reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
}
