// Go's httptrace.ClientTrace: hooks called as a request moves through the transport, and the
// same events published on node:diagnostics_channel as `httpool:<event>`. The transport builds
// a TraceCtx only for a request that has hooks or when some channel has a subscriber, so an
// untraced request pays one null check per event. Hooks run synchronously on the transport's
// path: they must be quick, and a hook that throws is reported, never allowed to break the
// connection.

import * as dc from 'node:diagnostics_channel';
import type { ConnAddress } from './conn-info.js';
import type { Request } from './request.js';
import type { CloseReason } from './stats.js';

export interface GotConnInfo {
  /** The connection served a request before. */
  reused: boolean;
  /** It came from the idle pool (rather than straight from another finishing request or a dial). */
  wasIdle: boolean;
  /** How long it sat idle, ms (0 unless wasIdle). */
  idleTime: number;
  /** The connection's id, stable for its life (matches stats and the CLI). */
  connId: number;
  /** This side's address (Go: Conn.LocalAddr()), or null when the connection is not TCP (socketPath, a user's Duplex). */
  localAddress: ConnAddress | null;
  /** The peer's address, the proxy's when there is one (Go: Conn.RemoteAddr()), or null when not TCP. */
  remoteAddress: ConnAddress | null;
}

export interface DNSDoneInfo {
  addresses: string[];
  err: Error | null;
}

export interface WroteRequestInfo {
  err: Error | null;
}

export interface TLSHandshakeInfo {
  /** "TLSv1.3" and the like. */
  protocol: string | null;
  /** The ALPN protocol agreed, e.g. "http/1.1", or null. */
  alpn: string | null;
  /** The handshake resumed an earlier session (no full handshake). */
  resumed: boolean;
}

/** A retry by the Client's retry policy (src/client/retry.ts), before its wait. */
export interface RetryInfo {
  /** Which retry this is: 1 for the first. */
  attempt: number;
  /** How long httpool waits before sending it, ms (Retry-After's value, or the jittered backoff). */
  delay: number;
  /** Why: `"status 503"`, or the failure's code (`"ERR_CONNECT"`, `"ERR_CONNECTION_CLOSED"`…). */
  reason: string;
}

/**
 * Progress of a request or response body (uploadProgress, downloadProgress). Within one attempt
 * `transferred` only grows; a retry or a 307/308 sends the body again from 0.
 */
export interface ProgressInfo {
  /** Body bytes so far. */
  transferred: number;
  /** The body's length when known (Content-Length), else -1 (chunked, or decoded on the way). */
  total: number;
}

/** Every hook is optional; each has Go's meaning (net/http/httptrace). */
export interface ClientTrace {
  /** Before a connection is looked for; hostPort is "host:port". */
  getConn?(hostPort: string): void;
  gotConn?(info: GotConnInfo): void;
  /** After the connection is offered back to the pool; err says why it was not kept. */
  putIdleConn?(err: Error | null): void;
  /** Name resolution starts (not called for IP literals). */
  dnsStart?(info: { host: string }): void;
  dnsDone?(info: DNSDoneInfo): void;
  /**
   * A connection attempt starts; addr is "ip:port". Called for every attempt. With socketPath,
   * network is "unix" and addr the path; a user's `dial` gets one attempt, addr the "host:port" it was given.
   */
  connectStart?(network: string, addr: string): void;
  connectDone?(network: string, addr: string, err: Error | null): void;
  tlsHandshakeStart?(): void;
  tlsHandshakeDone?(info: TLSHandshakeInfo, err: Error | null): void;
  /** Each header field as it is written (Host, the caller's fields, framing). */
  wroteHeaderField?(key: string, values: string[]): void;
  wroteHeaders?(): void;
  /** The request was handed to the socket (err set when writing failed). */
  wroteRequest?(info: WroteRequestInfo): void;
  gotFirstResponseByte?(): void;
  /** A 100 Continue arrived for a request that said Expect: 100-continue. */
  got100Continue?(): void;
  /**
   * A 1xx response other than 100-continue's arrived. Setting this hook lifts the budget on 1xx
   * header bytes (the caller sees each one); the cap of 100 in a row still applies.
   */
  got1xxResponse?(code: number, headers: ReadonlyArray<readonly [string, string]>): void;
  /** The head went out with Expect: 100-continue; the body waits for 100 or the timeout. */
  wait100Continue?(): void;
  /**
   * httpool's own (progress.ts): request body bytes handed to the connection (HTTP/1.1 socket or
   * HTTP/2 stream, accepted without backpressure), at most one event per 64 KiB or 100 ms, and
   * one when the body ends (transferred === total when the length is known). Progress is a trace
   * hook rather than an init callback because a trace already reaches every layer (Client,
   * Transport.roundTrip, fetch's channels), composes (composeTrace), and costs nothing unset:
   * the body is counted only when this hook or its `httpool:uploadProgress` channel is taken.
   */
  uploadProgress?(info: ProgressInfo): void;
  /**
   * httpool's own (progress.ts): response body bytes as they arrive from the connection (after
   * decoding, if the body is decoded), which runs at most the body buffer (256 KiB) ahead of what
   * the caller has read; throttled like uploadProgress, with a last event at the body's end.
   * total is the Content-Length, or -1 when unknown (chunked, or decoded). Not for HEAD or 101.
   */
  downloadProgress?(info: ProgressInfo): void;
  /**
   * httpool's own: the Client's `retry` policy will send the request again after `info.delay` ms
   * (not Go's; also on the `httpool:request:retry` channel as `{ request, attempt, delay, reason }`).
   */
  retry?(info: RetryInfo): void;
}

export type TraceEvent = keyof ClientTrace;

/** Argument names per event: the fields of the diagnostics_channel message besides `request`. */
const FIELDS: { [K in TraceEvent]-?: readonly string[] } = {
  getConn: ['hostPort'],
  gotConn: ['info'],
  putIdleConn: ['err'],
  dnsStart: ['info'],
  dnsDone: ['info'],
  connectStart: ['network', 'addr'],
  connectDone: ['network', 'addr', 'err'],
  tlsHandshakeStart: [],
  tlsHandshakeDone: ['info', 'err'],
  wroteHeaderField: ['key', 'values'],
  wroteHeaders: [],
  wroteRequest: ['info'],
  gotFirstResponseByte: [],
  got100Continue: [],
  got1xxResponse: ['code', 'headers'],
  wait100Continue: [],
  uploadProgress: ['info'],
  downloadProgress: ['info'],
  retry: ['info'],
};

const EVENTS = Object.keys(FIELDS) as TraceEvent[];

/** The `httpool:<event>` channels, one per hook. */
export const channels: Readonly<Record<TraceEvent, dc.Channel>> = Object.fromEntries(
  EVENTS.map((e) => [e, dc.channel(`httpool:${e}`)]),
) as Record<TraceEvent, dc.Channel>;

/** Connection closes with their reason: a ConnectionMessage with `reason`. */
export const closedChannel: dc.Channel = dc.channel('httpool:connectionClosed');
/** New connections: a ConnectionMessage without `reason` (a timeline of the pool needs both ends of each lane). */
export const openedChannel: dc.Channel = dc.channel('httpool:connectionOpened');

/** What `httpool:connectionOpened` and `httpool:connectionClosed` carry. */
export interface ConnectionMessage {
  connId: number;
  /** The pool key (as in stats().hosts). */
  key: string;
  /** The target's scheme, host name or IP (IPv6 without brackets) and port, from the key. */
  scheme: 'http' | 'https';
  hostname: string;
  port: number;
  /** 'h2' for an HTTP/2 session. */
  protocol: 'http/1.1' | 'h2';
  /** ms since the connection was established (0 at open). */
  age: number;
  /** Why it closed (closes only). */
  reason?: CloseReason;
}

/** The hooks and the request they belong to, for one round trip. */
export interface TraceCtx {
  readonly hooks: ClientTrace | null;
  readonly request: Request;
}

/** The same channels as a list: traceFor checks them all on every request. */
const CHANNEL_LIST: readonly dc.Channel[] = EVENTS.map((e) => channels[e]);

function anySubscriber(): boolean {
  for (let i = 0; i < CHANNEL_LIST.length; i++) if (CHANNEL_LIST[i]!.hasSubscribers) return true;
  return false;
}

/** The trace context for a request, or null when nobody listens (the common, free case). */
export function traceFor(request: Request): TraceCtx | null {
  if (request.trace === null && !anySubscriber()) return null;
  return { hooks: request.trace, request };
}

/** Does the request's trace set this hook? (Some hooks change behavior: got1xxResponse lifts the 1xx byte budget.) */
export function hasHook(ctx: TraceCtx | null, event: TraceEvent): boolean {
  return ctx !== null && ctx.hooks !== null && typeof ctx.hooks[event] === 'function';
}

/** Does anyone take this event (a hook, or a subscriber to its channel)? For events costly to build. */
export function wants(ctx: TraceCtx | null, event: TraceEvent): boolean {
  return ctx !== null && (hasHook(ctx, event) || channels[event].hasSubscribers);
}

/** A flat [name, value, …] field list as the pairs got1xxResponse hands its hook (both protocols' connections). */
export function fieldPairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let k = 0; k < flat.length; k += 2) out.push([flat[k]!, flat[k + 1]!]);
  return out;
}

/** Calls one hook and publishes the event, shielding the transport from a hook that throws. */
export function emit<K extends TraceEvent>(
  ctx: TraceCtx | null,
  event: K,
  ...args: Parameters<NonNullable<ClientTrace[K]>>
): void {
  if (ctx === null) return;
  const hooks = ctx.hooks;
  const fn = hooks?.[event] as ((...a: unknown[]) => void) | undefined;
  if (fn !== undefined) {
    try {
      fn.apply(hooks, args);
    } catch (err) {
      process.emitWarning(`httpool: trace hook ${event} threw: ${String(err)}`, 'HttpoolTraceWarning');
    }
  }
  const ch = channels[event];
  if (ch.hasSubscribers) {
    const message: Record<string, unknown> = { request: ctx.request };
    const names = FIELDS[event];
    for (let i = 0; i < names.length; i++) message[names[i]!] = args[i];
    ch.publish(message);
  }
}

/** Both traces' hooks, a's first (Go's compose). */
export function composeTrace(a: ClientTrace | null | undefined, b: ClientTrace | null | undefined): ClientTrace | null {
  if (a == null) return b ?? null;
  if (b == null) return a;
  const out: Record<string, (...args: unknown[]) => void> = {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<TraceEvent>;
  for (const k of keys) {
    const fa = a[k] as ((...x: unknown[]) => void) | undefined;
    const fb = b[k] as ((...x: unknown[]) => void) | undefined;
    out[k] = (...args: unknown[]) => {
      fa?.apply(a, args);
      fb?.apply(b, args);
    };
  }
  return out as ClientTrace;
}
