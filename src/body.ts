// Response bodies. The connection (transport/conn.ts) pushes bytes into a BodyChannel; the
// caller reads them through a Body. The channel never points at the Body, so a Body the caller
// drops becomes garbage even while its connection is mid-response; a FinalizationRegistry then
// releases that connection (seed 003: bodies never closed held sockets in CLOSE_WAIT until the
// process ran out of descriptors).
//
// A response that has fully arrived has already given its connection back, read or not. Only a
// body larger than the channel's buffer holds a connection, paused, until it is read, closed,
// or collected.

import { BodyError, redactUrl, withRequest, type HttpoolError } from './errors.js';

/** What the channel may ask of the connection that feeds it. */
export interface BodySource {
  pause(): void;
  resume(): void;
  /** The caller closed the body before the end: drain a little or close (resolves when settled). */
  abandon(): Promise<void>;
  /** The Body was garbage-collected unread and unclosed. */
  leaked(): void;
}

export interface BodySink {
  push(chunk: Buffer): void;
  end(trailers: string[]): void;
  fail(err: HttpoolError): void;
  /** Where the connection may read the next body bytes directly (BodyChannel.directTarget). */
  directTarget?(): Buffer | null;
  /** Bytes the body took on the wire when it was decoded on the way (set at its end), else -1. */
  encodedBytes?: number;
}

/**
 * bytes() reads a body of known length in this range straight into its final buffer. Below it
 * the ordinary path costs as little; above it the declared length is not trusted with one
 * allocation up front (a server may claim gigabytes and send a few bytes).
 */
export const DIRECT_MIN_BYTES = 64 * 1024;
export const DIRECT_MAX_BYTES = 64 * 1024 * 1024;

/** Buffered bytes above which the connection is paused until the caller reads. */
export const HIGH_WATER_MARK = 256 * 1024;

/** Who is told when a body settles: a function, or an object (no closure per request: see cancel.ts). */
export type SettleListener = (() => void) | { settled(): void };

function notifySettled(l: SettleListener): void {
  if (typeof l === 'function') l();
  else l.settled();
}

type Waiting = { resolve: (b: Buffer | null) => void; reject: (e: unknown) => void };

export class BodyChannel implements BodySink {
  #chunks: Buffer[] = [];
  #head = 0;
  #bytes = 0;
  #ended = false;
  #error: HttpoolError | null = null;
  #waiting: Waiting | null = null;
  #source: BodySource | null;
  #paused = false;
  #onSettled: SettleListener[] | null = null;
  /** The body's length when the connection knows it (Content-Length, not decoded), else -1. */
  expected = -1;
  /**
   * bytes() of a large body of known length: the rest is read straight into `dest` (the
   * connection's reads target it, see directTarget), so there are no read buffers to allocate
   * and no final copy.
   */
  #direct: { dest: Buffer; filled: number; resolve: (b: Buffer) => void; reject: (e: unknown) => void } | null = null;
  trailers: string[] = [];
  encodedBytes = -1;
  /** The request this body answers; errors raised while reading it name it. */
  context: { readonly method: string; readonly url: URL } | null = null;
  /** Counts arriving bytes for a traced downloadProgress (progress.ts), else null: one check per chunk. */
  meter: { add(n: number): void; end(): void } | null = null;

  constructor(source: BodySource | null) {
    this.#source = source;
  }

  static ended(): BodyChannel {
    const ch = new BodyChannel(null);
    ch.#ended = true;
    return ch;
  }

  push(chunk: Buffer): void {
    if (this.#ended || this.#error !== null) return;
    this.meter?.add(chunk.length);
    const d = this.#direct;
    if (d !== null) {
      // Bytes the read already put in place cost nothing; any other piece is copied in.
      if (chunk.buffer !== d.dest.buffer || chunk.byteOffset !== d.dest.byteOffset + d.filled) d.dest.set(chunk, d.filled);
      d.filled += chunk.length;
      return;
    }
    const w = this.#waiting;
    if (w !== null) {
      this.#waiting = null;
      w.resolve(chunk);
      return;
    }
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    if (this.#bytes > HIGH_WATER_MARK && !this.#paused && this.#source !== null) {
      this.#paused = true;
      this.#source.pause();
    }
  }

  end(trailers: string[]): void {
    if (this.#ended || this.#error !== null) return;
    this.#ended = true;
    this.trailers = trailers;
    this.#source = null;
    this.meter?.end();
    const d = this.#direct;
    if (d !== null) {
      this.#direct = null;
      d.resolve(d.dest.subarray(0, d.filled));
    }
    const w = this.#waiting;
    if (w !== null && this.#head >= this.#chunks.length) {
      this.#waiting = null;
      w.resolve(null);
    }
    this.#settle();
  }

  fail(err: HttpoolError): void {
    if (this.#ended || this.#error !== null) return;
    if (this.context !== null) withRequest(err, this.context.method, redactUrl(this.context.url));
    this.#error = err;
    this.#source = null;
    this.#chunks = [];
    this.#head = 0;
    this.#bytes = 0;
    const w = this.#waiting;
    if (w !== null) {
      this.#waiting = null;
      w.reject(err);
    }
    const d = this.#direct;
    if (d !== null) {
      this.#direct = null;
      d.reject(err);
    }
    this.#settle();
  }

  /** Bytes buffered here, not yet read. */
  get buffered(): number {
    return this.#bytes;
  }

  /** All bytes arrived (they may still be buffered here). */
  get complete(): boolean {
    return this.#ended;
  }

  get settled(): boolean {
    return this.#ended || this.#error !== null;
  }

  /** Why the body failed, once it has; null while it is arriving, at its end, or closed. */
  get failure(): HttpoolError | null {
    return this.#error;
  }

  /** Tells `l` once the body has fully arrived, failed or been closed. */
  whenSettled(l: SettleListener): void {
    if (this.settled) {
      notifySettled(l);
      return;
    }
    (this.#onSettled ??= []).push(l);
  }

  #settle(): void {
    const ls = this.#onSettled;
    this.#onSettled = null;
    if (ls !== null) for (const l of ls) notifySettled(l);
  }

  /** The next chunk, or null at the end. */
  read(): Promise<Buffer | null> | Buffer | null {
    if (this.#head < this.#chunks.length) {
      const chunk = this.#chunks[this.#head]!;
      this.#chunks[this.#head++] = EMPTY;
      this.#bytes -= chunk.length;
      if (this.#head === this.#chunks.length) {
        this.#chunks = [];
        this.#head = 0;
      }
      if (this.#paused && this.#bytes <= HIGH_WATER_MARK / 2) {
        this.#paused = false;
        this.#source?.resume();
      }
      return chunk;
    }
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#ended) return null;
    if (this.#waiting !== null) return Promise.reject(new BodyError('ERR_BODY_CONSUMED', 'the body is already being read'));
    if (this.#paused) {
      this.#paused = false;
      this.#source?.resume();
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  /**
   * Where the connection may read the rest of this body directly, or null. Only while bytes()
   * collects a body of known length.
   */
  directTarget(): Buffer | null {
    const d = this.#direct;
    return d !== null && d.filled < d.dest.length ? d.dest.subarray(d.filled) : null;
  }

  /**
   * bytes() for a large body of known length still arriving: one buffer of the final size,
   * filled by the connection's reads. Null when that does not apply.
   */
  collectDirect(): Promise<Buffer> | null {
    if (this.expected < DIRECT_MIN_BYTES || this.expected > DIRECT_MAX_BYTES || this.#ended || this.#error !== null || this.#source === null) return null;
    const dest = Buffer.allocUnsafe(this.expected);
    let filled = 0;
    for (let i = this.#head; i < this.#chunks.length; i++) {
      const c = this.#chunks[i]!;
      if (filled + c.length > dest.length) return null; // more than declared: leave it to the ordinary path
      dest.set(c, filled);
      filled += c.length;
    }
    this.#chunks = [];
    this.#head = 0;
    this.#bytes = 0;
    const p = new Promise<Buffer>((resolve, reject) => (this.#direct = { dest, filled, resolve, reject }));
    if (this.#paused) {
      this.#paused = false;
      this.#source.resume();
    }
    return p;
  }

  /** Everything already buffered, when the body has fully arrived (the fast path for bytes()). */
  takeAll(): Buffer[] | null {
    if (!this.#ended) return null;
    const out = this.#head === 0 ? this.#chunks : this.#chunks.slice(this.#head);
    this.#chunks = [];
    this.#head = 0;
    this.#bytes = 0;
    return out;
  }

  /** The caller is done with the body: drop what is buffered and let the connection go. */
  close(): Promise<void> {
    this.#chunks = [];
    this.#head = 0;
    this.#bytes = 0;
    const source = this.#source;
    if (this.settled || source === null) {
      this.#ended = true;
      return Promise.resolve();
    }
    this.#source = null;
    this.#ended = true;
    this.#settle();
    return source.abandon();
  }

  /** Called from the FinalizationRegistry when the Body was dropped unread. */
  leak(): void {
    const source = this.#source;
    if (source === null || this.settled) return;
    // bytes() is collecting the body into its final buffer: the Body may be gone, but the read
    // goes on without backpressure and ends by itself, giving the connection back.
    if (this.#direct !== null) return;
    this.#source = null;
    this.#chunks = [];
    this.#ended = true;
    // Nobody can be reading a collected body; should a read be pending, it must not hang.
    const w = this.#waiting;
    this.#waiting = null;
    w?.reject(new BodyError('ERR_BODY_LEAKED', 'the response body was garbage-collected while being read'));
    this.#settle();
    source.leaked();
  }
}

const EMPTY = Buffer.alloc(0);

const leakRegistry = new FinalizationRegistry<BodyChannel>((channel) => channel.leak());

export class Body implements AsyncIterable<Uint8Array> {
  readonly #channel: BodyChannel;
  #used = false;

  constructor(channel: BodyChannel) {
    this.#channel = channel;
    if (!channel.settled) {
      leakRegistry.register(this, channel, channel);
      channel.whenSettled(() => leakRegistry.unregister(channel));
    }
  }

  /** Has reading started (text, json, bytes, stream, iteration) or close() been called? */
  get used(): boolean {
    return this.#used;
  }

  #take(): BodyChannel {
    if (this.#used) throw new BodyError('ERR_BODY_CONSUMED', 'the response body was already read or closed');
    this.#used = true;
    return this.#channel;
  }

  async bytes(): Promise<Uint8Array> {
    const ch = this.#take();
    const all = ch.takeAll();
    if (all !== null) return all.length === 1 ? all[0]! : Buffer.concat(all);
    const direct = ch.collectDirect();
    if (direct !== null) return direct;
    const parts: Buffer[] = [];
    let size = 0;
    for (;;) {
      const r = ch.read();
      const chunk = r instanceof Promise ? await r : r;
      if (chunk === null) break;
      parts.push(chunk);
      size += chunk.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
  }

  async text(): Promise<string> {
    const b = await this.bytes();
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  }

  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await this.text()) as T;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return new BodyIterator(this.#take(), this);
  }

  /** A web ReadableStream over the body; cancelling it closes the body. */
  stream(): ReadableStream<Uint8Array> {
    const ch = this.#take();
    // The stream keeps the Body reachable: a body being read is not a leaked body.
    const owner: Body = this;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        void owner;
        const r = ch.read();
        const chunk = r instanceof Promise ? await r : r;
        if (chunk === null) controller.close();
        else controller.enqueue(chunk);
      },
      cancel() {
        return ch.close();
      },
    });
  }

  /**
   * Go's Body.Close(). Before the end it drains at most maxDrainBytes for at most drainTimeout
   * so the connection can be reused (seeds 000/001); past that it closes the connection and
   * records `body-not-drained`. Safe to call more than once, and after reading.
   */
  close(): Promise<void> {
    this.#used = true;
    return this.#channel.close();
  }
}

/**
 * `for await` over a body. Hand-written rather than an async generator: a buffered chunk is
 * handed over without generator machinery, and `break` (return()) closes the body early so its
 * connection gets the drain-and-reuse chance.
 */
class BodyIterator implements AsyncIterator<Uint8Array> {
  readonly #channel: BodyChannel;
  /** Held so the Body stays reachable while it is iterated: a body being read is not leaked. */
  readonly owner: Body;
  #done = false;

  constructor(channel: BodyChannel, owner: Body) {
    this.#channel = channel;
    this.owner = owner;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#done) return Promise.resolve({ done: true, value: undefined });
    let r: Promise<Buffer | null> | Buffer | null;
    try {
      r = this.#channel.read();
    } catch (err) {
      this.#done = true;
      return Promise.reject(err);
    }
    if (r instanceof Promise) {
      return r.then(
        (chunk) => this.#result(chunk),
        (err: unknown) => {
          this.#done = true;
          throw err;
        },
      );
    }
    return Promise.resolve(this.#result(r));
  }

  #result(chunk: Buffer | null): IteratorResult<Uint8Array> {
    if (chunk === null) {
      this.#done = true;
      return { done: true, value: undefined };
    }
    return { done: false, value: chunk };
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    if (!this.#done) {
      this.#done = true;
      await this.#channel.close();
    }
    return { done: true, value: undefined };
  }
}
