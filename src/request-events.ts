// Request events on node:diagnostics_channel (issue 15): one `httpool:request:start`, then
// `httpool:request:headers` and `httpool:request:end`, or `httpool:request:error`, per attempt the
// Transport makes (a Transport retry, a Client retry and each redirect hop are attempts of their
// own), and `httpool:request:redirect` from the Client when it follows a redirect. Nothing is
// built or published when no channel has a subscriber: roundTrip checks each channel once.
//
// A start subscriber may add headers to the attempt with `setHeader(name, value)` (for a trace
// context such as W3C `traceparent`): they are validated as the caller's headers are (a bad
// name or value throws to the subscriber), replace a field of the same name, and are written in
// the head of that attempt only.

import * as dc from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { InvalidRequestError } from './errors.js';
import { validateHeaderName, validateHeaderValue } from './h1/write.js';
import type { Request } from './request.js';
import type { Response } from './response.js';
import type { CloseReason } from './stats.js';

export const startChannel: dc.Channel = dc.channel('httpool:request:start');
export const headersChannel: dc.Channel = dc.channel('httpool:request:headers');
export const endChannel: dc.Channel = dc.channel('httpool:request:end');
export const errorChannel: dc.Channel = dc.channel('httpool:request:error');
export const redirectChannel: dc.Channel = dc.channel('httpool:request:redirect');

/** performance.now() ms of one attempt; -1 for a moment not reached. */
export interface RequestTimings {
  /** The attempt began (before `httpool:request:start`). */
  start: number;
  /** A connection (or HTTP/2 stream's session) was obtained for it. */
  connected: number;
  /** The response head arrived (the read that completed it). */
  firstByte: number;
  /** The body arrived in full, was closed, or failed (set for `end` and a body's `error`). */
  end: number;
  /** The connection had served a request before. */
  reused: boolean;
  /** The connection's id (as in stats and gotConn), -1 before one was obtained. */
  connId: number;
  /** How long the connection sat idle in the pool before this attempt took it, ms (0 when it did not come from the idle pool). */
  idleTime: number;
  /** Why the connection closed, when it had closed by the time `end` or `error` was published; else null. */
  closeReason: CloseReason | null;
}

export interface RequestStartMessage {
  request: Request;
  /** 0 for the Transport's first try of this round trip, 1… for its own retries on another connection. */
  attempt: number;
  /**
   * How many times this request was sent before this attempt, for any reason: the Transport's
   * retries, the Client's retry policy, and redirect hops (OpenTelemetry's http.request.resend_count).
   */
  resendCount: number;
  /** This attempt's timings, the same object the later messages carry (only `start` is set yet). */
  timings: RequestTimings;
  /** Adds (or replaces) a header field of this attempt's head; throws on an invalid name or value. */
  setHeader(name: string, value: string): void;
}

export interface RequestHeadersMessage {
  request: Request;
  response: Response;
  timings: RequestTimings;
}

export type RequestEndMessage = RequestHeadersMessage;

export interface RequestErrorMessage {
  request: Request;
  error: unknown;
  /** Set when the body failed after the head arrived. */
  response: Response | null;
  timings: RequestTimings;
}

export interface RequestRedirectMessage {
  /** The hop that was answered with a redirect. */
  request: Request;
  /** That redirect (its body is being closed). */
  response: Response;
  /** The request of the next hop. */
  next: Request;
}

/** Fields the Transport writes itself, which a subscriber may not set. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding']);

/**
 * The request events of one round trip: made only when some channel has a subscriber (which
 * channels is decided once, here), then one `begin()` per attempt.
 */
export class RequestEvents {
  readonly start: boolean;
  readonly headers: boolean;
  readonly end: boolean;
  readonly error: boolean;
  timings: RequestTimings | null = null;
  /** The current attempt reached start and has not reported its outcome. */
  open = false;
  /** The attempt's connection, read for its close reason when the outcome is published. */
  #conn: { readonly closeReason: CloseReason | null } | null = null;

  private constructor(readonly request: Request) {
    this.start = startChannel.hasSubscribers;
    this.headers = headersChannel.hasSubscribers;
    this.end = endChannel.hasSubscribers;
    this.error = errorChannel.hasSubscribers;
  }

  /** null (nothing allocated) unless one of the four channels has a subscriber. */
  static for(request: Request): RequestEvents | null {
    if (!startChannel.hasSubscribers && !headersChannel.hasSubscribers && !endChannel.hasSubscribers && !errorChannel.hasSubscribers) {
      return null;
    }
    return new RequestEvents(request);
  }

  /**
   * An attempt begins: publishes start and returns the header list to write, `base` with the
   * fields subscribers set (the same array when they set none).
   */
  begin(attempt: number, base: string[]): string[] {
    const timings: RequestTimings = { start: performance.now(), connected: -1, firstByte: -1, end: -1, reused: false, connId: -1, idleTime: 0, closeReason: null };
    this.timings = timings;
    this.open = true;
    this.#conn = null;
    // Shared by every Request of one logical request (the Client hands it to cookie copies and
    // redirect hops), so the count runs across them.
    const sends = (this.request._sends ??= { n: 0 });
    const resendCount = sends.n++;
    if (!this.start) return base;
    let added: string[] | null = null;
    const message: RequestStartMessage = {
      request: this.request,
      attempt,
      resendCount,
      timings,
      setHeader(name: string, value: string): void {
        name = String(name);
        value = String(value);
        validateHeaderName(name);
        validateHeaderValue(name, value);
        const lower = name.toLowerCase();
        if (RESERVED.has(lower)) throw new InvalidRequestError('ERR_INVALID_HEADER', `request:start may not set ${name}`);
        added ??= [];
        for (let i = 0; i < added.length; i += 2) {
          if (added[i]!.toLowerCase() === lower) {
            added.splice(i, 2);
            break;
          }
        }
        added.push(name, value);
      },
    };
    startChannel.publish(message);
    const extra = added as string[] | null;
    if (extra === null) return base;
    const names = new Set<string>();
    for (let i = 0; i < extra.length; i += 2) names.add(extra[i]!.toLowerCase());
    const out: string[] = [];
    for (let i = 0; i < base.length; i += 2) if (!names.has(base[i]!.toLowerCase())) out.push(base[i]!, base[i + 1]!);
    for (let i = 0; i < extra.length; i++) out.push(extra[i]!);
    return out;
  }

  connected(conn: { readonly id: number; readonly closeReason: CloseReason | null }, reused: boolean, idleTime: number): void {
    const t = this.timings!;
    t.connected = performance.now();
    t.connId = conn.id;
    t.reused = reused;
    t.idleTime = idleTime;
    this.#conn = conn;
  }

  /** The head arrived; `channelError` reads the body's failure once it has settled. */
  gotHeaders(res: Response, settle: (l: () => void) => void, bodyError: () => unknown): void {
    const t = this.timings!;
    t.firstByte = performance.now();
    this.open = false;
    if (this.headers) headersChannel.publish({ request: this.request, response: res, timings: t } satisfies RequestHeadersMessage);
    if (!this.end && !this.error) return;
    const conn = this.#conn;
    settle(() => {
      t.end = performance.now();
      // A body that failed settles before its connection records why it closed (conn.ts fails
      // the exchange, then closes): publish a microtask later, when the reason is there to read.
      queueMicrotask(() => {
        t.closeReason = conn?.closeReason ?? null;
        const err = bodyError();
        if (err === null || err === undefined) {
          if (this.end) endChannel.publish({ request: this.request, response: res, timings: t } satisfies RequestEndMessage);
        } else if (this.error) {
          errorChannel.publish({ request: this.request, error: err, response: res, timings: t } satisfies RequestErrorMessage);
        }
      });
    });
  }

  /** The attempt failed before its head arrived (reported once). */
  failed(err: unknown): void {
    if (!this.open) return;
    this.open = false;
    const t = this.timings!;
    t.end = performance.now();
    t.closeReason = this.#conn?.closeReason ?? null;
    if (this.error) errorChannel.publish({ request: this.request, error: err, response: null, timings: t } satisfies RequestErrorMessage);
  }
}

/** The Client followed a redirect (one hasSubscribers check). */
export function publishRedirect(request: Request, response: Response, next: Request): void {
  if (redirectChannel.hasSubscribers) redirectChannel.publish({ request, response, next } satisfies RequestRedirectMessage);
}
