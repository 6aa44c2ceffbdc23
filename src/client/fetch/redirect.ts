// fetch's redirects: the Fetch standard's HTTP-redirect fetch (§4.4), not Go's rules
// (../redirect.ts). Where they differ: 301/302 turn only POST into GET and 303 every method but
// HEAD (Go turns every method but GET/HEAD into GET for all three); every other redirect keeps
// method and body (a PUT answered 302 sends its body again); at most 20 redirects (Go: 10);
// credentials are dropped when the origin changes (scheme, host and port), where Go compares
// host names only; no Referer is added (Node's fetch has no referrer). The Client runs the loop
// (client.ts) and asks `next` at each response.

import { RedirectError, BodyError, HttpoolError, redactUrl } from '../../errors.js';
import type { Headers } from '../../headers.js';
import { Request } from '../../request.js';
import type { Response } from '../../response.js';
import type { RedirectRules } from '../client.js';
import { decodeLocation } from '../location.js';
import { defaultCheckRedirect, useLastResponse, type CheckRedirect } from '../redirect.js';

export type RedirectMode = 'follow' | 'manual' | 'error';

/** Fetch §4.4 step 5: the redirect count at which the next redirect is a network error. */
export const MAX_REDIRECTS = 20;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Request-body-header names (Fetch §2.2.2), dropped with the body; plus the framing fields. */
const BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length', 'transfer-encoding'];

/**
 * Dropped when a redirect leaves the origin. Fetch names Authorization (the CORS non-wildcard
 * request-header name); Node's fetch also drops Proxy-Authorization, Cookie and Host, and so do we:
 * a credential set for one origin is not another's.
 */
const CROSS_ORIGIN_DROPPED = ['authorization', 'proxy-authorization', 'cookie', 'host'];

/** One fetch's redirect chain: the mode, the count, and the Client's own checkRedirect if it has one. */
export class FetchRedirects implements RedirectRules {
  count = 0;
  readonly #mode: RedirectMode;
  readonly #check: CheckRedirect | null;
  readonly #via: Request[] = [];
  readonly #onRedirect: () => void;

  /** `onRedirect` runs as each redirect is taken (Resource Timing's redirect times). */
  constructor(mode: RedirectMode, check: CheckRedirect, onRedirect: () => void) {
    this.#mode = mode;
    // A checkRedirect the caller chose still has its say; Go's default limit gives way to Fetch's.
    this.#check = check === defaultCheckRedirect ? null : check;
    this.#onRedirect = onRedirect;
  }

  next(_first: Request, prev: Request, res: Response): Request | null {
    if (!REDIRECT_STATUSES.has(res.statusCode)) return null;
    // 'error' refuses every redirect status, with or without Location (§4.3 main fetch via §4.4).
    if (this.#mode === 'error') throw fail(res, new RedirectError('ERR_REDIRECT', 'unexpected redirect'), prev);
    // 'manual' as Node's fetch does it: the 3xx itself, Location and body intact (no window, so
    // no opaque-redirect filtering that would hide them).
    if (this.#mode === 'manual') return null;
    const location = res.headers.get('location');
    if (location === null) return null;
    let url: URL;
    try {
      url = new URL(decodeLocation(location), prev._parts.href);
    } catch (cause) {
      throw fail(res, new RedirectError('ERR_INVALID_URL', `failed to parse Location header ${JSON.stringify(location)}`, { cause }), prev);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw fail(res, new RedirectError('ERR_INVALID_URL', `redirect to a ${url.protocol} URL`), prev);
    }
    // §4.4: a Location without a fragment keeps the current URL's.
    if (url.hash === '') url.hash = prev.url.hash;
    if (this.count === MAX_REDIRECTS) {
      throw fail(res, new RedirectError('ERR_TOO_MANY_REDIRECTS', `redirect count exceeded (${MAX_REDIRECTS})`), prev);
    }
    const status = res.statusCode;
    let method = prev.method;
    let body = prev.body;
    // §4.4 step 11: a body that cannot be produced again (a stream) cannot follow a redirect that keeps it.
    if (status !== 303 && body !== null && !body.replayable) {
      throw fail(res, new BodyError('ERR_BODY_NOT_REPLAYABLE', `a ${status} redirect needs the request body again, and a stream body cannot be sent twice`), prev);
    }
    const headers = prev.headers.clone();
    // §4.4 step 12.
    if (((status === 301 || status === 302) && method === 'POST') || (status === 303 && method !== 'GET' && method !== 'HEAD')) {
      method = 'GET';
      body = null;
      deleteAll(headers, BODY_HEADERS);
    }
    // §4.4 step 13: the origin includes scheme and port; the comparison is with the current URL,
    // and what is dropped stays dropped (later hops start from this hop's headers).
    if (url.origin !== prev.url.origin) deleteAll(headers, CROSS_ORIGIN_DROPPED);

    const next = new Request(method, url, { headers, body, signal: prev.signal, trace: prev.trace });
    next._decoding = 'fetch';
    if (this.#check !== null) {
      this.#via.push(prev);
      let verdict: void | typeof useLastResponse;
      try {
        verdict = this.#check(next, this.#via);
      } catch (err) {
        void res.body.close();
        throw err;
      }
      if (verdict === useLastResponse) return null;
    }
    this.count++;
    this.#onRedirect();
    return next;
  }
}

function deleteAll(headers: Headers, names: readonly string[]): void {
  for (const name of names) headers.delete(name);
}

/** Closes the 3xx body (its connection drains and is kept when it can be) and names the request. */
function fail(res: Response, err: HttpoolError, prev: Request): HttpoolError {
  void res.body.close();
  // The cause's message stays as Node's fetch words it; method and URL are on the error itself.
  err.method = prev.method;
  err.url = redactUrl(prev.url);
  return err;
}
