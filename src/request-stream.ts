// Streamed request bodies, one attempt each, that can be closed (request-body.ts opens them, the
// transport and the connection close them). Go's Transport closes Request.Body whenever the
// request fails, before or while sending ("RoundTrip must always close the body, including on
// errors"; TestTransportClosesBodyOnError): a file being uploaded must not stay open until
// garbage collection because the dial failed or the caller aborted. Here:
//   - a web ReadableStream is cancelled (its reader's cancel(reason), or the stream's own when
//     nobody has read it yet), so its underlying source's cancel runs;
//   - a node:stream Readable (fs.createReadStream…) is destroyed, which closes its descriptor at once;
//   - any other AsyncIterable gets its iterator's return(), as a `for await` left early would.
// close() never runs after the body was sent to its end (a request that succeeds keeps its
// stream as the stream left itself). The source is its own async iterator: writing a body
// allocates no generator per attempt.

import { BodyError } from './errors.js';

/** One attempt's streamed body: its chunks, and how to stop it when the request fails. */
export interface StreamSource {
  readonly kind: 'stream';
  /** Bytes when known (a Blob), else -1 (sent chunked unless a Content-Length is given). */
  readonly length: number;
  readonly chunks: AsyncIterable<Uint8Array>;
  /** The request failed before or while this body was sent: release what it holds. Idempotent. */
  close(reason: unknown): void;
}

export const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

function noop(): void {}

/**
 * A streamed body that is its own async iterator (writing a body allocates no generator per
 * attempt): the writer's `for await` reads it, and a writer that stops early (the exchange ended
 * first) releases it through return(), as a failed request does through close().
 */
export abstract class SelfIteratingSource implements StreamSource, AsyncIterator<Uint8Array>, AsyncIterable<Uint8Array> {
  readonly kind = 'stream';
  abstract readonly length: number;

  get chunks(): AsyncIterable<Uint8Array> {
    return this;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }

  abstract next(): Promise<IteratorResult<Uint8Array>>;

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.close(undefined);
    return DONE;
  }

  abstract close(reason: unknown): void;
}

/** A web ReadableStream's bytes (and a Blob's, through blob.stream()). */
export class WebStreamSource extends SelfIteratingSource {
  readonly length: number;
  readonly #stream: ReadableStream<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #closed = false;

  constructor(stream: ReadableStream<Uint8Array>, length = -1) {
    super();
    this.#stream = stream;
    this.length = length;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#closed) return DONE;
    let reader = this.#reader;
    if (reader === null) {
      if (this.#stream.locked) throw notReplayable();
      // The lock is kept after reading: a used stream stays visibly used.
      reader = this.#reader = this.#stream.getReader();
    }
    const { done, value } = await reader.read();
    if (done) {
      this.#closed = true; // read to its end: nothing left to cancel
      return DONE;
    }
    return { done: false, value: toBytes(value) };
  }

  close(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    const reader = this.#reader;
    // A pending read() resolves as done; cancel's own promise only reports the source's cancel.
    if (reader !== null) reader.cancel(reason).catch(noop);
    else if (!this.#stream.locked) this.#stream.cancel(reason).catch(noop);
  }
}

/** A node:stream Readable as far as closing goes (fs.ReadStream, a socket…). */
interface Destroyable {
  destroy(): unknown;
  readonly destroyed: boolean;
}

function isDestroyable(v: object): v is Destroyable {
  return typeof (v as Destroyable).destroy === 'function' && typeof (v as Destroyable).destroyed === 'boolean';
}

/** Any AsyncIterable of bytes: a node:stream Readable, an async generator, an iterable of one's own. */
export class IterableSource extends SelfIteratingSource {
  readonly length = -1;
  readonly #iterable: AsyncIterable<Uint8Array>;
  #it: AsyncIterator<Uint8Array> | null = null;
  #closed = false;

  constructor(iterable: AsyncIterable<Uint8Array>) {
    super();
    this.#iterable = iterable;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#closed) return DONE;
    const it = (this.#it ??= this.#iterable[Symbol.asyncIterator]());
    const r = await it.next();
    if (r.done === true) {
      this.#closed = true;
      return DONE;
    }
    return { done: false, value: toBytes(r.value) };
  }

  close(_reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    const source = this.#iterable as object;
    if (isDestroyable(source)) {
      // Destroyed without an error: an 'error' event nobody listens to would crash the process.
      // A read pending in our iterator fails (premature close); the writer has already stopped.
      if (!source.destroyed) source.destroy();
      return;
    }
    // The iterator we read from, or (never read) the iterable when it is its own iterator, as
    // an async generator is: return() runs its finally blocks, or ends it before it starts.
    const it = this.#it ?? (typeof (source as AsyncIterator<Uint8Array>).return === 'function' ? (source as AsyncIterator<Uint8Array>) : null);
    if (it === null || typeof it.return !== 'function') return;
    try {
      Promise.resolve(it.return()).catch(noop);
    } catch {
      // An iterator whose return() throws has nothing more we can do for it.
    }
  }
}

export function notReplayable(): BodyError {
  return new BodyError(
    'ERR_BODY_NOT_REPLAYABLE',
    'the request body is a stream that was already sent; pass a function (() => body) to let httpool produce it again',
  );
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new BodyError('ERR_INVALID_BODY', `request body stream yielded ${describe(chunk)}; expected Uint8Array chunks`);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
