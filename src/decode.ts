// Transparent decompression. Which bodies are decoded is policy: the Client follows Go (only when
// httpool itself sent Accept-Encoding: not when the caller set one, nor for Range or HEAD);
// fetch follows the Fetch standard (whatever the response says, keeping its headers). This file
// is the mechanism both share: the Content-Encoding list read as a chain of codings (RFC 9110
// §8.4.1: listed in the order applied, so undone in reverse), and a sink that pipes the body
// through them. The decompression-bomb limits count the chain's final output against its wire
// input. A truncated or corrupt stream is an error, never a short body.

import * as zlib from 'node:zlib';
import { BodyError, ProtocolError, type HttpoolError } from './errors.js';
import type { BodySink } from './body.js';

export const ACCEPT_ENCODING = 'gzip, deflate, br';

export type Coding = 'gzip' | 'deflate' | 'br';

/**
 * Codings listed beyond this are refused rather than decoded: each layer is another stream to
 * run and another multiplier for a bomb (undici refuses more than 5 after urllib3's
 * GHSA-gm62-xv2j-4w53 and curl's CVE-2022-32206; so do we).
 */
export const MAX_CODINGS = 5;

/**
 * The codings to undo, in the order to undo them (the reverse of the list), for a
 * Content-Encoding value (repeated fields joined with ", "). `identity` is skipped. Null when
 * there is nothing to undo or a coding is one httpool does not know (the body is left as sent,
 * header included); 'too-many' when more than MAX_CODINGS are listed.
 */
export function decodingChain(contentEncoding: string | null): Coding[] | null | 'too-many' {
  if (contentEncoding === null) return null;
  const names = contentEncoding.split(',');
  let listed = 0;
  const chain: Coding[] = [];
  for (let i = names.length - 1; i >= 0; i--) {
    const v = names[i]!.trim().toLowerCase();
    if (v === '') continue; // RFC 9110 §5.6.1: empty list elements are ignored
    if (++listed > MAX_CODINGS) return 'too-many';
    if (v === 'identity') continue;
    const c = v === 'gzip' || v === 'x-gzip' ? 'gzip' : v === 'deflate' ? 'deflate' : v === 'br' ? 'br' : null;
    if (c === null) return null;
    chain.push(c);
  }
  return chain.length === 0 ? null : chain;
}

/** The error for a response whose chain of codings is longer than httpool decodes. */
export function tooManyCodings(contentEncoding: string): HttpoolError {
  const n = contentEncoding.split(',').filter((s) => s.trim() !== '').length;
  return new ProtocolError('ERR_DECODE', `too many content-encodings (${n}): httpool decodes at most ${MAX_CODINGS}`);
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
  /** The chain's first stage (it takes the wire bytes) and its last (whose output is the body). */
  readonly #first: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress;
  readonly #stages: (zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress)[];
  readonly #limits: DecodeLimits;
  readonly #onFail: (err: HttpoolError) => void;
  #failed = false;
  #trailers: string[] = [];
  #encoded = 0;
  #decoded = 0;

  /** `onFail` lets the connection close when the body fails (too large, corrupt) mid-response. */
  /** `chain` in the order to undo (decodingChain); `onFail` lets the connection close when the body fails (too large, corrupt) mid-response. */
  constructor(chain: readonly Coding[], out: BodySink, limits: DecodeLimits, onFail: (err: HttpoolError) => void) {
    this.#out = out;
    this.#limits = limits;
    this.#onFail = onFail;
    this.#stages = chain.map((c) => (c === 'gzip' ? zlib.createGunzip() : c === 'deflate' ? zlib.createInflate() : zlib.createBrotliDecompress()));
    this.#first = this.#stages[0]!;
    // pipe() carries backpressure between stages, so a layer that expands does not buffer
    // unboundedly ahead of the next; errors are not forwarded by pipe, so each stage reports its own.
    for (let i = 1; i < this.#stages.length; i++) this.#stages[i - 1]!.pipe(this.#stages[i]!);
    const last = this.#stages[this.#stages.length - 1]!;
    last.on('data', (chunk: Buffer) => {
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
    last.on('end', () => {
      if (this.#failed) return;
      this.#out.encodedBytes = this.#encoded;
      this.#out.end(this.#trailers);
    });
    chain.forEach((coding, i) => {
      this.#stages[i]!.on('error', (err: Error) => {
        if (this.#failed) return;
        const e = new ProtocolError('ERR_DECODE', `cannot decode ${coding} body: ${err.message}`, { cause: err });
        this.fail(e);
        // The rest of a corrupt body is worthless: a connection still receiving it is let go.
        this.#onFail(e);
      });
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
    this.#first.write(chunk);
  }

  end(trailers: string[]): void {
    if (this.#failed) return;
    this.#trailers = trailers;
    this.#first.end();
  }

  fail(err: HttpoolError): void {
    if (this.#failed) return;
    this.#failed = true;
    for (const z of this.#stages) z.destroy();
    this.#out.fail(err);
  }
}
