// Transparent decompression, as Go's Transport does it: when httpool itself asked for
// gzip (the caller set no Accept-Encoding, no Range, not HEAD), a gzip/deflate/br body is
// decoded and Content-Encoding/Content-Length are removed from the response. A truncated or
// corrupt stream is an error, never a short body.

import * as zlib from 'node:zlib';
import { BodyError, ProtocolError, type HttpoolError } from './errors.js';
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

/** Limits on what a compressed body may decode to (decompression bombs). 0 = no limit. */
export interface DecodeLimits {
  maxDecodedBytes: number;
  maxDecodeRatio: number;
}

/** The ratio limit applies only past this many decoded bytes: small bodies may compress well. */
const RATIO_FLOOR = 1 << 20;

/** Feeds wire bytes through zlib and pushes decoded bytes into `out`. */
export class DecodingSink implements BodySink {
  readonly #out: BodySink;
  readonly #z: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress;
  readonly #limits: DecodeLimits;
  readonly #onFail: (err: HttpoolError) => void;
  #failed = false;
  #trailers: string[] = [];
  #encoded = 0;
  #decoded = 0;

  /** `onFail` lets the connection close when the body fails (too large, corrupt) mid-response. */
  constructor(coding: Coding, out: BodySink, limits: DecodeLimits, onFail: (err: HttpoolError) => void) {
    this.#out = out;
    this.#limits = limits;
    this.#onFail = onFail;
    this.#z =
      coding === 'gzip'
        ? zlib.createGunzip()
        : coding === 'deflate'
          ? zlib.createInflate()
          : zlib.createBrotliDecompress();
    this.#z.on('data', (chunk: Buffer) => {
      if (this.#failed) return;
      this.#decoded += chunk.length;
      const err = this.#overLimit();
      if (err !== null) {
        this.fail(err);
        this.#onFail(err);
        return;
      }
      this.#out.push(chunk);
    });
    this.#z.on('end', () => {
      if (!this.#failed) this.#out.end(this.#trailers);
    });
    this.#z.on('error', (err: Error) => {
      const e = new ProtocolError('ERR_DECODE', `cannot decode ${coding} body: ${err.message}`, { cause: err });
      this.fail(e);
      // The rest of a corrupt body is worthless: a connection still receiving it is let go.
      this.#onFail(e);
    });
  }

  #overLimit(): HttpoolError | null {
    const { maxDecodedBytes, maxDecodeRatio } = this.#limits;
    if (maxDecodedBytes > 0 && this.#decoded > maxDecodedBytes) {
      return new BodyError('ERR_BODY_TOO_LARGE', `decoded body exceeds maxDecodedBytes (${maxDecodedBytes})`);
    }
    if (maxDecodeRatio > 0 && this.#decoded > RATIO_FLOOR && this.#decoded > this.#encoded * maxDecodeRatio) {
      return new BodyError(
        'ERR_BODY_TOO_LARGE',
        `decoded body grew past ${maxDecodeRatio}× its ${this.#encoded} compressed bytes (maxDecodeRatio): a decompression bomb?`,
      );
    }
    return null;
  }

  push(chunk: Buffer): void {
    if (this.#failed) return;
    this.#encoded += chunk.length;
    this.#z.write(chunk);
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
