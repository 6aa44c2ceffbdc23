// fetch over the pool: the WHATWG signature and a standard (globalThis) Response, so code written
// for fetch gets httpool's connections (seeds 000/001/003: a response checked for its status and
// dropped keeps its connection). fetch is its own policy over the same Transport as the Client:
// where the Fetch standard and Go disagree it follows the standard (redirect.ts beside this
// file; decoding, in ../../decode.ts) and the Client keeps Go's rules. From a Client it keeps
// the transport, the cookie jar, the default headers, a checkRedirect the caller chose, and the
// timeout only when one was chosen (Node's fetch has none: callers pass a signal).
//
// Names: fetch's Request/Response/Headers are the globals; httpool's own are imported as Hp*.

import { HttpoolError, ProxyError, redactUrl } from '../../errors.js';
import type { Response as HpResponse } from '../../response.js';
import type { Client } from '../client.js';
import { defaultClient } from '../default-client.js';
import { parseIntegrity } from './integrity.js';
import { FetchRedirects } from './redirect.js';
import { buildFetchCall, type FetchCall, type FetchInit, type FetchInput } from './request.js';
import { abortedOr, abortReason, checkedResponse, networkError, toFetchResponse, type ResponseContext } from './response.js';
import { FetchTiming } from './timing.js';

/** WHATWG fetch on the shared default transport: Fetch's rules, no timeout of its own (as Node's fetch). */
export function fetch(input: FetchInput, init: FetchInit | undefined = undefined): Promise<globalThis.Response> {
  return fetchWith(defaultClient, input, init);
}

/** A fetch that sends through `client`: its transport, cookie jar and default headers, and its timeout if one was set. */
export function createFetch(client: Client): typeof fetch {
  // Named and shaped as the global (fetch.length === 1).
  return {
    fetch: (input: FetchInput, init: FetchInit | undefined = undefined) => fetchWith(client, input, init),
  }.fetch;
}

async function fetchWith(client: Client, input: FetchInput, options: FetchInit | undefined): Promise<globalThis.Response> {
  const init = options ?? {};
  const source = input instanceof globalThis.Request ? input : null;
  // init overrides the Request input field by field, as `new Request(input, init)` would.
  const signal = 'signal' in init ? (init.signal ?? null) : (source?.signal ?? null);
  const timing = new FetchTiming();
  let call: FetchCall;
  try {
    call = await buildFetchCall(input, init, signal, client.headers, timing);
  } catch (err) {
    // Bad input is a TypeError in fetch (Request's constructor throws one), not a network error.
    throw err instanceof HttpoolError ? new TypeError(err.message, { cause: err }) : err;
  }
  const { request, stream } = call;
  // Fetch §5.1 step 6 (after the Request is built, so bad input still throws first).
  if (signal?.aborted === true) {
    const reason = abortReason(signal);
    stream?.cancel(reason);
    throw reason;
  }
  const cancelStream = stream !== null && signal !== null ? () => stream.cancel(abortReason(signal)) : null;
  if (cancelStream !== null) signal!.addEventListener('abort', cancelStream, { once: true });
  const rules = new FetchRedirects(call.redirect, client.checkRedirect, () => timing.redirected());

  let res: HpResponse;
  try {
    res = await client._fetch(request, rules, client._timeoutChosen);
  } catch (err) {
    // Node's fetch: an aborted fetch rejects with the signal's reason; anything else that stops
    // the exchange is TypeError('fetch failed') with the cause kept, so the httpool code is reachable.
    throw abortedOr(signal, new TypeError('fetch failed', { cause: err }));
  } finally {
    if (cancelStream !== null) signal!.removeEventListener('abort', cancelStream);
  }

  const method = res.request.method;
  if (res.statusCode === 407) {
    // Fetch §4.6 step 14: a 407 is a network error for a request without a window, which every
    // fetch here is (proxy credentials belong to the Transport's proxy settings).
    throw networkError(res, new ProxyError('407 Proxy Authentication Required: fetch has no window to ask for proxy credentials', 407, { method, url: redactUrl(res.request.url) }));
  }
  const ctx: ResponseContext = { signal, redirected: rules.count > 0, requestedUrl: call.requestedUrl, timing };
  if (call.integrity !== '') {
    const metadata = parseIntegrity(call.integrity);
    if (metadata.length > 0) return checkedResponse(res, method, metadata, ctx);
  }
  return toFetchResponse(res, method, ctx);
}
