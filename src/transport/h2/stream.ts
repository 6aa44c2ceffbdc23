// One request on one HTTP/2 stream (session.ts drives the connection): the HEADERS out, the
// request body as DATA within the flow-control windows, the response head, body and trailers
// in, and the stream's end. It is also the response body's source: pause holds back the
// stream's window credit (the server then stops at 4 MiB), an early close or a collected body
// resets the stream with CANCEL, which costs the session nothing, so nothing is drained.
//
// Semantics are those of conn.ts for HTTP/1.1, as far as HTTP/2 allows: maxResponseHeaderBytes
// is our SETTINGS_MAX_HEADER_LIST_SIZE (counted while HPACK decodes, RFC 9113 §6.5.2); Expect:
// 100-continue holds the body back until 100, a final response, or expectContinueTimeout (Go's
// x/net/http2 writeRequest); a body shorter or longer than its content-length fails
// (§8.1.1); a stream the server refused, or one above a GOAWAY's last stream id, is retryable.

import { STATUS_CODES } from 'node:http';
import { BodyChannel, type BodySink, type BodySource } from '../../body.js';
import { DecodingSink, type Coding } from '../../decode.js';
import { ConnectionError, HttpoolError, InvalidRequestError, ProtocolError, TimeoutError } from '../../errors.js';
import type { ResponseHead } from '../../h1/types.js';
import { streamError, type H2FrameError } from '../../h2/frames/error.js';
import { H2Code, h2CodeName } from '../../h2/frames/types.js';
import { DEFAULT_STREAM_RECEIVE_WINDOW, ReceiveWindow, SendWindow } from '../../h2/flow.js';
import type { HeaderListTooLargeError } from '../../h2/hpack/index.js';
import { fieldListSize, requestFieldList, responseFields, trailerError } from '../../h2/message.js';
import { emit, fieldPairs, wants } from '../../trace.js';
import type { ExchangeRequest, ExchangeResult } from '../exchange.js';
import { IdleTimer } from '../idle-timer.js';
import { warnLeak } from '../leak-warning.js';
import { markRetryable } from '../retry.js';
import type { H2Session } from './session.js';

/** 1xx responses taken before the final one (Go's http2 transport allows 5 without a got1xxResponse hook; a hook raises nothing here). */
const MAX_INFORMATIONAL = 16;

export class H2Stream implements BodySource {
  id = 0;
  /** What the server lets us send, and what we let it send (made once the stream has its id). */
  send!: SendWindow;
  recv!: ReceiveWindow;
  /** DATA waiting in the session for window or socket room (session.ts). */
  outgoing: { data: Uint8Array; off: number; end: boolean; done: (err: HttpoolError | null) => void } | null = null;
  /** The server sent END_STREAM (or reset): no WINDOW_UPDATE is owed any more. */
  remoteEnded = false;
  /** We sent END_STREAM. */
  #localEnded = false;
  #sink: BodySink | null = null;
  #headDone = false;
  #done = false;
  #bodyWritten = false;
  #received = 0;
  #declared = -1;
  #noBody = false;
  #informational = 0;
  #paused = false;
  /** Octets the application read while paused, credited to the stream's window on resume. */
  #uncredited = 0;
  #headerTimer: NodeJS.Timeout | null = null;
  #continueTimer: NodeJS.Timeout | null = null;
  #idle: IdleTimer | null = null;
  #listening = false;
  #resolve!: (r: ExchangeResult) => void;
  #reject!: (e: unknown) => void;

  constructor(
    readonly session: H2Session,
    readonly req: ExchangeRequest,
  ) {}

  start(): Promise<ExchangeResult> {
    const promise = new Promise<ExchangeResult>((res, rej) => {
      this.#resolve = res;
      this.#reject = rej;
    });
    const req = this.req;
    const session = this.session;
    const cancel = req.cancel;
    if (cancel?.aborted) {
      this.#finish(cancel.reason!);
      return promise;
    }
    const length = req.framing.kind === 'length' ? req.framing.length : -1;
    const list = requestFieldList(req.method, session.scheme, req.authority, req.path, req.fields, length);
    // Most servers state no limit: then the list is not measured at all.
    const limit = session.peerMaxHeaderList;
    const size = limit === Infinity ? 0 : fieldListSize(list);
    if (size > limit) {
      this.#finish(new InvalidRequestError('ERR_INVALID_HEADER', `request header list of ${size} bytes is over the server's SETTINGS_MAX_HEADER_LIST_SIZE (${limit})`));
      return promise;
    }
    const id = session.openStream(this);
    if (id === 0) {
      const e = session.failure ?? new ConnectionError('ERR_CONNECTION_CLOSED', 'the HTTP/2 session takes no new streams');
      const err = new ConnectionError('ERR_CONNECTION_CLOSED', `HTTP/2 session refused a new stream: ${e.message}`, { cause: e });
      markRetryable(err, { nothingWritten: true, nothingRead: true });
      this.#finish(err);
      return promise;
    }
    this.id = id;
    this.send = new SendWindow(id, session.peerInitialWindow);
    this.recv = new ReceiveWindow(id, DEFAULT_STREAM_RECEIVE_WINDOW);
    let block: Buffer;
    try {
      block = session.encoder.encode(list);
    } catch (e) {
      // The encoder is unusable after a half-encoded block (hpack/encoder.ts): the session retires.
      session.forget(this);
      session.close('protocol-error');
      this.#finish(e instanceof HttpoolError ? e : new InvalidRequestError('ERR_INVALID_HEADER', (e as Error).message, { cause: e }));
      return promise;
    }
    const endStream = req.body === null;
    session.writeHeaders(id, block, endStream);
    if (endStream) this.#localEnded = true;
    if (wants(req.trace, 'wroteHeaderField')) {
      for (let i = 0; i < list.length; i += 2) emit(req.trace, 'wroteHeaderField', list[i]!, [list[i + 1]!]);
    }
    emit(req.trace, 'wroteHeaders');
    if (cancel !== null) {
      this.#listening = true;
      cancel.on(this); // a listener object, not a closure (cancel.ts says why)
    }
    const headerMs = req.responseHeaderTimeout;
    if (headerMs > 0) {
      this.#headerTimer = setTimeout(() => {
        this.#finish(new TimeoutError('ERR_TIMEOUT', `no response headers within ${headerMs} ms`, { timeout: 'responseHeader' }), H2Code.CANCEL);
      }, headerMs);
    }
    if (req.body === null) emit(req.trace, 'wroteRequest', { err: null });
    else if (req.expectContinue && session.opts.expectContinueTimeout > 0) {
      this.#continueTimer = setTimeout(() => this.#releaseBody(), session.opts.expectContinueTimeout);
      emit(req.trace, 'wait100Continue');
    } else void this.#writeBody();
    return promise;
  }

  /** 100 Continue, the wait's timeout, or a final 1xx/2xx response: the body goes now. */
  #releaseBody(): void {
    if (this.#continueTimer === null) return;
    clearTimeout(this.#continueTimer);
    this.#continueTimer = null;
    if (!this.#done) void this.#writeBody();
  }

  #sendData(data: Uint8Array, end: boolean): Promise<HttpoolError | null> {
    return new Promise((resolve) => this.session.sendData(this, data, end, resolve));
  }

  async #writeBody(): Promise<void> {
    const body = this.req.body!;
    try {
      if (body.kind === 'bytes') {
        const err = await this.#sendData(body.data, true);
        if (err !== null) return;
      } else {
        for await (const chunk of body.chunks) {
          if (this.#done) return;
          if (chunk.length === 0) continue;
          if ((await this.#sendData(chunk, false)) !== null || this.#done) return;
        }
        if (this.#done) return;
        if ((await this.#sendData(EMPTY, true)) !== null) return;
      }
      this.#bodyWritten = true;
      emit(this.req.trace, 'wroteRequest', { err: null });
    } catch (err) {
      const e = err instanceof HttpoolError ? err : new ConnectionError('ERR_WRITE', `request body failed: ${(err as Error).message}`, { cause: err });
      emit(this.req.trace, 'wroteRequest', { err: e });
      this.#finish(e, H2Code.CANCEL);
    }
  }

  /** The session sent our END_STREAM. */
  sentEnd(): void {
    this.#localEnded = true;
    this.#forgetIfOver();
  }

  // ---- frames for this stream (session.ts) ----

  onHeaders(list: string[], endStream: boolean): void {
    if (this.#done) return;
    if (this.#headDone) return this.#onTrailers(list, endStream);
    const parsed = responseFields(list);
    if (typeof parsed === 'string') return this.protocolError(streamError(H2Code.PROTOCOL_ERROR, this.id, `malformed response: ${parsed}`));
    const status = parsed.status;
    const trace = this.req.trace;
    if (status < 200) {
      // §8.1: an informational response has no body, so END_STREAM on it is malformed; 101 is not allowed in HTTP/2 (§8.6).
      if (endStream || status === 101) return this.protocolError(streamError(H2Code.PROTOCOL_ERROR, this.id, `informational response ${status}${endStream ? ' ending the stream' : ''}`));
      if (++this.#informational > MAX_INFORMATIONAL) return this.protocolError(streamError(H2Code.PROTOCOL_ERROR, this.id, `more than ${MAX_INFORMATIONAL} informational responses`));
      if (trace !== null) {
        emit(trace, 'gotFirstResponseByte');
        if (status === 100) emit(trace, 'got100Continue');
        emit(trace, 'got1xxResponse', status, fieldPairs(parsed.fields));
      }
      if (status === 100) this.#releaseBody();
      return;
    }
    this.#onResponse(status, parsed.fields, parsed.contentLength, endStream);
  }

  #onResponse(status: number, fields: string[], contentLength: number, endStream: boolean): void {
    if (this.#headerTimer !== null) clearTimeout(this.#headerTimer);
    this.#headerTimer = null;
    emit(this.req.trace, 'gotFirstResponseByte');
    if (this.#continueTimer !== null) {
      // Go's rule (x/net/http2 handleResponseHeaders): above 299 the server does not want the
      // body, which is never sent; a 2xx may want it (full duplex, Go issue 13444): it goes now.
      if (status < 300) this.#releaseBody();
      else {
        clearTimeout(this.#continueTimer);
        this.#continueTimer = null;
      }
    }
    this.#noBody = this.req.method === 'HEAD' || status === 204 || status === 304;
    this.#declared = contentLength;
    // As over HTTP/1.1 (h1/parse.ts): 204 and 304 have no content whatever they declare, and
    // HEAD keeps the declared length. Go (x/net/http2 handleResponse) also takes no
    // content-length with END_STREAM on the HEADERS as a body of length 0.
    if (status === 204 || status === 304) contentLength = this.req.method === 'HEAD' ? contentLength : 0;
    else if (contentLength === -1 && endStream && this.req.method !== 'HEAD') contentLength = 0;
    const head = new H2Head(status, contentLength, fields);
    let coding: Coding[] | null;
    try {
      coding = this.req.coding(head);
    } catch (err) {
      // A chain of codings the request's rules refuse (decode.ts): the stream is not worth reading.
      this.#finish(err as HttpoolError, H2Code.CANCEL);
      return;
    }
    const channel = new BodyChannel(this);
    channel.context = this.req.request;
    this.#sink = coding === null ? channel : new DecodingSink(coding, channel, this.session.opts, (err) => this.#finish(err, H2Code.CANCEL));
    this.#headDone = true;
    if (this.req.bodyIdleTimeout > 0 && !this.#noBody && !endStream) this.#watchIdle();
    this.#resolve({ head, channel, decoded: coding !== null, upgrade: null });
    if (endStream) this.#onEnd([]);
  }

  #onTrailers(list: string[], endStream: boolean): void {
    // §8.1: a HEADERS after the response's must end the stream (trailers), and carries no pseudo-header fields.
    if (!endStream) return this.protocolError(streamError(H2Code.PROTOCOL_ERROR, this.id, 'a second HEADERS without END_STREAM'));
    const bad = trailerError(list);
    if (bad !== null) return this.protocolError(streamError(H2Code.PROTOCOL_ERROR, this.id, `malformed trailers: ${bad}`));
    this.#onEnd(list);
  }

  onData(buf: Buffer, start: number, end: number, endStream: boolean): void {
    // A finished stream has left the session's table (forgotten or reset): its DATA never comes here.
    if (!this.#headDone) return this.protocolError(streamError(H2Code.PROTOCOL_ERROR, this.id, 'DATA before the response HEADERS (RFC 9113 §8.1)'));
    const n = end - start;
    if (n > 0) {
      this.#received += n;
      if (this.#noBody) return this.protocolError(streamError(H2Code.PROTOCOL_ERROR, this.id, `DATA on a response that has no body (RFC 9113 §8.1.1)`));
      if (this.#declared >= 0 && this.#received > this.#declared) {
        return this.protocolError(streamError(H2Code.PROTOCOL_ERROR, this.id, `HTTP/2 body of more than ${this.#declared} bytes, the content-length (RFC 9113 §8.1.1)`));
      }
      this.#idle?.touch();
      this.#sink!.push(buf.subarray(start, end));
      // The body may have failed or been closed by what the push set off.
      if (this.#done) return;
      if (this.#paused) this.#uncredited += n;
      else this.session.creditStream(this, n);
    }
    if (endStream) this.#onEnd([]);
  }

  #onEnd(trailers: string[]): void {
    this.remoteEnded = true;
    if (this.#declared >= 0 && this.#received !== this.#declared && !this.#noBody) {
      return this.protocolError(streamError(H2Code.PROTOCOL_ERROR, this.id, `HTTP/2 body of ${this.#received} bytes, but content-length said ${this.#declared} (RFC 9113 §8.1.1)`));
    }
    const sink = this.#sink;
    this.#sink = null;
    sink?.end(trailers);
    this.#finish(null);
  }

  /** The server reset the stream. */
  onReset(code: number): void {
    this.remoteEnded = true;
    this.#localEnded = true; // a reset closes both halves: nothing more is sent
    if (this.#done) {
      this.session.forget(this);
      return;
    }
    if (code === H2Code.REFUSED_STREAM) return this.refused('the server refused the HTTP/2 stream (REFUSED_STREAM) before processing it');
    const e =
      code !== H2Code.NO_ERROR && code !== H2Code.CANCEL
        ? new ProtocolError('ERR_PROTOCOL', `HTTP/2 stream reset by the server (${h2CodeName(code)})`)
        : new ConnectionError(this.#headDone ? 'ERR_READ' : 'ERR_CONNECTION_CLOSED', `HTTP/2 stream reset by the server (${h2CodeName(code)}) before the response was complete`);
    if (!this.#headDone) markRetryable(e, { nothingWritten: false, nothingRead: true });
    this.session.forget(this);
    this.#finish(e);
  }

  /** Never processed by the server (REFUSED_STREAM, or above a GOAWAY's last stream id, RFC 9113 §8.7): safe to send again. */
  refused(message: string): void {
    this.remoteEnded = true;
    this.#localEnded = true;
    this.session.forget(this);
    if (this.#done) return;
    const e = new ConnectionError('ERR_CONNECTION_CLOSED', message);
    markRetryable(e, { nothingWritten: true, nothingRead: true });
    this.#finish(e);
  }

  /** A stream error (§5.4.2): RST_STREAM with its code, the request fails, the session goes on. */
  protocolError(err: H2FrameError): void {
    if (err.scope === 'connection') throw new Error('connection error handed to a stream');
    if (this.#done) {
      this.session.resetStream(this, err.h2Code);
      return;
    }
    this.#finish(err, err.h2Code);
  }

  /** The header list was over maxResponseHeaderBytes: Go ends the stream with PROTOCOL_ERROR (processHeaders); the session carries on. */
  headersTooLarge(err: HeaderListTooLargeError): void {
    const e = new ProtocolError('ERR_HEADERS_TOO_LARGE', `the response's header list is over maxResponseHeaderBytes (${err.limit}, counted as RFC 9113 §6.5.2 does)`, { cause: err });
    if (this.#done) this.session.resetStream(this, H2Code.PROTOCOL_ERROR);
    else this.#finish(e, H2Code.PROTOCOL_ERROR);
  }

  /** The session closed under the stream. */
  sessionEnded(err: HttpoolError): void {
    this.remoteEnded = true;
    this.#localEnded = true;
    if (this.#done) return;
    let e = err;
    // The connection went before the head: another connection may try again (retry.ts
    // decides), as over HTTP/1.1; the session's error is shared, so the mark goes on a copy.
    // Not after a protocol error of the server's: Go's shouldRetryRequest does not retry a
    // connection error either, and a server breaking HTTP/2 would break it on the next too.
    if (!this.#headDone && err instanceof ConnectionError) {
      e = new ConnectionError(err.code, err.message, { cause: err });
      markRetryable(e, { nothingWritten: false, nothingRead: true });
    }
    this.#finish(e);
  }

  // ---- the end ----

  /** Ends the exchange once: settles the caller, resets the stream if it must, frees the slot. */
  #finish(err: HttpoolError | null, rst?: number): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#headerTimer !== null) clearTimeout(this.#headerTimer);
    if (this.#continueTimer !== null) clearTimeout(this.#continueTimer);
    this.#headerTimer = this.#continueTimer = null;
    this.#idle?.stop();
    if (this.#listening) this.req.cancel?.off(this);
    // A streamed body not sent to its end is closed (a file's descriptor with it), as conn.ts
    // does (Go's TestTransportClosesBodyOnError).
    const body = this.req.body;
    if (!this.#bodyWritten && body !== null && body.kind === 'stream') {
      body.close(err ?? new ConnectionError('ERR_CONNECTION_CLOSED', 'the response arrived before the request body was sent; the rest is not sent'));
    }
    if (err !== null) {
      if (this.#headDone) this.#sink?.fail(err);
      else this.#reject(err);
    }
    this.#sink = null;
    if (this.id !== 0) {
      if (this.remoteEnded && this.#localEnded) this.session.forget(this);
      // The response is complete but our half is still open (a body skipped after Expect, or
      // one cut short by the response): Go's cleanupWriteRequest resets it with NO_ERROR,
      // freeing the stream on both sides (RFC 9113 §8.1: the rest of the request is not needed).
      else if (this.remoteEnded && rst === undefined) this.session.resetStream(this, H2Code.NO_ERROR);
      else this.session.resetStream(this, rst ?? H2Code.CANCEL);
    }
    this.session.streamDone();
  }

  #forgetIfOver(): void {
    if (this.#done && this.remoteEnded && this.#localEnded) this.session.forget(this);
  }

  // ---- the body's source ----

  cancelled(): void {
    this.#finish(this.req.cancel!.reason!, H2Code.CANCEL);
  }

  pause(): void {
    this.#idle?.pause();
    this.#paused = true;
  }

  resume(): void {
    this.#idle?.resume();
    this.#paused = false;
    const n = this.#uncredited;
    this.#uncredited = 0;
    if (n > 0 && !this.#done) this.session.creditStream(this, n);
  }

  /**
   * bodyIdleTimeout over HTTP/2: the stream is reset and its body fails ERR_TIMEOUT. The session
   * stays: other streams share it, and a dead session is PING's to find (http2PingTimeout).
   */
  #watchIdle(): void {
    const ms = this.req.bodyIdleTimeout;
    this.#idle = new IdleTimer(ms, () => {
      this.#finish(new TimeoutError('ERR_TIMEOUT', `no response body bytes for bodyIdleTimeout (${ms} ms)`, { timeout: 'bodyIdle' }), H2Code.CANCEL);
    });
  }

  abandon(): Promise<void> {
    // Early close: resetting the stream frees it at once; the session carries on.
    this.#finish(null, H2Code.CANCEL);
    return Promise.resolve();
  }

  leaked(): void {
    if (this.#done) return;
    if (this.session.opts.warnOnLeakedBody) warnLeak(this.req.callSite);
    this.#finish(null, H2Code.CANCEL);
  }
}

const EMPTY = Buffer.alloc(0);

/** A response head from an HTTP/2 header list. */
class H2Head implements ResponseHead {
  readonly reason: string;
  readonly versionMinor = 1;
  readonly chunked = false;
  readonly connectionClose = false;
  readonly keepAliveTimeoutMs = -1;
  readonly headerBytes = 0;
  readonly http2 = true;
  readonly contentEncoding: string | null;

  constructor(
    readonly statusCode: number,
    readonly contentLength: number,
    readonly rawHeaders: string[],
  ) {
    this.reason = STATUS_CODES[statusCode] ?? '';
    let ce: string | null = null;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      if (rawHeaders[i] === 'content-encoding') ce = ce === null ? rawHeaders[i + 1]! : `${ce}, ${rawHeaders[i + 1]!}`;
    }
    this.contentEncoding = ce;
  }
}
