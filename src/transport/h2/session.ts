// One HTTP/2 connection of httpool's own, behind the pool's connection contract (Poolable, as
// conn.ts is for HTTP/1.1): the socket, the frame reader and writer (src/h2/frames), HPACK
// (src/h2/hpack), the flow-control windows (src/h2/flow.ts), stream ids and the frames allowed
// on streams it no longer tracks (src/h2/stream-state.ts), and the timers. One request on one
// stream is stream.ts: it leaves the session's table as soon as both halves are over or reset,
// so a frame for it after that is judged as on a closed stream (§5.1).
//
// The pool hands the session to a request while it has a free stream (the server's
// SETTINGS_MAX_CONCURRENT_STREAMS); GOAWAY stops new streams, fails those above its last
// stream id as never processed (so they are retried elsewhere), and the session closes once
// the rest finish. An idle session is checked with PING and closed after idleConnTimeout.
//
// Writes, batched per turn of the event loop and paced by the flow-control windows, are
// writer.ts's.
//
// A hostile server (the 2019 and 2023–2024 HTTP/2 advisories, client side) meets a bound at
// each step: the frame reader bounds frames, field blocks and CONTINUATIONs; HPACK bounds the
// header list and the table; the flow windows refuse overruns; the recently-reset ring bounds
// frames on streams we reset; control frames that need an answer (SETTINGS, PING) while the
// socket is not draining are counted (writer.ts MAX_CONTROL_BACKLOG); a server that sends no
// SETTINGS is given http2PingTimeout. Each is a connection error: GOAWAY with its code, close reason
// 'protocol-error', every open stream failing ERR_PROTOCOL.

import { ConnectionError, HttpoolError, ProtocolError, TransportClosedError } from '../../errors.js';
import { connectionError, H2FrameError } from '../../h2/frames/error.js';
import { FrameReader, DEFAULT_MAX_HEADER_BLOCK_BYTES, type FrameHandler } from '../../h2/frames/reader.js';
import { DEFAULT_INITIAL_WINDOW_SIZE, DEFAULT_MAX_FRAME_SIZE, H2Code, h2CodeName, Setting } from '../../h2/frames/types.js';
import { DEFAULT_STREAM_RECEIVE_WINDOW, ReceiveWindow } from '../../h2/flow.js';
import { HeaderListTooLargeError, HpackDecoder, HpackEncoder } from '../../h2/hpack/index.js';
import { RecentlyReset, StreamEvent, StreamIds, type StreamEventValue } from '../../h2/stream-state.js';
import type { CloseReason } from '../../stats.js';
import type { ConnHooks } from '../conn.js';
import type { ConnSocket, ReadInto } from '../dial.js';
import type { ExchangeRequest, ExchangeResult } from '../exchange.js';
import type { ResolvedOptions } from '../options.js';
import type { Poolable } from '../pool.js';
import { H2Stream } from './stream.js';
import { MAX_CONTROL_BACKLOG, SessionWriter } from './writer.js';

/** Streams we reset and still recognise frames for (RecentlyReset): above any server's usual MAX_CONCURRENT_STREAMS. */
const RESET_MEMORY = 256;
/** Reads of a busy session go into slabs of this size, each read at least MIN_READ octets (see read-buffers.ts on large reads). */
const SLAB_BYTES = 256 * 1024;
const MIN_READ = 64 * 1024;
/** How long a closing session waits for the peer to close its side before the socket is cut. */
const LINGER_MS = 1000;
/** Until the server's SETTINGS say otherwise (RFC 9113 §6.5.2 leaves it unlimited; Go and nghttp2 assume 100). */
const INITIAL_MAX_STREAMS = 100;
/** Streams per session when the server's SETTINGS set no limit (Go's defaultMaxConcurrentStreams). */
const UNSTATED_MAX_STREAMS = 1000;

export class H2Session implements Poolable, FrameHandler {
  readonly multiplexed = true;
  readonly id: number;
  readonly key: string;
  readonly keepAliveTimeoutMs = -1;
  readonly createdAt: number;
  uses = 0;
  /** Streams reserved or open. */
  streams = 0;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS. */
  maxStreams = INITIAL_MAX_STREAMS;
  /** GOAWAY came: no new streams. */
  draining = false;
  /** The server has acknowledged our SETTINGS. */
  settingsAcked = false;
  closeReason: CloseReason | null = null;
  poolState: 'active' | 'idle' | 'closed' = 'active';
  idleSince: number;
  idleDeadline = Infinity;
  idleDeadlineReason: CloseReason = 'idle-timeout';

  readonly scheme: 'http' | 'https';
  readonly opts: ResolvedOptions;
  readonly encoder = new HpackEncoder();
  readonly #decoder: HpackDecoder;
  readonly #socket: ConnSocket;
  readonly #hooks: ConnHooks<H2Session>;
  readonly #reader: FrameReader;
  readonly #writer: SessionWriter;
  /** Where frames are written (the writer's buffer); #writer.schedule() sends them. */
  readonly #out: SessionWriter['frames'];
  readonly #ids = new StreamIds();
  readonly #open = new Map<number, H2Stream>();
  #reset: RecentlyReset | null = null;
  readonly #connRecv = ReceiveWindow.connection();
  // What the server's SETTINGS said (RFC 9113 §6.5.2 defaults until then).
  peerInitialWindow = DEFAULT_INITIAL_WINDOW_SIZE;
  peerMaxHeaderList = Infinity;
  #gotSettings = false;
  /** A request said Connection: close: no new streams; close when the last one ends (Go's doNotReuse). */
  #retiring = false;
  /** The last stream id a GOAWAY allowed. */
  #goAwayLast = Infinity;
  #idleTimer: NodeJS.Timeout | null = null;
  #pingTimer: NodeJS.Timeout | null = null;
  #pingDeadline: NodeJS.Timeout | null = null;
  #settingsTimer: NodeJS.Timeout | null = null;
  #pingData: Buffer | null = null;
  /** The first error that ended the session: what open streams fail with. */
  #error: HttpoolError | null = null;

  constructor(id: number, key: string, socket: ConnSocket, reader: ReadInto | null, scheme: 'http' | 'https', opts: ResolvedOptions, hooks: ConnHooks<H2Session>, now: number) {
    this.id = id;
    this.key = key;
    this.#socket = socket;
    this.scheme = scheme;
    this.opts = opts;
    this.#hooks = hooks;
    this.idleSince = now;
    this.createdAt = now;
    const listLimit = Math.min(opts.maxResponseHeaderBytes, 0xffffffff);
    this.#decoder = new HpackDecoder({ maxHeaderListSize: listLimit });
    // A field block over the header list limit is still read and decoded to its end (the HPACK
    // table must stay in step, RFC 9113 §4.3) and fails its stream only (§10.5.1), up to the
    // default limit's worth (1 MiB) or the limit itself when larger; a block beyond that is a
    // connection error ENHANCE_YOUR_CALM (the CONTINUATION flood bound, frames/reader.ts), as
    // Go closes a connection after a bounded excess (CVE-2023-45288).
    const maxBlock = Math.max(DEFAULT_MAX_HEADER_BLOCK_BYTES, Math.min(Math.max(listLimit, 1 << 20), 16 << 20) + DEFAULT_MAX_FRAME_SIZE);
    this.#reader = new FrameReader(this, {
      serverPreface: true,
      maxHeaderBlockBytes: maxBlock,
      maxContinuationFrames: Math.max(32, Math.ceil(maxBlock / 4096)),
    });
    // Go's Transport's SETTINGS (x/net/http2 transport.go newClientConn): no push, a 4 MiB
    // stream window, the header list limit; then the connection window raised to 1 GiB.
    this.#writer = new SessionWriter(socket);
    this.#out = this.#writer.frames;
    this.#out.preface().settings([Setting.ENABLE_PUSH, 0, Setting.INITIAL_WINDOW_SIZE, DEFAULT_STREAM_RECEIVE_WINDOW, Setting.MAX_HEADER_LIST_SIZE, listLimit]);
    this.#out.windowUpdate(0, this.#connRecv.initialIncrement);
    this.#writer.flush();
    if (reader !== null) {
      this.#shared = reader.shared;
      reader.buffer = this.#nextRead;
      reader.fn = this.#onRead;
      const early = reader.early;
      reader.early = null;
      // The server's first frames, read before the session existed (dial.ts). They are read on
      // the next tick: after the pool has taken the session (promise continuations all run
      // first), before any later read (the next I/O callback), so order holds.
      if (early !== null) {
        process.nextTick(() => {
          for (const chunk of early) this.#onSocketData(chunk);
        });
      }
    } else socket.on('data', this.#onSocketData);
    socket.on('error', this.#onSocketError);
    socket.on('end', this.#onSocketEnd);
    socket.on('close', this.#onSocketClose);
    const wait = opts.http2PingTimeout;
    if (wait > 0) {
      this.#settingsTimer = setTimeout(() => {
        this.#settingsTimer = null;
        if (!this.#gotSettings) this.#connectionError(connectionError(H2Code.SETTINGS_TIMEOUT, 0, `the server sent no SETTINGS within ${wait} ms (http2PingTimeout)`));
      }, wait);
      this.#settingsTimer.unref();
    }
    this.#becameIdle();
  }

  isOpen(): boolean {
    return this.closeReason === null && !this.draining && !this.#retiring && !this.#ids.exhausted;
  }

  hasCapacity(): boolean {
    return this.isOpen() && this.streams < this.maxStreams;
  }

  reserveStream(): void {
    this.streams++;
    if (this.streams === 1) this.#becameBusy();
  }

  unreserveStream(): void {
    this.streamDone();
  }

  setIdle(): void {
    // Sessions stay out of the idle lists; their idleness is the stream count.
  }

  roundTrip(req: ExchangeRequest): Promise<ExchangeResult> {
    this.uses++;
    if (req.connectionClose) this.#retiring = true;
    return new H2Stream(this, req).start();
  }

  // ---- what streams ask of the session ----

  /** A new stream id, or 0 when the session can open none (closed, GOAWAY, ids used up). */
  openStream(stream: H2Stream): number {
    if (this.closeReason !== null || this.draining) return 0;
    const id = this.#ids.next();
    if (id === 0) return 0;
    this.#open.set(id, stream);
    return id;
  }

  /** The session's error when a stream cannot open or was cut off with it. */
  get failure(): HttpoolError | null {
    return this.#error;
  }

  writeHeaders(streamId: number, block: Buffer, endStream: boolean): void {
    this.#out.headers(streamId, block, endStream, this.#writer.maxFrameSize);
    this.#writer.schedule();
  }

  /**
   * Queues DATA for a stream; `done` runs once all of it is handed to the socket (or the stream
   * ended first, with its error). Sent at once as far as the windows and the socket allow.
   */
  sendData(stream: H2Stream, data: Uint8Array, end: boolean, done: (err: HttpoolError | null) => void): void {
    this.#writer.sendData(stream, data, end, done);
  }

  /** RST_STREAM for a stream of ours; frames already in flight for it are then ignored (RecentlyReset). */
  resetStream(stream: H2Stream, code: number): void {
    const id = stream.id;
    if (this.closeReason === null) {
      this.#out.rstStream(id, code);
      this.#writer.schedule();
      (this.#reset ??= new RecentlyReset({ capacity: RESET_MEMORY })).add(id, stream.recv.available);
    }
    this.forget(stream);
  }

  /** The stream is over on both sides (or reset): its id leaves the table and its DATA the queue. */
  forget(stream: H2Stream): void {
    if (stream.id === 0) return;
    if (this.#open.get(stream.id) === stream) this.#open.delete(stream.id);
    if (stream.outgoing !== null) this.#writer.drop(stream, this.#error ?? new ConnectionError('ERR_CONNECTION_CLOSED', 'the stream ended before its request body was sent'));
  }

  /** Window credit for DATA the application consumed from a stream (and padding): WINDOW_UPDATE when due. */
  creditStream(stream: H2Stream, n: number): void {
    const inc = stream.recv.consumed(n);
    if (inc > 0 && !stream.remoteEnded && this.closeReason === null) {
      this.#out.windowUpdate(stream.id, inc);
      this.#writer.schedule();
    }
  }

  /** A stream finished (or its reservation was dropped). */
  streamDone(): void {
    this.streams--;
    if (this.closeReason !== null) return;
    if (this.draining || this.#retiring) {
      if (this.streams === 0) this.close(this.draining ? 'goaway' : 'connection-close');
      return;
    }
    if (this.streams === 0) this.#becameIdle();
    this.#hooks.reusable(this, null);
  }

  // ---- frames from the server (FrameHandler) ----

  onData(streamId: number, buf: Buffer, start: number, end: number, endStream: boolean, flowLength: number): void {
    if (this.closeReason !== null) return;
    const connErr = this.#connRecv.received(flowLength);
    if (connErr !== null) return this.#connectionError(connErr);
    // The connection window is given back at once: a paused stream holds back only its own
    // window (4 MiB), never the connection's, so one slow reader cannot stall the others.
    const inc = this.#connRecv.consumed(flowLength);
    if (inc > 0) {
      this.#out.windowUpdate(0, inc);
      this.#writer.schedule();
    }
    const stream = this.#open.get(streamId);
    if (stream === undefined) return this.#untracked(streamId, StreamEvent.RECV_DATA, flowLength);
    const err = stream.recv.received(flowLength);
    if (err !== null) return stream.protocolError(err);
    if (flowLength > end - start) this.creditStream(stream, flowLength - (end - start)); // padding
    stream.onData(buf, start, end, endStream);
  }

  onHeaders(streamId: number, buf: Buffer, start: number, end: number, endStream: boolean): void {
    if (this.closeReason !== null) return;
    let list: string[] | null = null;
    let tooLarge: HeaderListTooLargeError | null = null;
    try {
      // Every block is decoded, whoever it is for: the HPACK table must stay in step (§4.3).
      list = this.#decoder.decode(buf.subarray(start, end));
    } catch (e) {
      if (e instanceof HeaderListTooLargeError) tooLarge = e;
      else return this.#connectionError(connectionError(H2Code.COMPRESSION_ERROR, 0, (e as Error).message));
    }
    const stream = this.#open.get(streamId);
    if (stream === undefined) return this.#untracked(streamId, StreamEvent.RECV_HEADERS, 0);
    if (tooLarge !== null) return stream.headersTooLarge(tooLarge);
    stream.onHeaders(list!, endStream);
  }

  onRstStream(streamId: number, errorCode: number): void {
    if (this.closeReason !== null) return;
    const stream = this.#open.get(streamId);
    if (stream === undefined) return this.#untracked(streamId, StreamEvent.RECV_RST, 0);
    stream.onReset(errorCode);
  }

  onSettings(params: number[]): void {
    if (this.closeReason !== null) return;
    let moreStreams = false;
    if (!this.#gotSettings) {
      this.#gotSettings = true;
      if (this.#settingsTimer !== null) clearTimeout(this.#settingsTimer);
      this.#settingsTimer = null;
      // No MAX_CONCURRENT_STREAMS in the server's first SETTINGS means no limit (§6.5.2); Go then
      // takes 1000 (x/net/http2 defaultMaxConcurrentStreams), and so does httpool: node's server
      // says nothing when it allows any number.
      if (!hasSetting(params, Setting.MAX_CONCURRENT_STREAMS)) {
        moreStreams = true;
        this.maxStreams = UNSTATED_MAX_STREAMS;
      }
    }
    for (let i = 0; i < params.length; i += 2) {
      const value = params[i + 1]!;
      switch (params[i]) {
        case Setting.HEADER_TABLE_SIZE:
          this.encoder.setPeerMaxTableSize(value);
          break;
        case Setting.ENABLE_PUSH:
          // §6.5.2: only a client may say 1; from a server it is a connection error.
          if (value !== 0) return this.#connectionError(connectionError(H2Code.PROTOCOL_ERROR, 0, `SETTINGS_ENABLE_PUSH ${value} from a server`));
          break;
        case Setting.MAX_CONCURRENT_STREAMS:
          moreStreams ||= value > this.maxStreams;
          this.maxStreams = value;
          break;
        case Setting.INITIAL_WINDOW_SIZE: {
          const delta = value - this.peerInitialWindow;
          this.peerInitialWindow = value;
          for (const s of this.#open.values()) {
            const err = s.send.adjust(delta);
            if (err !== null) return this.#connectionError(err);
          }
          break;
        }
        case Setting.MAX_FRAME_SIZE:
          this.#writer.maxFrameSize = value;
          break;
        case Setting.MAX_HEADER_LIST_SIZE:
          this.peerMaxHeaderList = value;
          break;
      }
    }
    this.#out.settingsAck();
    if (this.#writer.answeredControl()) return this.#flooded();
    this.#writer.pump();
    this.#writer.schedule();
    // More room: let waiting requests have it.
    if (moreStreams && this.isOpen()) this.#hooks.reusable(this, null);
  }

  onSettingsAck(): void {
    this.settingsAcked = true;
  }

  onPing(data: Buffer, ack: boolean): void {
    if (this.closeReason !== null) return;
    if (!ack) {
      this.#out.ping(data, true);
      if (this.#writer.answeredControl()) return this.#flooded();
      this.#writer.schedule();
      return;
    }
    const mine = this.#pingData;
    if (mine !== null && mine.equals(data)) {
      this.#pingData = null;
      if (this.#pingDeadline !== null) clearTimeout(this.#pingDeadline);
      this.#pingDeadline = null;
      if (this.streams === 0) this.#armPing();
    }
  }

  onGoAway(lastStreamId: number, errorCode: number, debug: Buffer): void {
    if (this.closeReason !== null) return;
    this.draining = true;
    this.#goAwayLast = Math.min(this.#goAwayLast, lastStreamId);
    // An error code says why the server is ending the connection (nginx: ENHANCE_YOUR_CALM for a
    // request header over its buffers): the streams it then cuts off fail with it, as Go's
    // GoAwayError names it.
    if (errorCode !== H2Code.NO_ERROR) {
      this.#error ??= new ConnectionError('ERR_CONNECTION_CLOSED', `the server ended the HTTP/2 connection with GOAWAY ${codeText(errorCode, debug)} (last stream ${lastStreamId})`);
    }
    // Streams above the last id were never processed (RFC 9113 §6.8, §8.7): safe to send again.
    const refused = [...this.#open.values()].filter((s) => s.id > this.#goAwayLast);
    for (const s of refused) s.refused(`the server sent GOAWAY ${codeText(errorCode, debug)} (last stream ${lastStreamId}) before it processed the stream`);
    if (this.streams === 0) this.close('goaway');
  }

  onWindowUpdate(streamId: number, increment: number): void {
    if (this.closeReason !== null) return;
    if (streamId === 0) {
      const err = this.#writer.updateConnectionWindow(increment);
      if (err !== null) this.#connectionError(err);
      return;
    }
    const stream = this.#open.get(streamId);
    if (stream === undefined) return this.#untracked(streamId, StreamEvent.RECV_WINDOW_UPDATE, 0);
    const err = stream.send.update(increment);
    if (err !== null) return stream.protocolError(err);
    this.#writer.pump();
  }

  onStreamError(err: H2FrameError): void {
    if (this.closeReason !== null) return;
    const stream = this.#open.get(err.streamId);
    if (stream !== undefined) stream.protocolError(err);
    else {
      this.#out.rstStream(err.streamId, err.h2Code);
      this.#writer.schedule();
    }
  }

  /** More SETTINGS/PING answers queued than a reading server would leave (writer.ts): a flood. */
  #flooded(): void {
    this.#connectionError(connectionError(H2Code.ENHANCE_YOUR_CALM, 0, `more than ${MAX_CONTROL_BACKLOG} SETTINGS/PING frames to answer while the server does not read`));
  }

  /**
   * A frame for a stream the session holds no state for (§5.1). StreamIds refuses even and idle
   * ids; what it lets through is a client stream opened before, now closed or recently reset.
   */
  #untracked(streamId: number, event: StreamEventValue, length: number): void {
    const err = this.#ids.checkUntracked(streamId, event) ?? this.#closed(streamId, event, length);
    if (err !== null) this.#connectionError(err);
  }

  #closed(streamId: number, event: StreamEventValue, length: number): H2FrameError | null {
    const reset = this.#reset;
    if (reset !== null) return reset.onFrame(streamId, event, length);
    // Closed by END_STREAMs, never reset: §5.1 lets WINDOW_UPDATE and RST_STREAM through (the
    // frame reader reports no PRIORITY).
    if (event === StreamEvent.RECV_WINDOW_UPDATE || event === StreamEvent.RECV_RST) return null;
    return connectionError(H2Code.STREAM_CLOSED, streamId, `frame on closed stream ${streamId}`);
  }

  // ---- reading ----

  // Reads through onread (dial.ts): DATA frames are handed to bodies as views of the read, so
  // reads land in a slab of the session's own, each in fresh octets, never reused (Node's own
  // Buffer pool scheme). With no stream open nothing can keep a view (only DATA for an open
  // stream is kept), so an idle session reads into the process's shared buffer and holds no
  // read memory; a read that lands there just as a stream opens is copied out.
  #shared: Buffer | null = null;
  #slab: Buffer | null = null;
  #slabOff = 0;

  readonly #nextRead = (): Buffer => {
    if (this.streams === 0) {
      this.#slab = null;
      return this.#shared!;
    }
    let slab = this.#slab;
    if (slab === null || slab.length - this.#slabOff < MIN_READ) {
      slab = this.#slab = Buffer.allocUnsafe(SLAB_BYTES);
      this.#slabOff = 0;
    }
    return slab.subarray(this.#slabOff);
  };

  readonly #onRead = (chunk: Buffer): void => {
    if (chunk.buffer === this.#shared!.buffer) {
      if (this.streams > 0) chunk = Buffer.from(chunk);
    } else this.#slabOff += chunk.length;
    this.#onSocketData(chunk);
  };

  readonly #onSocketData = (chunk: Buffer): void => {
    if (this.closeReason !== null) return;
    try {
      this.#reader.feed(chunk);
    } catch (e) {
      if (e instanceof H2FrameError) this.#connectionError(e);
      else throw e;
    }
  };

  readonly #onSocketError = (err: NodeJS.ErrnoException): void => {
    this.#error ??= new ConnectionError(this.streams > 0 ? 'ERR_READ' : 'ERR_CONNECTION_CLOSED', `HTTP/2 connection failed: ${err.message}`, { cause: err });
    this.close('read-error');
  };

  readonly #onSocketEnd = (): void => {
    this.close(this.draining ? 'goaway' : 'server-closed');
  };

  readonly #onSocketClose = (): void => {
    this.close(this.draining ? 'goaway' : 'server-closed');
  };

  /** §5.4.1: GOAWAY with the code, then close; every open stream fails with the error. */
  #connectionError(err: H2FrameError): void {
    if (this.closeReason !== null) return;
    this.#error ??= err;
    if (!this.#socket.destroyed) {
      // The last stream id is the server's last: it opens none (push is off), so 0.
      this.#out.goAway(0, err.h2Code);
      this.#writer.flush();
    }
    this.close('protocol-error');
  }

  // ---- idle, health, close ----

  #becameBusy(): void {
    this.#clearIdleTimers();
    this.#socket.ref?.();
  }

  #becameIdle(): void {
    this.idleSince = performance.now();
    this.#writer.idle();
    this.#socket.unref?.();
    this.#clearIdleTimers();
    const idle = this.opts.idleConnTimeout;
    if (idle > 0) {
      this.#idleTimer = setTimeout(() => this.close('idle-timeout'), idle);
      this.#idleTimer.unref();
    }
    this.#armPing();
  }

  /** Go's ReadIdleTimeout/PingTimeout: an idle session is asked for a PING; no answer in time closes it. */
  #armPing(): void {
    const every = this.opts.http2PingInterval;
    if (every <= 0 || this.#pingTimer !== null) return;
    this.#pingTimer = setTimeout(() => {
      this.#pingTimer = null;
      if (this.closeReason !== null || this.streams > 0) return;
      const data = Buffer.allocUnsafe(8);
      data.writeDoubleBE(performance.now());
      this.#pingData = data;
      this.#out.ping(data, false);
      this.#writer.flush();
      this.#pingDeadline = setTimeout(() => {
        this.#pingDeadline = null;
        if (this.#pingData !== null) this.close('health-check-failed');
      }, this.opts.http2PingTimeout);
      this.#pingDeadline.unref();
    }, every);
    this.#pingTimer.unref();
  }

  #clearIdleTimers(): void {
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    if (this.#pingTimer !== null) clearTimeout(this.#pingTimer);
    if (this.#pingDeadline !== null) clearTimeout(this.#pingDeadline);
    this.#idleTimer = this.#pingTimer = this.#pingDeadline = null;
    this.#pingData = null;
  }

  close(reason: CloseReason): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    this.#clearIdleTimers();
    if (this.#settingsTimer !== null) clearTimeout(this.#settingsTimer);
    this.#settingsTimer = null;
    const err = this.#error ?? this.#closeError(reason);
    this.#error = err;
    const open = [...this.#open.values()];
    this.#open.clear();
    for (const s of open) s.sessionEnded(err);
    this.#writer.dropAll(err);
    const sock = this.#socket;
    if (!sock.destroyed) {
      if (reason !== 'protocol-error' && reason !== 'read-error' && reason !== 'server-closed') this.#out.goAway(0, H2Code.NO_ERROR);
      this.#writer.flush();
      // Graceful: our GOAWAY goes out and the socket ends; a peer that never lets go is cut off.
      sock.end();
      setTimeout(() => sock.destroy(), LINGER_MS).unref();
    }
    this.#hooks.closed(this, reason);
  }

  #closeError(reason: CloseReason): HttpoolError {
    if (reason === 'transport-closed') return new TransportClosedError('ERR_TRANSPORT_CLOSED', 'transport closed while the request was in flight');
    if (reason === 'server-closed' || reason === 'goaway') return new ConnectionError('ERR_CONNECTION_CLOSED', 'the server closed the HTTP/2 connection before the response was complete');
    if (reason === 'protocol-error') return new ProtocolError('ERR_PROTOCOL', 'HTTP/2 connection error');
    return new ConnectionError('ERR_CONNECTION_CLOSED', `HTTP/2 connection closed (${reason}) before the response was complete`);
  }
}

function hasSetting(params: readonly number[], id: number): boolean {
  for (let i = 0; i < params.length; i += 2) if (params[i] === id) return true;
  return false;
}

function codeText(code: number, debug: Buffer): string {
  const text = debug.length > 0 ? `: ${debug.toString('latin1', 0, Math.min(debug.length, 200))}` : '';
  return `${h2CodeName(code)}${text}`;
}

