// An HTTP/2 session as one pooled connection carrying many streams (node:http2 underneath).
// The pool hands it to a request while it has a free stream (the server's
// SETTINGS_MAX_CONCURRENT_STREAMS); GOAWAY stops new streams and the session closes once its
// streams finish; an idle session is checked with PING and closed after idleConnTimeout.
// Body semantics match HTTP/1.1: a body closed early or dropped unread resets its stream
// (RST_STREAM CANCEL), which costs the session nothing, so no drain is needed.
// maxResponseHeaderBytes is the session's SETTINGS_MAX_HEADER_LIST_SIZE (header-limit.ts), and
// Expect: 100-continue holds the body back as over HTTP/1.1 (continue.ts).

import * as http2 from 'node:http2';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { BodyChannel, type BodySink, type BodySource } from '../body.js';
import { DecodingSink, type Coding } from '../decode.js';
import { ConnectionError, HttpoolError, ProtocolError, TimeoutError, TransportClosedError } from '../errors.js';
import type { ResponseHead } from '../h1/types.js';
import { ContinueWait } from './continue.js';
import { headerListSetting, headerListSize, headersTooLarge, isHeaderLimitReset } from './header-limit.js';
import type { CloseReason } from '../stats.js';
import { emit, wants } from '../trace.js';
import type { ConnHooks } from '../transport/conn.js';
import type { ExchangeRequest, ExchangeResult } from '../transport/exchange.js';
import { warnLeak } from '../transport/leak-warning.js';
import type { ResolvedOptions } from '../transport/options.js';
import type { Poolable } from '../transport/pool.js';
import { IdleTimer } from '../transport/idle-timer.js';
import { markRetryable } from '../transport/retry.js';

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, NGHTTP2_NO_ERROR, NGHTTP2_PROTOCOL_ERROR } = http2.constants;

/** Fields that belong to one HTTP/1.1 connection and are forbidden in HTTP/2 (RFC 9113 §8.2.2). */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

export class H2Conn implements Poolable {
  readonly multiplexed = true;
  readonly id: number;
  readonly key: string;
  readonly keepAliveTimeoutMs = -1;
  uses = 0;
  /** Streams reserved or open. */
  streams = 0;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS (Node's assumption until SETTINGS arrive). */
  maxStreams: number;
  draining = false;
  /**
   * A request said Connection: close: no new streams, and the session closes when its last one
   * ends (Go's cc.doNotReuse for isConnectionCloseRequest). Not `draining`, which means GOAWAY.
   */
  #retiring = false;
  /** The server has acknowledged our SETTINGS: node:http2 enforces the header list limit on streams opened from now. */
  settingsAcked = false;
  closeReason: CloseReason | null = null;
  poolState: 'active' | 'idle' | 'closed' = 'active';
  idleSince: number;
  readonly createdAt: number;
  idleDeadline = Infinity;
  idleDeadlineReason: CloseReason = 'idle-timeout';
  readonly #session: http2.ClientHttp2Session;
  readonly #opts: ResolvedOptions;
  readonly #hooks: ConnHooks<H2Conn>;
  readonly #scheme: 'http' | 'https';
  #idleTimer: NodeJS.Timeout | null = null;
  #pingTimer: NodeJS.Timeout | null = null;

  constructor(id: number, key: string, socket: Duplex, scheme: 'http' | 'https', authority: string, opts: ResolvedOptions, hooks: ConnHooks<H2Conn>, now: number) {
    this.id = id;
    this.key = key;
    this.#opts = opts;
    this.#hooks = hooks;
    this.#scheme = scheme;
    this.idleSince = now;
    this.createdAt = now;
    this.#session = http2.connect(`${scheme}://${authority}`, {
      createConnection: () => socket,
      // Go: MaxResponseHeaderBytes is http2's MaxHeaderListSize, advertised and enforced.
      settings: { enablePush: false, maxHeaderListSize: headerListSetting(opts.maxResponseHeaderBytes) },
      maxHeaderListPairs: 10_000,
      maxSessionMemory: 64,
    });
    this.maxStreams = this.#session.remoteSettings.maxConcurrentStreams ?? 100;
    const s = this.#session;
    s.once('localSettings', () => (this.settingsAcked = true));
    s.on('remoteSettings', (settings: http2.Settings) => {
      const before = this.maxStreams;
      this.maxStreams = settings.maxConcurrentStreams ?? 0xffffffff;
      // More room: let waiting requests have it.
      if (this.maxStreams > before && this.closeReason === null && !this.draining) this.#hooks.reusable(this, null);
    });
    s.on('goaway', () => {
      this.draining = true;
      if (this.streams === 0) this.close('goaway');
    });
    // A session error is either the peer breaking HTTP/2 or the socket failing under it.
    s.on('error', (err: NodeJS.ErrnoException) => this.close(err.code?.startsWith('ERR_HTTP2') ? 'protocol-error' : 'read-error'));
    s.on('close', () => this.close(this.draining ? 'goaway' : 'server-closed'));
    s.on('frameError', () => {});
    this.#becameIdle();
  }

  isOpen(): boolean {
    return this.closeReason === null && !this.draining && !this.#retiring && !this.#session.destroyed && !this.#session.closed;
  }

  hasCapacity(): boolean {
    return this.isOpen() && this.streams < this.maxStreams;
  }

  /** The pool reserves a stream as it hands the session to a request. */
  reserveStream(): void {
    this.streams++;
    if (this.streams === 1) this.#becameBusy();
  }

  /** A reservation that was never used (the waiter had gone). */
  unreserveStream(): void {
    this.#streamDone();
  }

  setIdle(): void {
    // Sessions stay out of the idle lists; their idleness is the stream count.
  }

  roundTrip(req: ExchangeRequest): Promise<ExchangeResult> {
    this.uses++;
    if (req.connectionClose) this.#retiring = true;
    return new H2Exchange(this, req, this.#opts).start(this.#session, this.#scheme);
  }

  /** @internal A stream finished (or its reservation was dropped). */
  streamDone(): void {
    this.#streamDone();
  }

  #streamDone(): void {
    this.streams--;
    if (this.closeReason !== null) return;
    if (this.draining || this.#retiring) {
      if (this.streams === 0) this.close(this.draining ? 'goaway' : 'connection-close');
      return;
    }
    if (this.streams === 0) this.#becameIdle();
    this.#hooks.reusable(this, null);
  }

  #becameBusy(): void {
    this.#clearTimers();
    this.#session.ref();
  }

  #becameIdle(): void {
    this.idleSince = performance.now();
    this.#session.unref();
    this.#clearTimers();
    const idle = this.#opts.idleConnTimeout;
    if (idle > 0) {
      this.#idleTimer = setTimeout(() => this.close('idle-timeout'), idle);
      this.#idleTimer.unref();
    }
    this.#armPing();
  }

  /** Go's ReadIdleTimeout/PingTimeout: an idle session is asked for a PING; no answer closes it. */
  #armPing(): void {
    const every = this.#opts.http2PingInterval;
    if (every <= 0) return;
    this.#pingTimer = setTimeout(() => {
      this.#pingTimer = null;
      if (this.closeReason !== null || this.streams > 0) return;
      let answered = false;
      const deadline = setTimeout(() => {
        if (!answered) this.close('health-check-failed');
      }, this.#opts.http2PingTimeout);
      deadline.unref();
      const sent = this.#session.ping((err) => {
        answered = true;
        clearTimeout(deadline);
        if (err !== null) this.close('health-check-failed');
        else if (this.streams === 0 && this.closeReason === null) this.#armPing();
      });
      if (!sent) {
        clearTimeout(deadline);
        this.close('health-check-failed');
      }
    }, every);
    this.#pingTimer.unref();
  }

  #clearTimers(): void {
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    if (this.#pingTimer !== null) clearTimeout(this.#pingTimer);
    this.#idleTimer = null;
    this.#pingTimer = null;
  }

  close(reason: CloseReason): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    this.#clearTimers();
    const s = this.#session;
    if (!s.destroyed) {
      // Graceful when nothing is in flight; otherwise the open streams fail with the reason.
      if (this.streams === 0 || reason === 'goaway') {
        s.close();
        // GOAWAY is sent and the session ends by itself; a peer that never lets go is cut off.
        setTimeout(() => s.destroy(), 1000).unref();
      } else {
        s.destroy();
      }
    }
    this.#hooks.closed(this, reason);
  }
}

/** One request on a stream; also its body's source (pause, resume, early close, leak). */
class H2Exchange implements BodySource {
  #stream: http2.ClientHttp2Stream | null = null;
  #sink: BodySink | null = null;
  /**
   * DATA read before 'response' was emitted. node:http2 emits the head on the next tick but
   * pushes DATA at once; over a native socket the tick runs between the two, over a JS stream
   * (a user's dial returning any Duplex) both arrive in one go and the body would come first.
   */
  #early: Buffer[] | null = null;
  /** The request body went out to its end (or there was none). */
  #bodyWritten = false;
  #headDone = false;
  #done = false;
  #trailers: string[] = [];
  /** Body bytes received, checked against content-length at the end. */
  #received = 0;
  #declared = -1;
  /** HEAD, 204 and 304 declare a length they do not send. */
  #noBody = false;
  #headerTimer: NodeJS.Timeout | null = null;
  /** The body idle clock (bodyIdleTimeout), only when one is set. */
  #idle: IdleTimer | null = null;
  /** Opened before the server acknowledged our SETTINGS: node:http2 does not limit its header list, so it is measured here. */
  #measureHead = false;
  /** The body waiting for 100 Continue (Expect: 100-continue), or null. */
  #continue: ContinueWait | null = null;
  #listening = false;
  #resolve!: (r: ExchangeResult) => void;
  #reject!: (e: unknown) => void;

  constructor(
    readonly conn: H2Conn,
    readonly req: ExchangeRequest,
    readonly opts: ResolvedOptions,
  ) {}

  start(session: http2.ClientHttp2Session, scheme: 'http' | 'https'): Promise<ExchangeResult> {
    const promise = new Promise<ExchangeResult>((res, rej) => {
      this.#resolve = res;
      this.#reject = rej;
    });
    const req = this.req;
    const cancel = req.cancel;
    if (cancel?.aborted) {
      this.#finish(cancel.reason!);
      return promise;
    }
    const headers: http2.OutgoingHttpHeaders = {
      ':method': req.method,
      ':scheme': scheme,
      ':authority': req.authority,
      ':path': req.path,
    };
    const f = req.fields;
    for (let i = 0; i < f.length; i += 2) {
      const name = f[i]!.toLowerCase();
      const value = f[i + 1]!;
      if (CONNECTION_SPECIFIC.has(name)) continue;
      if (name === 'te' && value.trim().toLowerCase() !== 'trailers') continue;
      const prev = headers[name];
      if (prev === undefined) headers[name] = value;
      else if (Array.isArray(prev)) prev.push(value);
      else headers[name] = name === 'cookie' ? `${String(prev)}; ${value}` : [String(prev), value];
    }
    if (req.framing.kind === 'length') headers['content-length'] = String(req.framing.length);
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: req.body === null });
    } catch (err) {
      const e = new ConnectionError('ERR_CONNECTION_CLOSED', `HTTP/2 session refused a new stream: ${(err as Error).message}`, { cause: err });
      markRetryable(e, { nothingWritten: true, nothingRead: true });
      this.#finish(e);
      return promise;
    }
    this.#stream = stream;
    this.#measureHead = !this.conn.settingsAcked;
    if (wants(req.trace, 'wroteHeaderField')) {
      for (const [name, value] of Object.entries(headers)) {
        emit(req.trace, 'wroteHeaderField', name, Array.isArray(value) ? value.map(String) : [String(value)]);
      }
    }
    emit(req.trace, 'wroteHeaders');
    if (cancel !== null) {
      this.#listening = true;
      cancel.on(this); // a listener object, not a closure (cancel.ts says why)
    }
    const headerMs = req.responseHeaderTimeout;
    if (headerMs > 0) {
      this.#headerTimer = setTimeout(() => {
        this.#finish(new TimeoutError('ERR_TIMEOUT', `no response headers within ${headerMs} ms`, { timeout: 'responseHeader' }), NGHTTP2_CANCEL);
      }, headerMs);
    }
    // 1xx heads only feed trace hooks: no listener for an untraced request.
    if (req.trace !== null) {
      stream.on('headers', (h: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader) => {
        const status = Number(h[':status']);
        if (status >= 100 && status < 200) {
          emit(req.trace, 'gotFirstResponseByte');
          emit(req.trace, 'got1xxResponse', status, toPairs(h));
        }
      });
    }
    stream.on('response', (h: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader, _flags: number, raw: string[]) => this.#onResponse(h, raw));
    stream.on('data', (chunk: Buffer) => {
      this.#received += chunk.length;
      this.#idle?.touch();
      if (this.#sink !== null) this.#sink.push(chunk);
      else if (!this.#headDone && !this.#done) (this.#early ??= []).push(chunk);
    });
    stream.on('trailers', (t: http2.IncomingHttpHeaders) => {
      this.#trailers = flatten(t);
    });
    stream.on('end', () => {
      if (!this.#headDone) return;
      // node:http2 also ends a stream whose session died under it: only an END_STREAM on a
      // live session, with the declared length, is a complete body. Anything else is cut short.
      if (session.destroyed || this.conn.closeReason !== null) {
        this.#finish(this.#streamError(stream));
        return;
      }
      if (this.#declared >= 0 && this.#received !== this.#declared && !this.#noBody) {
        this.#finish(new ProtocolError('ERR_PROTOCOL', `HTTP/2 body of ${this.#received} bytes, but content-length said ${this.#declared}`), NGHTTP2_CANCEL);
        return;
      }
      this.#sink?.end(this.#trailers);
      this.#finish(null);
    });
    stream.on('error', () => {});
    stream.on('close', () => {
      if (this.#done) return;
      this.#finish(this.#streamError(stream));
    });
    if (req.body === null) emit(req.trace, 'wroteRequest', { err: null });
    else if (req.expectContinue && this.opts.expectContinueTimeout > 0) {
      this.#continue = new ContinueWait(stream, this.opts.expectContinueTimeout, req.trace, () => {
        this.#continue = null;
        void this.#writeBody(stream);
      });
      emit(req.trace, 'wait100Continue');
    } else void this.#writeBody(stream);
    return promise;
  }

  async #writeBody(stream: http2.ClientHttp2Stream): Promise<void> {
    const body = this.req.body!;
    try {
      if (body.kind === 'bytes') {
        stream.end(body.data);
      } else {
        for await (const chunk of body.chunks) {
          if (this.#done || stream.destroyed) return;
          if (!stream.write(chunk)) await drainOrClose(stream);
        }
        if (this.#done || stream.destroyed) return;
        stream.end();
      }
      this.#bodyWritten = true;
      emit(this.req.trace, 'wroteRequest', { err: null });
    } catch (err) {
      const e = err instanceof HttpoolError ? err : new ConnectionError('ERR_WRITE', `request body failed: ${(err as Error).message}`, { cause: err });
      emit(this.req.trace, 'wroteRequest', { err: e });
      this.#finish(e, NGHTTP2_CANCEL);
    }
  }

  #onResponse(h: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader, raw: string[]): void {
    if (this.#done) return;
    if (this.#headerTimer !== null) clearTimeout(this.#headerTimer);
    this.#headerTimer = null;
    emit(this.req.trace, 'gotFirstResponseByte');
    if (this.#measureHead) {
      const size = headerListSize(raw);
      const limit = this.opts.maxResponseHeaderBytes;
      // Go ends such a stream with PROTOCOL_ERROR (processHeaders → endStreamError); the session carries on.
      if (size > limit) return this.#finish(headersTooLarge(limit, size), NGHTTP2_PROTOCOL_ERROR);
    }
    const statusCode = Number(h[':status']);
    if (this.#continue !== null) this.#finalBeforeContinue(statusCode);
    this.#noBody = this.req.method === 'HEAD' || statusCode === 204 || statusCode === 304;
    const cl = h['content-length'];
    this.#declared = typeof cl === 'string' && /^\d{1,15}$/.test(cl) ? Number(cl) : -1;
    const head = new H2Head(statusCode, this.#declared, h);
    let coding: Coding[] | null;
    try {
      coding = this.req.coding(head);
    } catch (err) {
      // A chain of codings the request's rules refuse (decode.ts): the stream is not worth reading.
      this.#finish(err as HttpoolError, NGHTTP2_CANCEL);
      return;
    }
    const channel = new BodyChannel(this);
    channel.context = this.req.request;
    this.#sink = coding === null ? channel : new DecodingSink(coding, channel, this.opts, (err) => this.#finish(err, NGHTTP2_CANCEL));
    this.#headDone = true;
    if (this.req.bodyIdleTimeout > 0 && !this.#noBody) this.#watchIdle();
    this.#resolve({ head, channel, decoded: coding !== null, upgrade: null });
    const early = this.#early;
    this.#early = null;
    if (early !== null) {
      for (const chunk of early) this.#sink?.push(chunk);
      if (this.#done) return; // a decoding failure finished the exchange part way
    }
    // A body that is already over (HEAD, 204, END_STREAM on the headers) ends here.
    if (this.#stream!.readableEnded || (this.#stream!.endAfterHeaders ?? false)) {
      this.#sink.end([]);
      this.#finish(null);
    }
  }

  /**
   * A final response came while the body waited for 100 Continue. Go's rule (x/net/http2
   * transport.go, handleResponseHeaders): a status above 299 means the server does not want the
   * body, which is never sent; once the response is complete, RST_STREAM NO_ERROR closes our half
   * (#finish; RFC 9113 §8.1). A 1xx/2xx final response may want it (full duplex, Go issue 13444):
   * it goes now, with no more waiting.
   */
  #finalBeforeContinue(statusCode: number): void {
    const wait = this.#continue!;
    this.#continue = null;
    wait.stop();
    if (statusCode < 300) void this.#writeBody(this.#stream!);
  }

  #streamError(stream: http2.ClientHttp2Stream): HttpoolError {
    if (this.conn.closeReason === 'transport-closed') {
      return new TransportClosedError('ERR_TRANSPORT_CLOSED', 'transport closed while the request was in flight');
    }
    const code = stream.rstCode;
    // node:http2 resets a stream whose header block is over our SETTINGS_MAX_HEADER_LIST_SIZE.
    if (isHeaderLimitReset(code)) return headersTooLarge(this.opts.maxResponseHeaderBytes, null);
    const refused = code === NGHTTP2_REFUSED_STREAM || (!this.#headDone && this.conn.draining);
    const e = refused
      ? new ConnectionError('ERR_CONNECTION_CLOSED', 'the server refused the HTTP/2 stream before processing it')
      : code !== undefined && code !== NGHTTP2_NO_ERROR && code !== NGHTTP2_CANCEL
        ? new ProtocolError('ERR_PROTOCOL', `HTTP/2 stream reset by the server (code ${code})`)
        : new ConnectionError(this.#headDone ? 'ERR_READ' : 'ERR_CONNECTION_CLOSED', 'HTTP/2 stream closed before the response was complete');
    // REFUSED_STREAM and streams above a GOAWAY's last id were never processed (RFC 9113 §8.7).
    if (refused) markRetryable(e, { nothingWritten: true, nothingRead: true });
    else if (!this.#headDone) markRetryable(e, { nothingWritten: false, nothingRead: true });
    return e;
  }

  /** Ends the exchange once: settles the caller, closes the stream if it must, frees the stream slot. */
  #finish(err: HttpoolError | null, rst?: number): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#headerTimer !== null) clearTimeout(this.#headerTimer);
    this.#idle?.stop();
    this.#continue?.stop();
    if (this.#listening) this.req.cancel?.off(this);
    const stream = this.#stream;
    // A streamed body not sent to its end is closed (a file stream's descriptor with it), as
    // conn.ts does for HTTP/1.1 (Go's TestTransportClosesBodyOnError): the exchange failed, or
    // the response came first and the rest of the body is not wanted.
    const body = this.req.body;
    if (!this.#bodyWritten && body !== null && body.kind === 'stream') {
      body.close(err ?? new ConnectionError('ERR_CONNECTION_CLOSED', 'the response arrived before the request body was sent; the rest is not sent'));
    }
    if (err !== null) {
      if (this.#headDone) this.#sink?.fail(err);
      else this.#reject(err);
    }
    if (stream !== null && !stream.closed) {
      if (rst !== undefined) stream.close(rst);
      // The response is complete but our half is still open (a body skipped after Expect, or one
      // cut short by the response): Go's cleanupWriteRequest resets it with NO_ERROR, freeing
      // the stream on both sides (RFC 9113 §8.1: the rest of the request is not needed).
      else if (!stream.writableEnded) stream.close(NGHTTP2_NO_ERROR);
    }
    this.#sink = null;
    this.conn.streamDone();
  }

  /** The request's Cancel fired. */
  cancelled(): void {
    this.#finish(this.req.cancel!.reason!, NGHTTP2_CANCEL);
  }

  pause(): void {
    this.#idle?.pause();
    this.#stream?.pause();
  }
  resume(): void {
    this.#idle?.resume();
    this.#stream?.resume();
  }

  /**
   * bodyIdleTimeout over HTTP/2: the stream is reset and its body fails ERR_TIMEOUT. The session
   * stays: other streams share it, and a dead session is PING's to find (http2PingTimeout).
   */
  #watchIdle(): void {
    const ms = this.req.bodyIdleTimeout;
    this.#idle = new IdleTimer(ms, () => {
      this.#finish(new TimeoutError('ERR_TIMEOUT', `no response body bytes for bodyIdleTimeout (${ms} ms)`, { timeout: 'bodyIdle' }), NGHTTP2_CANCEL);
    });
  }
  abandon(): Promise<void> {
    // Early close: resetting the stream frees it at once; the session carries on.
    this.#finish(null, NGHTTP2_CANCEL);
    return Promise.resolve();
  }
  leaked(): void {
    if (this.#done) return;
    if (this.opts.warnOnLeakedBody) warnLeak(this.req.callSite);
    this.#finish(null, NGHTTP2_CANCEL);
  }
}

/**
 * Resolves on the stream's next 'drain' or its 'close', removing both listeners: a large upload
 * waits for drain hundreds of times, and a 'close' listener left per wait piled up on the stream
 * (MaxListenersExceededWarning past 10).
 */
function drainOrClose(stream: http2.ClientHttp2Stream): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off('drain', done).off('close', done);
      resolve();
    };
    stream.on('drain', done).on('close', done);
  });
}

function flatten(h: http2.IncomingHttpHeaders): string[] {
  const out: string[] = [];
  for (const name of Object.keys(h)) {
    if (name.startsWith(':')) continue;
    const v = h[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.push(name, x);
    else out.push(name, String(v));
  }
  return out;
}

/** A response head from node:http2's header object, its fields listed only when first read. */
class H2Head implements ResponseHead {
  readonly reason: string;
  readonly versionMinor = 1;
  readonly chunked = false;
  readonly connectionClose = false;
  readonly keepAliveTimeoutMs = -1;
  readonly headerBytes = 0;
  readonly http2 = true;
  /** node:http2 joins repeated Content-Encoding fields with ", ", as the HTTP/1.1 parser does. */
  readonly contentEncoding: string | null;
  #raw: string[] | null = null;

  constructor(
    readonly statusCode: number,
    readonly contentLength: number,
    readonly fields: http2.IncomingHttpHeaders,
  ) {
    this.reason = STATUS_CODES[statusCode] ?? '';
    const ce = fields['content-encoding'];
    this.contentEncoding = typeof ce === 'string' ? ce : null;
  }

  get rawHeaders(): string[] {
    return (this.#raw ??= flatten(this.fields));
  }
}

function toPairs(h: http2.IncomingHttpHeaders): [string, string][] {
  const flat = flatten(h);
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
