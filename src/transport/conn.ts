// One HTTP/1.1 connection (Go's persistConn): a socket, a response parser, and at most one
// exchange at a time. The transport (transport.ts) hands it requests; the pool (pool.ts)
// decides where it goes between them; the wire format lives in src/h1. Every way a
// connection can end goes through close(reason), which reports to the pool exactly once.
//
// States: idle (in the pool or between exchanges) → busy (an exchange is on it) → idle …
//         any → closed. Bytes or a FIN arriving while idle close it at once: a server that
//         closed an idle connection must never be handed a request (seed 003).

import type { Duplex } from 'node:stream';
import { BodyChannel } from '../body.js';
import type { ConnInfo } from '../conn-info.js';
import { DecodingSink } from '../decode.js';
import {
  BodyError,
  ConnectionError,
  HttpoolError,
  ProtocolError,
  TimeoutError,
  TransportClosedError,
} from '../errors.js';
import { isIdleTimeoutResponse, ResponseParser } from '../h1/parse.js';
import type { ParserHandler, ResponseHead } from '../h1/types.js';
import type { CloseReason } from '../stats.js';
import { emit, fieldPairs, hasHook, wants, type TraceCtx } from '../trace.js';
import { writeBody } from './body-writer.js';
import type { ConnSocket, ReadInto } from './dial.js';
import { Exchange, type ExchangeRequest, type ExchangeResult } from './exchange.js';
import { warnLeak } from './leak-warning.js';
import type { Poolable } from './pool.js';
import { ReadBuffers, STREAM_ABOVE_BYTES, type NextRead } from './read-buffers.js';
import { IdleTimer } from './idle-timer.js';
import { markRetryable } from './retry.js';
import { upgradeStream } from './upgrade.js';

// The exchange's types are re-exported for the transport above.
export type { ExchangeRequest, ExchangeResult };

export interface ConnOptions {
  maxResponseHeaderBytes: number;
  responseHeaderTimeout: number;
  maxDrainBytes: number;
  drainTimeout: number;
  warnOnLeakedBody: boolean;
  disableKeepAlives: boolean;
  expectContinueTimeout: number;
  maxDecodedBytes: number;
  maxDecodeRatio: number;
}

export interface ConnHooks<C> {
  /** The exchange ended cleanly and the connection may serve another request. */
  reusable(conn: C, trace: TraceCtx | null): void;
  /** The connection closed; called exactly once. */
  closed(conn: C, reason: CloseReason): void;
}

export class Conn implements Poolable {
  readonly id: number;
  readonly key: string;
  readonly createdAt: number;
  poolState: 'active' | 'idle' | 'closed' = 'active';
  idleSince = 0;
  idleDeadline = Infinity;
  idleDeadlineReason: CloseReason = 'idle-timeout';
  keepAliveTimeoutMs = -1;
  uses = 0;
  closeReason: CloseReason | null = null;
  /** Addresses and TLS state for responses and gotConn (conn-info.ts); set by the transport. */
  info: ConnInfo | null = null;

  readonly #socket: ConnSocket;
  readonly #parser: ResponseParser;
  readonly #opts: ConnOptions;
  readonly #hooks: ConnHooks<Conn>;
  #ex: Exchange | null = null;
  #peerGone = false;
  /** After 101 Switching Protocols, what the socket reads goes here instead of the parser. */
  #upgrade: Duplex | null = null;
  #drainWaiters: (() => void)[] = [];

  /** Sockets read through onread only: where each read lands, and whether what is kept must be copied. */
  readonly #reads: ReadBuffers | null;

  constructor(id: number, key: string, socket: ConnSocket, reader: ReadInto | null, opts: ConnOptions, hooks: ConnHooks<Conn>, now: number) {
    this.id = id;
    this.key = key;
    this.createdAt = now;
    this.#socket = socket;
    this.#opts = opts;
    this.#hooks = hooks;
    this.#parser = new ResponseParser(this.#handler, { maxHeaderBytes: opts.maxResponseHeaderBytes });
    if (reader !== null) {
      const reads = new ReadBuffers(reader.shared);
      this.#reads = reads;
      reader.buffer = () => reads.next(this.#nextRead());
      reader.fn = (buf) => {
        reads.landed(buf.length);
        this.#onData(buf);
      };
      // Bytes an HTTP/1.1 server sent before any request answer nothing: dropped here, as they
      // were before dial.ts kept such reads (for HTTP/2, whose servers speak first).
      reader.early = null;
    } else {
      this.#reads = null;
      socket.on('data', (buf: Buffer) => this.#onData(buf));
    }
    socket.on('end', () => this.#onEnd());
    socket.on('error', (err: Error) => this.#onError(err));
    socket.on('close', () => this.#onEnd());
    socket.on('drain', () => this.#wakeWriters());
  }

  /** What the next onread read is for (read-buffers.ts chooses its buffer from this). */
  #nextRead(): NextRead {
    const ex = this.#ex;
    if (ex === null || !ex.headDelivered || ex.messageDone || ex.draining) return SHARED_READ;
    const remaining = this.#parser.remainingBodyBytes();
    if (remaining === 0) return SHARED_READ;
    // bytes() collecting a body of known length: read into its final buffer. Its unfilled part is
    // exactly the body's rest (it is sized to Content-Length), so a read never goes past the
    // body's end: what follows is for the parser to judge, through the shared buffer.
    const into = remaining > 0 ? (ex.sink?.directTarget?.() ?? null) : null;
    if (into !== null) return { kind: 'direct', into };
    if (remaining > 0 && remaining <= STREAM_ABOVE_BYTES) return SHARED_READ;
    return { kind: 'stream', remaining };
  }

  isOpen(): boolean {
    return this.closeReason === null && !this.#peerGone && !this.#socket.destroyed;
  }

  setIdle(idle: boolean): void {
    // An idle connection must not keep the process alive (Node's agent does the same).
    if (idle) this.#socket.unref?.();
    else this.#socket.ref?.();
  }

  get busy(): boolean {
    return this.#ex !== null;
  }

  /** Sends one request and resolves with the response head; the body follows through the channel. */
  roundTrip(req: ExchangeRequest): Promise<ExchangeResult> {
    if (this.#ex !== null) throw new Error(`httpool: connection #${this.id} already has an exchange`);
    if (this.closeReason !== null || this.#peerGone) {
      const err = new ConnectionError('ERR_CONNECTION_CLOSED', 'connection closed before the request was written');
      markRetryable(err, { nothingWritten: true, nothingRead: true });
      return Promise.reject(err);
    }
    const ex = new Exchange(this, req);
    this.#ex = ex;
    this.uses++;
    this.#parser.expect(req.method);
    const cancel = req.cancel;
    if (cancel !== null) {
      if (cancel.aborted) {
        this.#fail(ex, cancel.reason!, cancel.reason instanceof TimeoutError ? 'timeout' : 'aborted');
        return ex.promise;
      }
      ex.listening = true;
      cancel.on(ex);
    }
    this.#write(ex);
    return ex.promise;
  }

  #write(ex: Exchange): void {
    const { head, body } = ex.req;
    const sock = this.#socket;
    if (body === null) {
      sock.write(head, 'latin1');
      this.#wroteHead(ex);
      this.#wrote(ex);
      return;
    }
    if (ex.req.expectContinue && this.#opts.expectContinueTimeout > 0) {
      // RFC 9110 §10.1.1: the head goes alone; the body waits for 100 Continue, a final
      // response, or expectContinueTimeout, whichever comes first.
      sock.write(head, 'latin1');
      this.#wroteHead(ex);
      ex.continueTimer = setTimeout(() => this.#sendBody(ex), this.#opts.expectContinueTimeout);
      // After the timer is set: a hook that aborts the request here must find it to clear.
      emit(ex.req.trace, 'wait100Continue');
      return;
    }
    if (body.kind === 'bytes') {
      // Corked: head and body leave in one writev, one packet when small.
      sock.cork();
      sock.write(head, 'latin1');
      this.#wroteHead(ex);
      this.#sendBody(ex);
      sock.uncork();
      return;
    }
    sock.write(head, 'latin1');
    this.#wroteHead(ex);
    this.#sendBody(ex);
  }

  #wroteHead(ex: Exchange): void {
    const trace = ex.req.trace;
    if (trace === null) return;
    // Only for someone who takes them (fetch traces every request for its timing, not for
    // these): each field line as written, Host and framing included.
    if (wants(trace, 'wroteHeaderField')) this.#wroteFields(ex.req.head, trace);
    emit(trace, 'wroteHeaders');
  }

  #wroteFields(head: string, trace: TraceCtx): void {
    const lines = head.split('\r\n');
    for (let i = 1; i < lines.length && lines[i] !== ''; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      emit(trace, 'wroteHeaderField', line.slice(0, colon), [line.slice(colon + 1).trim()]);
    }
  }

  #sendBody(ex: Exchange): void {
    if (ex.continueTimer !== null) {
      clearTimeout(ex.continueTimer);
      ex.continueTimer = null;
    }
    if (ex.bodyStarted || ex.failed || this.#ex !== ex) return;
    ex.bodyStarted = true;
    const body = ex.req.body!;
    if (body.kind === 'bytes') {
      if (ex.req.framing.kind === 'chunked') throw new Error('httpool: bytes body framed as chunked');
      if (body.data.length === 0) {
        this.#wrote(ex);
        return;
      }
      // Written means flushed to the kernel, not queued: a response that comes first (a 413 to
      // a large upload) must find the request incomplete, and a reset must count as a write error.
      this.#socket.write(body.data, (err) => {
        if (err == null && !ex.failed && this.#ex === ex) this.#wrote(ex);
      });
      return;
    }
    // The body stops when the response ends first, unless it must follow that response.
    const stop = (): boolean => ex.failed || this.closeReason !== null || (ex.messageDone && !ex.bodyAfterResponse);
    const drained = (): Promise<void> => new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    writeBody(this.#socket, body.chunks, ex.req.framing, stop, drained).then(
      () => {
        if (!ex.failed && this.#ex === ex) this.#wrote(ex);
      },
      (err: unknown) => {
        const e =
          err instanceof HttpoolError
            ? err
            : new BodyError('ERR_INVALID_BODY', `reading the request body failed: ${String(err)}`, { cause: err });
        this.#fail(ex, e, 'write-error');
      },
    );
  }

  #wakeWriters(): void {
    const w = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const fn of w) fn();
  }

  #wrote(ex: Exchange): void {
    ex.writeDone = true;
    emit(ex.req.trace, 'wroteRequest', { err: null });
    if (ex.messageDone) {
      this.#finish(ex);
      return;
    }
    const t = ex.req.responseHeaderTimeout;
    if (t > 0 && !ex.headDelivered) {
      ex.headerTimer = setTimeout(() => {
        this.#fail(ex, new TimeoutError('ERR_TIMEOUT', `no response headers within responseHeaderTimeout (${t} ms)`, { timeout: 'responseHeader' }), 'timeout');
      }, t);
    }
  }

  // The parser's callbacks, kept off the public surface of Conn.
  readonly #handler: ParserHandler = {
    onInformational: (head) => {
      const ex = this.#ex;
      if (ex === null) return;
      const trace = ex.req.trace;
      if (head.statusCode === 100 && ex.req.expectContinue && !ex.bodyStarted) {
        emit(trace, 'got100Continue');
        this.#sendBody(ex);
      }
      // Go: without a got1xxResponse hook nobody looks at 1xx heads, so together they count
      // against the header limit; with the hook the caller sees each one and limits them.
      if (!hasHook(trace, 'got1xxResponse')) {
        ex.informational++;
        ex.informationalBytes += head.headerBytes;
        if (ex.informationalBytes > this.#opts.maxResponseHeaderBytes) {
          throw new ProtocolError(
            'ERR_HEADERS_TOO_LARGE',
            `1xx responses sent ${ex.informationalBytes} header bytes, over maxResponseHeaderBytes (${this.#opts.maxResponseHeaderBytes})`,
          );
        }
      }
      emit(trace, 'got1xxResponse', head.statusCode, fieldPairs(head.rawHeaders));
    },
    onHead: (head) => {
      const ex = this.#ex!;
      if (ex.headerTimer !== null) {
        clearTimeout(ex.headerTimer);
        ex.headerTimer = null;
      }
      if (head.statusCode === 101 && !ex.req.upgrade) {
        // A switch nobody asked for would hand an unwanted raw socket to a caller who will
        // never close it; refuse it as undici does.
        throw new ProtocolError('ERR_PROTOCOL', 'server switched protocols (101) but the request offered no Upgrade');
      }
      if (ex.req.expectContinue && !ex.bodyStarted) this.#finalBeforeContinue(ex, head);
      ex.head = head;
      this.keepAliveTimeoutMs = head.keepAliveTimeoutMs;
      const coding = ex.req.coding(head);
      const channel = new BodyChannel(ex);
      channel.context = ex.req.request;
      if (coding === null && head.contentLength > 0 && this.#parser.remainingBodyBytes() > 0) channel.expected = head.contentLength;
      ex.sink =
        coding === null
          ? channel
          : new DecodingSink(coding, channel, this.#opts, (err) =>
              this.#fail(ex, err, err.code === 'ERR_BODY_TOO_LARGE' ? 'body-too-large' : 'decode-error'),
            );
      ex.headDelivered = true;
      if (ex.req.bodyIdleTimeout > 0 && head.statusCode !== 101) this.#watchIdle(ex);
      const upgrade = head.statusCode === 101 ? this.#makeUpgrade() : null;
      ex.resolve({ head, channel, decoded: coding !== null, upgrade });
    },
    onUpgradeBytes: (rest) => this.#pushUpgrade(rest),
    onBody: (chunk) => {
      const ex = this.#ex!;
      if (ex.draining) {
        ex.drained += chunk.length;
        if (ex.drained > this.#opts.maxDrainBytes) this.close('body-not-drained');
        return;
      }
      ex.sink?.push(this.#reads !== null && this.#reads.reused ? Buffer.from(chunk) : chunk);
    },
    onComplete: (trailers) => {
      const ex = this.#ex!;
      ex.messageDone = true;
      ex.sink?.end(trailers);
    },
  };

  /**
   * A final response arrived while the body waited for 100 Continue. When either side said
   * Connection: close the body is skipped and the connection closed after the response;
   * otherwise the body is sent anyway, so the connection stays in step and can be reused.
   */
  #finalBeforeContinue(ex: Exchange, head: ResponseHead): void {
    if (ex.continueTimer !== null) {
      clearTimeout(ex.continueTimer);
      ex.continueTimer = null;
    }
    if (head.connectionClose || ex.req.connectionClose) {
      ex.bodyStarted = true;
      ex.mustClose = true;
      ex.writeDone = true;
      // The body will never be sent: release its stream now, not at garbage collection.
      closeBody(ex, new ConnectionError('ERR_CONNECTION_CLOSED', 'the request body was not sent: the server answered before 100 Continue and the connection closes'));
      return;
    }
    ex.bodyAfterResponse = true;
    this.#sendBody(ex);
  }

  /** 101 Switching Protocols: what the socket reads from now on goes to the caller's Duplex. */
  #makeUpgrade(): Duplex {
    this.#upgrade = upgradeStream(this.#socket);
    return this.#upgrade;
  }

  #pushUpgrade(buf: Buffer): void {
    // Copied: the read may have landed in the shared read buffer.
    if (!this.#upgrade!.push(Buffer.from(buf))) this.#socket.pause();
  }

  /** The 101 exchange is over: the connection leaves the pool, its socket stays open for the caller. */
  #detach(): void {
    this.closeReason = 'upgraded';
    this.#ex = null;
    this.#socket.ref?.();
    this.#hooks.closed(this, 'upgraded');
  }

  #onData(buf: Buffer): void {
    if (this.#upgrade !== null && this.#ex === null) {
      this.#pushUpgrade(buf);
      return;
    }
    const ex = this.#ex;
    if (ex === null) {
      if (this.closeReason !== null) return;
      // Go: "Unsolicited response received on idle HTTP channel". A 408 (HTTP/1.1 or 1.0) is a
      // server timing out the idle connection; anything else is a broken server, empty lines
      // included (the parser skips those only before the response to a request it expects).
      // Either way the connection is never reused.
      this.close(isIdleTimeoutResponse(buf) ? 'server-closed' : 'protocol-error');
      return;
    }
    ex.idle?.touch();
    if (!ex.firstByte) {
      ex.firstByte = true;
      emit(ex.req.trace, 'gotFirstResponseByte');
    }
    try {
      this.#parser.feed(buf);
    } catch (err) {
      this.#fail(ex, asHttpoolError(err), 'protocol-error');
      return;
    }
    if (ex.messageDone) this.#finish(ex);
  }

  /** The peer went away (FIN, RST, error): returns the exchange it interrupted, if any. */
  #peerLeft(): Exchange | null {
    if (this.#upgrade !== null && this.#ex === null) {
      this.#upgrade.push(null);
      return null;
    }
    if (this.closeReason !== null) return null;
    this.#peerGone = true;
    if (this.#ex === null) this.close('server-closed');
    return this.#ex;
  }

  #onEnd(): void {
    const ex = this.#peerLeft();
    if (ex === null) return;
    try {
      this.#parser.finish();
    } catch (err) {
      this.#fail(ex, asHttpoolError(err), 'read-error');
      return;
    }
    if (ex.messageDone) this.#finish(ex);
    else this.#fail(ex, new ConnectionError('ERR_CONNECTION_CLOSED', 'server closed the connection'), 'read-error');
  }

  #onError(err: Error): void {
    const ex = this.#peerLeft();
    if (ex === null) return;
    const writing = !ex.writeDone;
    const code = writing ? 'ERR_WRITE' : 'ERR_READ';
    const msg = (err as NodeJS.ErrnoException).code ?? err.message;
    this.#fail(ex, new ConnectionError(code, `connection failed while ${writing ? 'writing the request' : 'reading the response'} (${msg})`, { cause: err }), writing ? 'write-error' : 'read-error');
  }

  /** The message is complete: keep the connection if everything about it was regular. */
  #finish(ex: Exchange): void {
    if (ex.failed || this.#ex !== ex) return;
    if (!ex.writeDone) {
      // A body sent after the response (Expect: 100-continue) finishes first; #wrote comes back here.
      if (ex.bodyAfterResponse) return;
      // The server answered before the request body was fully sent; the rest can't follow.
      this.#cleanup(ex);
      closeBody(ex, new ConnectionError('ERR_CONNECTION_CLOSED', 'the response arrived before the request body was sent; the rest is not sent'));
      this.close('request-incomplete');
      return;
    }
    this.#cleanup(ex);
    if (this.#upgrade !== null) {
      this.#detach();
      return;
    }
    this.#ex = null;
    // A body that paused the socket and then finished must not leave the next exchange paused.
    if (this.#socket.isPaused()) this.#socket.resume();
    const drainDone = ex.drainDone;
    if (this.#opts.disableKeepAlives) this.close('keepalives-disabled');
    // Either side's Connection: close ends the connection (Go's readLoop: resp.Close ||
    // req.Close; TestTransportConnectionCloseOnRequest), whether or not the server closes first.
    else if (ex.head!.connectionClose || ex.req.connectionClose || ex.mustClose || this.#peerGone) this.close('connection-close');
    else this.#hooks.reusable(this, ex.req.trace);
    drainDone?.();
  }

  /** bodyIdleTimeout: the body fails ERR_TIMEOUT and the connection closes ('timeout'). */
  #watchIdle(ex: Exchange): void {
    const ms = ex.req.bodyIdleTimeout;
    ex.idle = new IdleTimer(ms, () => {
      const err = new TimeoutError('ERR_TIMEOUT', `no response body bytes for bodyIdleTimeout (${ms} ms)`, { timeout: 'bodyIdle' });
      this.#fail(ex, err, 'timeout');
    });
  }

  #cleanup(ex: Exchange): void {
    ex.idle?.stop();
    if (ex.headerTimer !== null) clearTimeout(ex.headerTimer);
    if (ex.drainTimer !== null) clearTimeout(ex.drainTimer);
    if (ex.continueTimer !== null) clearTimeout(ex.continueTimer);
    ex.headerTimer = ex.drainTimer = ex.continueTimer = null;
    if (ex.listening) {
      ex.req.cancel!.off(ex);
      ex.listening = false;
    }
  }

  #fail(ex: Exchange, err: HttpoolError, reason: CloseReason): void {
    if (ex.failed || this.#ex !== ex) return;
    ex.failed = true;
    // A body still being sent (or waiting for 100 Continue) stops here: its stream is closed,
    // not left to the garbage collector (Go's TestTransportClosesBodyOnError).
    if (!ex.writeDone) closeBody(ex, err);
    if (!ex.headDelivered) {
      // Nothing of the response reached the caller: the transport may retry on another
      // connection, but only after a broken connection. A timeout or an abort is final (Go
      // never retries them): a retry would stretch the caller's limit and resend to a slow server.
      if (reason !== 'timeout' && reason !== 'aborted' && reason !== 'transport-closed') {
        markRetryable(err, {
          nothingWritten: false,
          nothingRead: this.#parser.bytesReceivedForCurrent === 0,
        });
      }
      ex.reject(err);
    } else if (!ex.messageDone) {
      ex.sink?.fail(err);
    }
    this.#cleanup(ex);
    this.close(reason);
    const drainDone = ex.drainDone;
    drainDone?.();
  }

  /** @internal Backpressure from the exchange's body. */
  pauseFor(ex: Exchange): void {
    if (this.#ex === ex && !ex.messageDone) {
      this.#socket.pause();
      ex.idle?.pause();
    }
  }

  /** @internal */
  resumeFor(ex: Exchange): void {
    if (this.#ex === ex) {
      ex.idle?.resume();
      this.#socket.resume();
    }
  }

  /** @internal The caller closed the body early (seeds 000/001): drain a little to keep the connection. */
  abandonFor(ex: Exchange): Promise<void> {
    if (ex.messageDone || ex.failed || this.#ex !== ex) return Promise.resolve();
    ex.sink = null;
    // Draining has its own limit (drainTimeout).
    ex.idle?.stop();
    // Not kept afterwards either way: nothing to save by draining.
    if (ex.head!.connectionClose || ex.req.connectionClose) {
      this.close('connection-close');
      return Promise.resolve();
    }
    const remaining = this.#parser.remainingBodyBytes();
    if (remaining > this.#opts.maxDrainBytes) {
      this.close('body-not-drained');
      return Promise.resolve();
    }
    ex.draining = true;
    return new Promise<void>((resolve) => {
      ex.drainDone = resolve;
      ex.drainTimer = setTimeout(() => this.close('body-not-drained'), this.#opts.drainTimeout);
      this.#socket.resume();
    });
  }

  /** @internal The exchange's Cancel fired. */
  cancelledFor(ex: Exchange): void {
    const err = ex.req.cancel!.reason!;
    this.#fail(ex, err, err instanceof TimeoutError ? 'timeout' : 'aborted');
  }

  /** @internal */
  leakedFor(ex: Exchange): void {
    if (this.#ex !== ex || ex.messageDone || ex.failed) return;
    if (this.#opts.warnOnLeakedBody) warnLeak(ex.req.callSite);
    this.close('body-leaked');
  }

  /** Ends the connection for `reason`; idempotent, reports to the pool once. */
  close(reason: CloseReason): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    const ex = this.#ex;
    if (ex !== null && !ex.failed && !(ex.messageDone && ex.writeDone)) {
      const err =
        reason === 'transport-closed'
          ? new TransportClosedError('ERR_TRANSPORT_CLOSED', 'transport closed while the request was in flight')
          : new ConnectionError('ERR_CONNECTION_CLOSED', `connection closed (${reason})`);
      this.#fail(ex, err, reason);
    }
    if (ex !== null) this.#cleanup(ex);
    this.#ex = null;
    this.#socket.destroy();
    this.#wakeWriters();
    ex?.drainDone?.();
    this.#hooks.closed(this, reason);
  }
}

const SHARED_READ: NextRead = { kind: 'shared' };

/** Closes the exchange's streamed request body (request-stream.ts); bytes have nothing to close. */
function closeBody(ex: Exchange, reason: unknown): void {
  const body = ex.req.body;
  if (body !== null && body.kind === 'stream') body.close(reason);
}

function asHttpoolError(err: unknown): HttpoolError {
  if (err instanceof HttpoolError) return err;
  return new ProtocolError('ERR_PROTOCOL', `malformed response: ${String(err)}`, { cause: err });
}

