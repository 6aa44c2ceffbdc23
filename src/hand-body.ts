// The body of a response made by hand (Response.from, response.ts): the caller's string, bytes,
// web stream or async iterable fed into a BodyChannel (body.ts), the same channel a connection
// feeds, so Body's readers, close(), trailers and leak handling behave as for a network body.
// What a connection does for its channel is done here for the given source: pause above the
// channel's buffer, stop when the caller closes the body or drops it, and fail the body when
// the exchange it belongs to is cancelled (the Client's timeout, the caller's signal), which the
// Client asks for through bind() once it knows the exchange (client.ts).
//
// Below: body.ts. Above: response.ts. Nothing here knows of connections or pools.

import { BodyChannel, type BodySource } from './body.js';
import type { Cancel } from './cancel.js';
import { BodyError, ConnectionError, HttpoolError } from './errors.js';
import type { ResponseBodyInit } from './response.js';

/** @internal A channel for `body`, with the feeder of a streamed one (null when the body is already whole). */
export function handChannel(body: ResponseBodyInit | undefined, trailers: string[]): { channel: BodyChannel; feeder: HandBody | null; length: number } {
  if (body === null || body === undefined) {
    const channel = new BodyChannel(null);
    channel.end(trailers);
    return { channel, feeder: null, length: 0 };
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const channel = new BodyChannel(null);
    if (bytes.length > 0) channel.push(bytes);
    channel.end(trailers);
    return { channel, feeder: null, length: bytes.length };
  }
  if (isReadableStream(body) || isAsyncIterable(body)) {
    if (isReadableStream(body) && body.locked) {
      throw new BodyError('ERR_BODY_CONSUMED', 'Response.from: the body stream is locked (already being read)');
    }
    const feeder = new HandBody(body, trailers);
    return { channel: feeder.channel, feeder, length: -1 };
  }
  throw new BodyError('ERR_INVALID_BODY', `Response.from: unsupported body type ${describe(body)} (string, Uint8Array, ReadableStream, AsyncIterable or null)`);
}

/**
 * @internal Feeds a BodyChannel from a web stream or async iterable, as a connection feeds one from its
 * socket: it starts at once (bytes arrive whether or not the caller reads yet), pauses while the
 * channel holds more than its high-water mark, and stops the source (ReadableStream cancel,
 * iterator return) when the body is closed, collected or cancelled.
 */
export class HandBody implements BodySource {
  readonly channel: BodyChannel;
  readonly #trailers: string[];
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #iterator: AsyncIterator<Uint8Array> | null = null;
  #stopped = false;
  #paused = false;
  #wake: (() => void) | null = null;
  /** The exchanges whose cancellation fails this body (usually one: the Client's). */
  #bound: Cancel[] = [];
  /**
   * Keeps the process alive while a bound body is pending, as a socket does for a network body:
   * the Client's deadline timer is unref'd (client/deadlines.ts), and without this a source that
   * stalls would let the process exit instead of timing out.
   */
  #alive: NodeJS.Timeout | null = null;

  constructor(source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, trailers: string[]) {
    this.channel = new BodyChannel(this);
    this.#trailers = trailers;
    if (isReadableStream(source)) this.#reader = source.getReader();
    else this.#iterator = source[Symbol.asyncIterator]();
    // Unsettled listeners are dropped when the body settles, whichever way.
    this.channel.whenSettled(this);
    void this.#run();
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        if (this.#paused) await new Promise<void>((resolve) => (this.#wake = resolve));
        if (this.#stopped) return;
        const r = this.#reader !== null ? await this.#reader.read() : await this.#iterator!.next();
        if (this.#stopped) return;
        if (r.done === true) {
          this.#stopped = true;
          this.channel.end(this.#trailers);
          return;
        }
        const chunk = toBuffer(r.value);
        if (chunk.length > 0) this.channel.push(chunk);
      }
    } catch (err) {
      if (this.#stopped) return;
      this.#fail(err instanceof HttpoolError ? err : new ConnectionError('ERR_READ', `the response body stream failed: ${(err as Error)?.message ?? String(err)}`, { cause: err }));
    }
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** The caller closed the body early: nothing to drain, the source is told to stop. */
  abandon(): Promise<void> {
    this.#stop(null);
    return Promise.resolve();
  }

  leaked(): void {
    this.#stop(null);
  }

  /**
   * The body belongs to the exchange `cancel` stands for: its timeout or abort fails the body
   * (with the same error a network body gets) and stops the source. Idempotent per token.
   */
  bind(cancel: Cancel): void {
    if (this.channel.settled || this.#bound.includes(cancel)) return;
    if (cancel.aborted) {
      this.#fail(cancel.reason!);
      return;
    }
    this.#bound.push(cancel);
    cancel.on(this);
    this.#alive ??= setInterval(noop, 0x3fffffff);
  }

  /** A bound exchange was cancelled (cancel.ts listener). */
  cancelled(): void {
    const reason = this.#bound.find((c) => c.aborted)?.reason;
    if (reason !== undefined && reason !== null) this.#fail(reason);
  }

  /** The body arrived, failed or was closed (body.ts settle listener): stop listening. */
  settled(): void {
    for (const c of this.#bound) c.off(this);
    this.#bound = [];
    if (this.#alive !== null) clearInterval(this.#alive);
    this.#alive = null;
  }

  #fail(err: HttpoolError): void {
    this.channel.fail(err);
    this.#stop(err);
  }

  #stop(reason: unknown): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.resume();
    // Not awaited: a source stuck in a read it never finishes must not hold up close(). A web
    // stream's cancel() settles its pending read; an async generator runs its finally blocks
    // once its pending step returns.
    const reader = this.#reader;
    const iterator = this.#iterator;
    this.#reader = null;
    this.#iterator = null;
    if (reader !== null) reader.cancel(reason ?? undefined).catch(() => {});
    else if (iterator?.return !== undefined) {
      try {
        Promise.resolve(iterator.return()).catch(() => {});
      } catch {
        // a throwing return() is the source's business
      }
    }
  }
}

function noop(): void {}

function toBuffer(chunk: unknown): Buffer {
  if (chunk instanceof Uint8Array) return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new BodyError('ERR_INVALID_BODY', `the response body stream yielded ${describe(chunk)}; expected Uint8Array chunks`);
}

function isReadableStream(v: unknown): v is ReadableStream<Uint8Array> {
  return typeof v === 'object' && v !== null && typeof (v as ReadableStream).getReader === 'function';
}

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array> {
  return typeof v === 'object' && v !== null && typeof (v as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'object';
}
