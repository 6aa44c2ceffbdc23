// The connection timeline behind `--report`: what every httpool connection did during a run,
// recorded from the `httpool:*` diagnostics channels (src/trace.ts), so no transport needs to
// be handed in and nothing is recorded while no recorder listens. Per connection: its id and
// pool key, when it opened and closed and why, and the requests it served. A request starts at
// gotConn and ends at putIdleConn (given back) or when its connection closes (not kept).
// Memory is bounded: past the caps, requests and connections are counted, not stored.

import * as dc from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';

export interface TimelineRequest {
  /** ms since the recorder started: gotConn. */
  start: number;
  /** putIdleConn or the connection's close; null when still in flight when recording stopped. */
  end: number | null;
  /** gotFirstResponseByte, or null. */
  firstByte: number | null;
  /** The connection had served a request before (gotConn's reused). */
  reused: boolean;
  /** Why the connection was not kept after this request (putIdleConn's error), or null. */
  notKept: string | null;
}

export interface TimelineConnection {
  id: number;
  /** The pool key, "http://127.0.0.1:8080". */
  key: string;
  /** ms since start; null when it opened before recording started. */
  openedAt: number | null;
  /** ms since start; null when still open when recording stopped. */
  closedAt: number | null;
  /** The close reason (transport.stats()' vocabulary), null while open. */
  reason: string | null;
  /** Requests it served while recorded, including those past the cap. */
  served: number;
  /** The requests stored (all of them unless the request cap was reached). */
  requests: TimelineRequest[];
}

export interface Timeline {
  /** Wall-clock time recording started (epoch ms), for the page's header. */
  startedAtEpoch: number;
  /** ms from start to stop. */
  duration: number;
  /** In the order they were first seen (by id, in practice). */
  connections: TimelineConnection[];
  /** Requests seen but not stored (past maxRequests, or on a connection past maxConnections). */
  droppedRequests: number;
  /** Connections seen but not stored (past maxConnections). */
  droppedConnections: number;
}

export interface RecorderOptions {
  /** Requests stored at most (default 20 000); later ones are only counted. */
  maxRequests?: number;
  /** Connections stored at most (default 20 000). */
  maxConnections?: number;
}

/** The fields of the channel messages this file reads; anything else is ignored. */
interface Message {
  request?: unknown;
  info?: { reused?: unknown; connId?: unknown };
  err?: unknown;
  connId?: unknown;
  key?: unknown;
  reason?: unknown;
}

const CHANNELS = ['gotConn', 'putIdleConn', 'gotFirstResponseByte', 'connectionOpened', 'connectionClosed'] as const;
type ChannelName = (typeof CHANNELS)[number];

/** The origin a request went to, for a connection that opened before recording began. */
function originOf(request: unknown): string {
  const url = (request as { url?: unknown } | null)?.url;
  if (!(url instanceof URL)) return '?';
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return `${url.protocol}//${url.hostname}:${port}`;
}

export class TimelineRecorder {
  readonly #maxRequests: number;
  readonly #maxConnections: number;
  readonly #conns = new Map<number, TimelineConnection>();
  /** The request currently out on each connection (HTTP/1.1: at most one). */
  readonly #current = new Map<number, TimelineRequest>();
  /** Request object → its open interval; weak, so requests the caller dropped don't stay alive. */
  readonly #open = new WeakMap<object, { connId: number; rec: TimelineRequest }>();
  readonly #handlers: Record<ChannelName, (message: unknown) => void>;
  #t0 = 0;
  #epoch = 0;
  #stored = 0;
  #droppedRequests = 0;
  #droppedConnections = 0;
  #running = false;
  #result: Timeline | null = null;

  constructor(opts: RecorderOptions = {}) {
    this.#maxRequests = opts.maxRequests ?? 20_000;
    this.#maxConnections = opts.maxConnections ?? 20_000;
    this.#handlers = {
      gotConn: (m) => this.#gotConn(m as Message),
      putIdleConn: (m) => this.#putIdleConn(m as Message),
      gotFirstResponseByte: (m) => this.#firstByte(m as Message),
      connectionOpened: (m) => this.#opened(m as Message),
      connectionClosed: (m) => this.#closed(m as Message),
    };
  }

  /** Subscribes; every time in the timeline is ms since this call. */
  start(): this {
    if (this.#running || this.#result !== null) throw new Error('a TimelineRecorder records once');
    this.#running = true;
    this.#t0 = performance.now();
    this.#epoch = Date.now();
    for (const name of CHANNELS) dc.subscribe(`httpool:${name}`, this.#handlers[name]);
    return this;
  }

  /** Unsubscribes and returns the timeline (the same one on every later call). */
  stop(): Timeline {
    if (this.#result !== null) return this.#result;
    if (this.#running) for (const name of CHANNELS) dc.unsubscribe(`httpool:${name}`, this.#handlers[name]);
    this.#running = false;
    this.#result = {
      startedAtEpoch: this.#epoch,
      duration: this.#now(),
      connections: [...this.#conns.values()],
      droppedRequests: this.#droppedRequests,
      droppedConnections: this.#droppedConnections,
    };
    return this.#result;
  }

  [Symbol.dispose](): void {
    this.stop();
  }

  #now(): number {
    return performance.now() - this.#t0;
  }

  /** A new connection record, or null past the connection cap. */
  #add(id: number, key: string, openedAt: number | null): TimelineConnection | null {
    if (this.#conns.size >= this.#maxConnections) return null;
    const rec: TimelineConnection = { id, key, openedAt, closedAt: null, reason: null, served: 0, requests: [] };
    this.#conns.set(id, rec);
    return rec;
  }

  #opened(m: Message): void {
    if (typeof m.connId !== 'number' || this.#conns.has(m.connId)) return;
    // Every connection opens once, so this is where one past the cap is counted.
    if (this.#add(m.connId, typeof m.key === 'string' ? m.key : '?', this.#now()) === null) this.#droppedConnections++;
  }

  #gotConn(m: Message): void {
    const connId = m.info?.connId;
    if (typeof connId !== 'number' || typeof m.request !== 'object' || m.request === null) return;
    const now = this.#now();
    // A retry asks again with the same request: its earlier attempt ended here.
    const earlier = this.#open.get(m.request);
    if (earlier !== undefined) this.#end(earlier.connId, earlier.rec, now);
    // Unknown here: it opened before recording started (openedAt null), or past the cap (null).
    const conn = this.#conns.get(connId) ?? this.#add(connId, originOf(m.request), null);
    if (conn === null) {
      this.#droppedRequests++;
      return;
    }
    conn.served++;
    if (this.#stored >= this.#maxRequests) {
      this.#droppedRequests++;
      return;
    }
    this.#stored++;
    const rec: TimelineRequest = { start: now, end: null, firstByte: null, reused: m.info?.reused === true, notKept: null };
    conn.requests.push(rec);
    this.#current.set(connId, rec);
    this.#open.set(m.request, { connId, rec });
  }

  #firstByte(m: Message): void {
    if (typeof m.request !== 'object' || m.request === null) return;
    const open = this.#open.get(m.request);
    if (open !== undefined && open.rec.firstByte === null) open.rec.firstByte = this.#now();
  }

  #putIdleConn(m: Message): void {
    if (typeof m.request !== 'object' || m.request === null) return;
    const open = this.#open.get(m.request);
    if (open === undefined) return;
    if (m.err instanceof Error) open.rec.notKept = m.err.message;
    this.#end(open.connId, open.rec, this.#now());
    this.#open.delete(m.request);
  }

  #closed(m: Message): void {
    if (typeof m.connId !== 'number') return;
    const conn = this.#conns.get(m.connId);
    if (conn === undefined) return;
    const now = this.#now();
    conn.closedAt = now;
    conn.reason = typeof m.reason === 'string' ? m.reason : 'unknown';
    const rec = this.#current.get(m.connId);
    if (rec !== undefined) this.#end(m.connId, rec, now);
  }

  #end(connId: number, rec: TimelineRequest, at: number): void {
    rec.end ??= at;
    if (this.#current.get(connId) === rec) this.#current.delete(connId);
  }
}
