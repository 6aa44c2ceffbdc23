// One request/response on a connection (conn.ts drives it): what the caller asked for, how far
// the exchange has got, and the bridge between the response body and the connection.

import type { Duplex } from 'node:stream';
import type { BodyChannel, BodySink, BodySource } from '../body.js';
import type { Cancel } from '../cancel.js';
import type { Coding } from '../decode.js';
import type { BodyFraming, ResponseHead } from '../h1/types.js';
import type { BodySource as RequestBodySource } from '../request-body.js';
import type { TraceCtx } from '../trace.js';
import type { Conn } from './conn.js';
import type { IdleTimer } from './idle-timer.js';

export interface ExchangeRequest {
  method: string;
  /** For errors raised while the body is read: they name the request like every other error. */
  request: { readonly method: string; readonly url: URL };
  /** Request head, validated and serialized; latin1 (see requestHeadString). */
  head: string;
  /** The same fields as a flat [name, value, …] list, without Host and framing (for HTTP/2). */
  fields: string[];
  /** Host[:port] (HTTP/2's :authority) and the origin-form target (:path). */
  authority: string;
  path: string;
  framing: BodyFraming;
  body: RequestBodySource | null;
  cancel: Cancel | null;
  trace: TraceCtx | null;
  /** The request said Expect: 100-continue (and has a body): the body waits for 100 or the timeout. */
  expectContinue: boolean;
  /** The request said Connection: close. */
  connectionClose: boolean;
  /** The request offered an Upgrade: only then may the server answer 101 (RFC 9110 §15.2.2). */
  upgrade: boolean;
  /** The codings to undo for this response head (decode.ts), or null to leave the body as sent; may throw to refuse the response. */
  coding: (head: ResponseHead) => Coding[] | null;
  /** ms to the response head (the call's, else the Transport's); 0 = none. */
  responseHeaderTimeout: number;
  /** ms the body may go without bytes while the caller reads (the call's, else the Transport's); 0 = none. */
  bodyIdleTimeout: number;
  /** Where the request was made, for the leak warning; set by the transport only when a body is still arriving. */
  callSite: Error | null;
}

export interface ExchangeResult {
  head: ResponseHead;
  channel: BodyChannel;
  decoded: boolean;
  /** For 101 Switching Protocols: the connection's byte stream, now the caller's. */
  upgrade: Duplex | null;
}

/** One request/response on a connection. It is also its body's source: the body's pause,
 * resume, early close and leak reach the connection only while this exchange is its current one
 * (a decoded body can end after the connection has moved on to the next request). */
export class Exchange implements BodySource {
  headDelivered = false;
  messageDone = false;
  writeDone = false;
  /** The body has started to go out (at once, or after 100 Continue or its timeout). */
  bodyStarted = false;
  /** A final response came while the body waited for 100: the body follows it (RFC 9110 §10.1.1). */
  bodyAfterResponse = false;
  /** Close after this exchange whatever the response says (a body skipped after Expect). */
  mustClose = false;
  continueTimer: NodeJS.Timeout | null = null;
  /** 1xx responses so far and their header bytes (Go's limits when no got1xxResponse hook is set). */
  informational = 0;
  informationalBytes = 0;
  failed = false;
  draining = false;
  drained = 0;
  drainDone: (() => void) | null = null;
  sink: BodySink | null = null;
  head: ResponseHead | null = null;
  firstByte = false;
  headerTimer: NodeJS.Timeout | null = null;
  /** The body idle clock (idle-timer.ts), only with a bodyIdleTimeout. */
  idle: IdleTimer | null = null;
  drainTimer: NodeJS.Timeout | null = null;
  /** Registered with the request's Cancel (as a listener object: see cancel.ts). */
  listening = false;
  resolve!: (r: ExchangeResult) => void;
  reject!: (e: unknown) => void;
  readonly promise: Promise<ExchangeResult>;
  constructor(
    readonly conn: Conn,
    readonly req: ExchangeRequest,
  ) {
    this.promise = new Promise<ExchangeResult>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
  }
  pause(): void {
    this.conn.pauseFor(this);
  }
  resume(): void {
    this.conn.resumeFor(this);
  }
  abandon(): Promise<void> {
    return this.conn.abandonFor(this);
  }
  leaked(): void {
    this.conn.leakedFor(this);
  }
  /** The request's Cancel fired (timeout or abort). */
  cancelled(): void {
    this.conn.cancelledFor(this);
  }
}

