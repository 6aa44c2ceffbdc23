// The Client: policy over a RoundTripper (Go's http.Client). It adds default headers, follows
// redirects, consults the cookie jar, and enforces the whole-exchange timeout; connections are
// the transport's business. A Client without a transport shares one default transport, so a
// client built per call still reuses connections (seed 004).

import { Cancel, attachCancel, fromSignal } from '../cancel.js';
import { TimeoutError, withRequest, HttpoolError, redactUrl } from '../errors.js';
import { Headers, type HeadersInit } from '../headers.js';
import { Request } from '../request.js';
import { ownsContentType, RequestBody, type BodyInit } from '../request-body.js';
import { Response, adoptResponse, whenBodySettled } from '../response.js';
import type { ClientTrace } from '../trace.js';
import type { RoundTripper } from '../transport/transport.js';
import { DeadlineEntry, Deadlines } from './deadlines.js';
import { defaultTransport } from './default-transport.js';
import { defaultCheckRedirect, nextHop, useLastResponse, type CheckRedirect } from './redirect.js';
import type { CookieJarLike } from './jar.js';
import { applyCookies, storeCookies } from './jar.js';
import { Retrier } from './retry.js';
import { publishRedirect } from '../request-events.js';
import { resolveRetry, type RetryOptions } from './retry-policy.js';

export interface ClientOptions {
  /** Where requests go. @default the shared default Transport */
  transport?: RoundTripper;
  /**
   * Limit for the whole exchange: waiting for a connection, connecting, sending the body,
   * redirects, and reading the body (Go's Client.Timeout). 0 = none. A call's `timeout`
   * overrides it.
   *
   * Finite by default, and kept at 30 s rather than moved to a header plus body-idle pair
   * (undici's 300 s each): only a whole-exchange limit bounds every phase. Idle limits leave
   * open a server that trickles a byte just inside the idle time, a pool slot that never frees,
   * and an upload to a server that stops reading (responseHeaderTimeout starts after the request
   * is written), so with them alone a caller could still wait forever (seed 003). A download
   * that needs longer says so per call: `{ timeout: 0, responseHeaderTimeout, bodyIdleTimeout }`
   * bounds it by stalls instead of length.
   * @default 30_000
   */
  timeout?: number;
  /** Redirect policy. @default stop after 10 redirects */
  checkRedirect?: CheckRedirect;
  /** Cookie jar consulted before and updated after every hop. @default none */
  jar?: CookieJarLike | null;
  /** Headers sent with every request unless the request sets them. */
  headers?: HeadersInit;
  /**
   * Retry policy (retry-policy.ts: limit 2, statuses 408/429/502/503/504, full-jitter backoff
   * from 100 ms to 10 s, Retry-After up to 60 s, a retry budget of 0.2 per request per host).
   * Only requests that may be sent again are retried. @default off (Go's rule alone: a request
   * lost on a dead reused connection is sent again by the Transport)
   */
  retry?: RetryOptions | null;
}

/** Per-call options for the helpers. */
export interface CallInit {
  headers?: HeadersInit;
  signal?: AbortSignal | null;
  trace?: ClientTrace | null;
  /** This call's whole-exchange limit in ms instead of the Client's; 0 = none for this call. */
  timeout?: number;
  /** This call's responseHeaderTimeout (ms) instead of the Transport's; 0 = none. */
  responseHeaderTimeout?: number;
  /**
   * This call's bodyIdleTimeout (ms) instead of the Transport's: the longest wait for the next
   * body bytes, not counting time the caller is not reading; 0 = none. With `timeout: 0` a long
   * download is bounded by idle time instead of total time.
   */
  bodyIdleTimeout?: number;
}

export const DEFAULT_TIMEOUT = 30_000;

/**
 * How a Client follows redirects when not by Go's rules (redirect.ts): fetch brings
 * the Fetch standard's (fetch/redirect.ts). `next` returns the request for the next hop, or
 * null when `res` is the answer; it may throw to fail the exchange, having closed `res`'s body.
 * Not exported from the package: fetch is its only user.
 */
export interface RedirectRules {
  next(first: Request, prev: Request, res: Response): Request | null;
}

export class Client {
  readonly transport: RoundTripper;
  readonly timeout: number;
  /** One deadline list for every request's timeout (deadlines.ts says why not setTimeout). */
  readonly #deadlines: Deadlines | null;
  /** Deadline lists for per-call timeouts, one per distinct value (a list needs one timeout). */
  readonly #perCall = new Map<number, Deadlines>();
  readonly checkRedirect: CheckRedirect;
  readonly jar: CookieJarLike | null;
  readonly headers: Headers;
  /** The retry loop, or null when `retry` is off (then a hop is one #exchange, nothing more). */
  readonly #retry: Retrier | null;
  /** @internal The caller chose the timeout (fetch applies only a chosen one, as Node's fetch has none). */
  readonly _timeoutChosen: boolean;

  constructor(opts: ClientOptions = {}) {
    this.transport = opts.transport ?? defaultTransport();
    this._timeoutChosen = opts.timeout !== undefined;
    this.timeout = opts.timeout ?? DEFAULT_TIMEOUT;
    if (!Number.isFinite(this.timeout) || this.timeout < 0) {
      throw new HttpoolError('ERR_INVALID_OPTION', `Client timeout must be a non-negative number of ms, got ${String(opts.timeout)}`);
    }
    this.#deadlines = this.timeout > 0 ? new Deadlines(this.timeout) : null;
    this.checkRedirect = opts.checkRedirect ?? defaultCheckRedirect;
    this.jar = opts.jar ?? null;
    this.headers = new Headers(opts.headers);
    this.#retry = opts.retry == null ? null : new Retrier(resolveRetry(opts.retry), this.transport, (req, cancel) => this.#exchange(req, cancel));
  }

  // The helpers build the Request inside the promise: bad input rejects, never throws synchronously.
  get(url: string | URL, init: CallInit = {}): Promise<Response> {
    return this.#send('GET', url, init, null);
  }

  head(url: string | URL, init: CallInit = {}): Promise<Response> {
    return this.#send('HEAD', url, init, null);
  }

  /**
   * A POST with this body. `contentType` is sent as Content-Type; null sends the body's own (a
   * Blob's type, a form's) or none. A FormData body always sends its own
   * `multipart/form-data; boundary=…`: any other type would name the wrong boundary.
   */
  post(url: string | URL, contentType: string | null, body: BodyInit, init: CallInit = {}): Promise<Response> {
    return this.#send('POST', url, init, { contentType, body });
  }

  /** A PUT with this body and Content-Type (like post). */
  put(url: string | URL, contentType: string | null, body: BodyInit, init: CallInit = {}): Promise<Response> {
    return this.#send('PUT', url, init, { contentType, body });
  }

  /** A PATCH with this body and Content-Type (like post). */
  patch(url: string | URL, contentType: string | null, body: BodyInit, init: CallInit = {}): Promise<Response> {
    return this.#send('PATCH', url, init, { contentType, body });
  }

  /** A DELETE without a body (for one, build a Request and use do). */
  delete(url: string | URL, init: CallInit = {}): Promise<Response> {
    return this.#send('DELETE', url, init, null);
  }

  postForm(url: string | URL, values: URLSearchParams | Record<string, string>, init: CallInit = {}): Promise<Response> {
    return this.#send('POST', url, init, {
      contentType: 'application/x-www-form-urlencoded',
      body: values instanceof URLSearchParams ? values : new URLSearchParams(values),
    });
  }

  #send(method: string, url: string | URL, init: CallInit, payload: { contentType: string | null; body: BodyInit } | null): Promise<Response> {
    let req: Request;
    try {
      if (payload === null) {
        req = new Request(method, url, init);
      } else {
        const headers = new Headers(init.headers);
        const body = RequestBody.from(payload.body);
        const type = ownsContentType(body) ? body.contentType : payload.contentType;
        if (type !== null) headers.set('Content-Type', type);
        req = new Request(method, url, { ...init, headers, body });
      }
    } catch (err) {
      if (err instanceof HttpoolError) withRequest(err, method, redactUrl(url));
      return Promise.reject(err);
    }
    return this.do(req);
  }

  /**
   * Closes the transport's idle connections, if it has a closeIdleConnections method (Go's
   * Client.CloseIdleConnections); connections in use are left to finish.
   */
  closeIdleConnections(): void {
    const t = this.transport as RoundTripper & { closeIdleConnections?: unknown };
    if (typeof t.closeIdleConnections === 'function') (t as { closeIdleConnections(): void }).closeIdleConnections();
  }

  /** Sends the request, following redirects; resolves when the final response head arrives. */
  do(req: Request): Promise<Response> {
    return this.#do(req, null, req.timeouts?.timeout === undefined ? this.#deadlines : this.#deadlinesFor(req.timeouts.timeout));
  }

  /** The deadline list for a per-call timeout (0 = none). */
  #deadlinesFor(ms: number): Deadlines | null {
    if (ms === 0) return null;
    if (ms === this.timeout) return this.#deadlines;
    let d = this.#perCall.get(ms);
    if (d === undefined) {
      d = new Deadlines(ms);
      // A caller computing timeouts (time left in a budget) would grow this without end: past a
      // few values, a list of its own per call (one timer, as setTimeout would be).
      if (this.#perCall.size < 16) this.#perCall.set(ms, d);
    }
    return d;
  }

  /**
   * @internal fetch's entry: the same exchange under other redirect rules, and with the
   * Client's timeout only when `timed`.
   */
  _fetch(req: Request, rules: RedirectRules, timed: boolean): Promise<Response> {
    return this.#do(req, rules, timed ? this.#deadlines : null);
  }

  async #do(req: Request, rules: RedirectRules | null, deadlines: Deadlines | null): Promise<Response> {
    const first = this.#withDefaults(req);
    const outer = req.signal;
    // One token for the whole exchange: every hop, the connection wait, and the body's arrival.
    const call = deadlines !== null || outer !== null ? new Call(outer === null ? new Cancel() : fromSignal(outer), deadlines) : null;
    const cancel = call?.cancel ?? null;
    const via: Request[] = [];
    let hop = first;
    try {
      for (;;) {
        // With retry on, a hop may take several exchanges (retry.ts); each applies and stores cookies.
        const res = this.#retry === null ? await this.#exchange(hop, cancel) : await this.#retry.send(hop, cancel, call?.at ?? -1);
        const next = rules !== null ? rules.next(first, hop, res) : this.#goNext(first, hop, res, via);
        if (next === null) {
          if (call !== null) whenBodySettled(res, call);
          return res;
        }
        publishRedirect(hop, res, next);
        // The hops are sends of one request (request events' resendCount runs across them).
        next._sends = hop._sends;
        // Go drains a little of each redirect body so its connection is reused.
        await res.body.close();
        hop = next;
      }
    } catch (err) {
      call?.settled();
      // Go's Client.do closes the request body on every error; the Transport already did for a
      // failure of its own, and this catches the rest (a jar, a RoundTripper of one's own).
      req.body?._discard(err);
      throw err;
    }
  }

  /** One round trip of a hop: the jar's cookies in, the response adopted, its cookies stored. */
  async #exchange(hop: Request, cancel: Cancel | null): Promise<Response> {
    const sent = this.jar === null ? hop : await applyCookies(this.jar, hop);
    // A cookie copy counts its sends in the hop's count, which the next retry's copy continues.
    if (sent !== hop) sent._sends = hop._sends ??= { n: 0 };
    if (cancel !== null) attachCancel(sent, cancel);
    const res = await this.transport.roundTrip(sent);
    // A response made by hand (Response.from) learns its request and this exchange's timeout/abort.
    adoptResponse(res, sent, cancel);
    if (this.jar !== null) await storeCookies(this.jar, res);
    return res;
  }

  /** Go's rules (redirect.ts) and checkRedirect: the next hop, or null when `res` is the answer. */
  #goNext(first: Request, hop: Request, res: Response, via: Request[]): Request | null {
    const next = nextHop(first, hop, res, { jar: this.jar !== null });
    return next === null || this.#stopAt(next, via, hop, res) === useLastResponse ? null : next;
  }

  /** Asks checkRedirect about the next hop; a refusal closes the 3xx body and names the hop. */
  #stopAt(next: Request, via: Request[], hop: Request, res: Response): void | typeof useLastResponse {
    via.push(hop);
    try {
      return this.checkRedirect(next, via);
    } catch (err) {
      void res.body.close();
      if (err instanceof HttpoolError) throw withRequest(err, next.method, redactUrl(next.url));
      throw err;
    }
  }

  #withDefaults(req: Request): Request {
    let headers = req.headers;
    if (this.headers.size > 0) {
      headers = req.headers.clone();
      for (const [name, value] of this.headers) if (!req.headers.has(name)) headers.append(name, value);
    }
    headers = basicAuth(req._parts, headers);
    if (headers === req.headers) return req;
    return req.with({ headers });
  }
}

/**
 * One exchange's cancellation and timeout in one object: the Cancel every hop listens to, its
 * place in the Client's deadline list, and what ends both once the body has settled (one
 * allocation per request instead of two closures and a list entry).
 */
class Call extends DeadlineEntry {
  readonly cancel: Cancel;
  readonly #deadlines: Deadlines | null;

  constructor(cancel: Cancel, deadlines: Deadlines | null) {
    super();
    this.cancel = cancel;
    this.#deadlines = deadlines;
    deadlines?.arm(this);
  }

  expired(): void {
    const ms = this.#deadlines!.timeout;
    this.cancel.abort(new TimeoutError('ERR_TIMEOUT', `client timeout of ${ms} ms exceeded (the whole exchange, body included)`, { timeout: 'client' }));
  }

  /** The body arrived, failed or was closed, or the exchange failed: stop the clock, unhook the signal. */
  settled(): void {
    this.#deadlines?.cancel(this);
    this.cancel.release();
  }
}

/** URL userinfo becomes Basic auth unless the request sets Authorization (Go does the same). */
function basicAuth(url: { readonly username: string; readonly password: string }, headers: Headers): Headers {
  if (url.username === '' && url.password === '') return headers;
  if (headers.has('authorization')) return headers;
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const out = headers.clone();
  out.set('Authorization', `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`);
  return out;
}
