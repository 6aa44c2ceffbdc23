// The write side of one HTTP/2 session (session.ts): frames batched into one socket write per
// turn of the event loop, request bodies' DATA sent as far as the flow-control windows and the
// socket allow, and the streams that wait for either. No frame decisions are made here: the
// session and its streams say what to send; this says when it goes.
//
// Batching: frames go into one FrameBuffer and out in one write on the next tick
// (process.nextTick runs after every promise continuation of the current turn), so fifty
// streams starting together cost one write, as Go's bufio writer and its flush per request do.
// DATA payloads above COPY_DATA_BELOW go out as views of the caller's buffer, not copies.

import type { HttpoolError } from '../../errors.js';
import type { H2FrameError } from '../../h2/frames/error.js';
import { DEFAULT_MAX_FRAME_SIZE } from '../../h2/frames/types.js';
import { FrameBuffer } from '../../h2/frames/writer.js';
import { SendWindow } from '../../h2/flow.js';
import type { ConnSocket } from '../dial.js';
import type { H2Stream } from './stream.js';

/**
 * Frames are written into chunks of this size (a request's HEADERS take some 20-100 octets). Under
 * 4 KiB, so Node takes each from its shared allocation pool: an idle session lets its chunk go,
 * and the next request's costs next to nothing.
 */
const OUT_CHUNK_BYTES = 2 * 1024;
/** A DATA payload up to this is copied into the frame buffer; a larger one goes out as a view of its own. */
const COPY_DATA_BELOW = 4096;
/** SETTINGS and PING answers queued while the socket is not draining, before the peer is deemed flooding (CVE-2019-9512, -9515). nghttp2 allows 1000 queued. */
export const MAX_CONTROL_BACKLOG = 1000;

export class SessionWriter {
  /** Where the session writes its frames; `schedule()` sends them. */
  readonly frames = new FrameBuffer(OUT_CHUNK_BYTES);
  /** The server's SETTINGS_MAX_FRAME_SIZE (the session keeps it current). */
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  readonly #socket: ConnSocket;
  /** What the server lets us send on the connection (§6.9; SETTINGS never change it, §6.9.2). */
  readonly #connSend = new SendWindow(0);
  /** Buffers taken from `frames` and DATA views, in wire order, for the next socket write. */
  #queue: Uint8Array[] = [];
  #scheduled = false;
  /** Streams with DATA waiting, first come first served. */
  #blocked: H2Stream[] = [];
  /** The socket asked us to wait for 'drain'. */
  #socketFull = false;
  #controlBacklog = 0;

  constructor(socket: ConnSocket) {
    this.#socket = socket;
    socket.on('drain', this.#onDrain);
  }

  /** Sends what `frames` holds on the next tick (once, however many frames are added meanwhile). */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(this.#flushNow);
  }

  readonly #flushNow = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /** Writes everything queued now, in one write (corked when there are views beside the frames). */
  flush(): void {
    if (this.frames.length > 0) this.#queue.push(this.frames.take());
    const q = this.#queue;
    if (q.length === 0) return;
    this.#queue = [];
    const s = this.#socket;
    if (s.destroyed) return;
    let ok: boolean;
    if (q.length === 1) ok = s.write(q[0]!);
    else {
      s.cork();
      for (let i = 0; i < q.length - 1; i++) s.write(q[i]!);
      ok = s.write(q[q.length - 1]!);
      s.uncork();
    }
    if (!ok) this.#socketFull = true;
  }

  /** The session went idle: the frame chunk can go (nothing is pending or about to be sent). */
  idle(): void {
    if (!this.#scheduled) this.frames.trim();
  }

  /**
   * Queues DATA for a stream; `done` runs once all of it is handed to the socket (or the stream
   * is dropped first, with the error). Sent at once as far as the windows and the socket allow.
   */
  sendData(stream: H2Stream, data: Uint8Array, end: boolean, done: (err: HttpoolError | null) => void): void {
    stream.outgoing = { data, off: 0, end, done };
    if (!this.#trySend(stream)) this.#blocked.push(stream);
    this.schedule();
  }

  /** The stream will send nothing more: out of the queue; its waiting DATA is told `err`. */
  drop(stream: H2Stream, err: HttpoolError): void {
    const o = stream.outgoing;
    if (o === null) return;
    stream.outgoing = null;
    const i = this.#blocked.indexOf(stream);
    if (i >= 0) this.#blocked.splice(i, 1);
    o.done(err);
  }

  /** Every waiting stream, dropped (the session is closing). */
  dropAll(err: HttpoolError): void {
    const blocked = this.#blocked;
    this.#blocked = [];
    for (const s of blocked) this.drop(s, err);
  }

  /** A WINDOW_UPDATE on stream 0; an overflow is the error to end the session with (§6.9.1). */
  updateConnectionWindow(increment: number): H2FrameError | null {
    const err = this.#connSend.update(increment);
    if (err === null) this.pump();
    return err;
  }

  /** Window or socket room appeared: blocked streams send, first come first served. */
  pump(): void {
    if (this.#blocked.length === 0) return;
    const waiting = this.#blocked;
    this.#blocked = [];
    let i = 0;
    for (; i < waiting.length; i++) {
      const s = waiting[i]!;
      if (s.outgoing === null) continue;
      if (!this.#trySend(s)) break;
    }
    if (i < waiting.length) this.#blocked = waiting.slice(i).concat(this.#blocked);
    this.schedule();
  }

  /**
   * A SETTINGS or PING answer was just written. False while the server reads what we send; true
   * once more than MAX_CONTROL_BACKLOG have been answered since the socket last drained: the
   * server floods and does not read, and the session ends.
   */
  answeredControl(): boolean {
    if (!this.#socketFull) return false;
    return ++this.#controlBacklog > MAX_CONTROL_BACKLOG;
  }

  /** Sends as much of the stream's queued DATA as the windows allow; true when all of it went. */
  #trySend(stream: H2Stream): boolean {
    const o = stream.outgoing!;
    const out = this.frames;
    for (;;) {
      if (this.#socketFull) return false;
      const left = o.data.length - o.off;
      const n = Math.min(left, this.maxFrameSize, stream.send.available, this.#connSend.available);
      // An empty final frame needs no window; a non-empty one waits for some.
      if (n === 0 && left > 0) return false;
      const last = o.off + n === o.data.length;
      const endStream = last && o.end;
      if (n <= COPY_DATA_BELOW) out.data(stream.id, o.data.subarray(o.off, o.off + n), endStream);
      else {
        out.dataHeader(stream.id, n, endStream);
        this.#queue.push(out.take(), o.data.subarray(o.off, o.off + n));
      }
      stream.send.consume(n);
      this.#connSend.consume(n);
      o.off += n;
      if (last) {
        stream.outgoing = null;
        if (endStream) stream.sentEnd();
        o.done(null);
        return true;
      }
      // Large uploads: write now and learn whether the socket wants us to wait.
      if (this.#queue.length > 16) this.flush();
    }
  }

  readonly #onDrain = (): void => {
    this.#socketFull = false;
    this.#controlBacklog = 0;
    this.pump();
  };
}
