// Request bodies: every kind API.md accepts, turned into something the connection can send
// and, where possible, send again. Seed 002 (a): a consumed stream was sent a second time and
// went out short; here a body is either replayable (bytes, strings, forms, Blobs, functions,
// Go's GetBody) or single-use, and a second use fails with ERR_BODY_NOT_REPLAYABLE before any
// byte is written. Streams are opened as closable sources (request-stream.ts), so a request
// that fails can release what its body holds (an open file, a producer's resources).

import { BodyError } from './errors.js';
import { encodeFormData, newBoundary } from './multipart.js';
import { describe, IterableSource, notReplayable, WebStreamSource, type StreamSource } from './request-stream.js';

export type BodyInit =
  | string
  | Uint8Array
  | ArrayBuffer
  | URLSearchParams
  | Blob
  | FormData
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | (() => BodyInit);

/**
 * One attempt's bytes: known up front, or a stream (length -1 when unknown: chunked) that can be
 * closed when the request fails.
 */
export type BodySource = { kind: 'bytes'; data: Uint8Array } | StreamSource;

export type { StreamSource };

export class RequestBody {
  /** Bytes when known before sending, else -1. */
  readonly length: number;
  /** Can be produced again for a retry or a 307/308. */
  readonly replayable: boolean;
  /** The Content-Type implied by the body kind (forms, Blobs with a type), or null. */
  readonly contentType: string | null;
  readonly #open: () => BodySource;
  readonly #discard: ((reason: unknown) => void) | null;
  #opened = 0;

  /** Use RequestBody.from(). */
  constructor(
    length: number,
    replayable: boolean,
    contentType: string | null,
    open: () => BodySource,
    discard: ((reason: unknown) => void) | null = null,
  ) {
    this.length = length;
    this.replayable = replayable;
    this.contentType = contentType;
    this.#open = open;
    this.#discard = discard;
  }

  /** Bytes for one attempt. A single-use body opened twice fails clearly, nothing sent. */
  open(): BodySource {
    if (this.#opened > 0 && !this.replayable) throw notReplayable();
    this.#opened++;
    return this.#open();
  }

  /** Has open() been called (the body went out at least once)? */
  get used(): boolean {
    return this.#opened > 0;
  }

  /**
   * @internal The request failed before this body was opened for it (a refused method, a proxy
   * function that threw): close the stream it holds, as Go closes Request.Body on every error.
   * What was already opened is closed through its source; a stream closed here is used up.
   */
  _discard(reason: unknown): void {
    this.#discard?.(reason);
  }

  static from(init: BodyInit): RequestBody {
    if (typeof init === 'function') {
      // A FormData from each call keeps the first call's boundary: the Content-Type sent names it.
      const form: FormState = { boundary: null };
      const first = fixed(init(), true, form);
      let pending: RequestBody | null = first;
      const body = new RequestBody(
        first.length,
        true,
        first.contentType,
        () => {
          // The first call's result is used for the first attempt; every later attempt calls again.
          const body: RequestBody = pending ?? fixed(init(), true, form);
          pending = null;
          return body.open();
        },
        // Only the first call's stream can be held unopened; later ones are made by open().
        (reason) => {
          pending?._discard(reason);
          pending = null;
        },
      );
      if (multipart.has(first)) multipart.add(body);
      return body;
    }
    return fixed(init, false, null);
  }
}

/**
 * Does the body's own Content-Type win over the one a caller names (Client.post's argument)?
 * Only a FormData's: its type carries the boundary the parts are separated by.
 */
export function ownsContentType(body: RequestBody): boolean {
  return multipart.has(body);
}

const multipart = new WeakSet<RequestBody>();

type FormState = { boundary: string | null };

function fixed(init: BodyInit, fromFunction: boolean, form: FormState | null): RequestBody {
  const make = (
    length: number,
    replayable: boolean,
    type: string | null,
    open: () => BodySource,
    discard: ((reason: unknown) => void) | null = null,
  ): RequestBody => new RequestBody(length, replayable, type, open, discard);

  if (typeof init === 'string') {
    const data = Buffer.from(init, 'utf8');
    return make(data.length, true, 'text/plain; charset=utf-8', () => ({ kind: 'bytes', data }));
  }
  if (init instanceof Uint8Array) {
    const data = init;
    return make(data.length, true, null, () => ({ kind: 'bytes', data }));
  }
  if (init instanceof ArrayBuffer) {
    const data = new Uint8Array(init);
    return make(data.length, true, null, () => ({ kind: 'bytes', data }));
  }
  if (init instanceof URLSearchParams) {
    const data = Buffer.from(init.toString(), 'utf8');
    return make(data.length, true, 'application/x-www-form-urlencoded', () => ({ kind: 'bytes', data }));
  }
  if (typeof Blob !== 'undefined' && init instanceof Blob) {
    const blob = init;
    return make(blob.size, true, blob.type === '' ? null : blob.type, () => new WebStreamSource(blob.stream(), blob.size));
  }
  if (typeof FormData !== 'undefined' && init instanceof FormData) {
    // multipart.ts: parts streamed, length known (Content-Length), replayable (Blobs are read again).
    const boundary = form === null ? newBoundary() : (form.boundary ??= newBoundary());
    const encoded = encodeFormData(init, boundary);
    const body = make(encoded.length, true, encoded.contentType, () => encoded.open());
    multipart.add(body);
    return body;
  }
  if (typeof init === 'function') {
    throw new BodyError('ERR_INVALID_BODY', 'a body function must return a body, not another function');
  }
  if (isReadableStream(init) || isAsyncIterable(init)) {
    const source = init;
    // A stream is single-use across requests too: the same consumed stream handed to a new
    // request would go out empty (seed 002 a), so it is refused before a byte is written.
    if (consumed.has(source) || (isReadableStream(source) && source.locked)) throw notReplayable();
    return make(
      -1,
      fromFunction,
      null,
      () => {
        if (consumed.has(source)) throw notReplayable();
        consumed.add(source);
        return isReadableStream(source) ? new WebStreamSource(source) : new IterableSource(source);
      },
      (reason) => {
        if (consumed.has(source)) return;
        consumed.add(source);
        (isReadableStream(source) ? new WebStreamSource(source) : new IterableSource(source)).close(reason);
      },
    );
  }
  throw new BodyError('ERR_INVALID_BODY', `unsupported request body type: ${describe(init)}`);
}

/** Streams and iterables that some request has started to send. */
const consumed = new WeakSet<object>();

function isReadableStream(v: unknown): v is ReadableStream<Uint8Array> {
  return typeof v === 'object' && v !== null && typeof (v as ReadableStream).getReader === 'function';
}

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array> {
  return typeof v === 'object' && v !== null && typeof (v as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';
}
