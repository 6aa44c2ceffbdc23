// Transparent decompression, as Go's Transport does it: when httpool itself asked for
// gzip (the caller set no Accept-Encoding, no Range, not HEAD), a gzip/deflate/br body is
// decoded and Content-Encoding/Content-Length are removed from the response. A truncated or
// corrupt stream is an error, never a short body.

import * as zlib from 'node:zlib';
import { ProtocolError, type HttpoolError } from './errors.js';
import type { BodySink } from './body.js';

export const ACCEPT_ENCODING = 'gzip, deflate, br';

export type Coding = 'gzip' | 'deflate' | 'br';

export function codingOf(contentEncoding: string | null): Coding | null {
  if (contentEncoding === null) return null;
  const v = contentEncoding.trim().toLowerCase();
  if (v === 'gzip' || v === 'x-gzip') return 'gzip';
  if (v === 'deflate') return 'deflate';
  if (v === 'br') return 'br';
  return null;
}

/** Feeds wire bytes through zlib and pushes decoded bytes into `out`. */
export class DecodingSink implements BodySink {
  readonly #out: BodySink;
  readonly #z: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress;
  #failed = false;
  #trailers: string[] = [];

  constructor(coding: Coding, out: BodySink) {
    this.#out = out;
    this.#z =
      coding === 'gzip'
        ? zlib.createGunzip()
        : coding === 'deflate'
          ? zlib.createInflate()
          : zlib.createBrotliDecompress();
    this.#z.on('data', (chunk: Buffer) => this.#out.push(chunk));
    this.#z.on('end', () => {
      if (!this.#failed) this.#out.end(this.#trailers);
    });
    this.#z.on('error', (err: Error) => {
      this.fail(new ProtocolError('ERR_DECODE', `cannot decode ${coding} body: ${err.message}`, { cause: err }));
    });
  }

  push(chunk: Buffer): void {
    if (!this.#failed) this.#z.write(chunk);
  }

  end(trailers: string[]): void {
    if (this.#failed) return;
    this.#trailers = trailers;
    this.#z.end();
  }

  fail(err: HttpoolError): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#z.destroy();
    this.#out.fail(err);
  }
}
