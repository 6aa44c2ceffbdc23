// Chunked transfer coding decoder (RFC 9112 §7.1), driven by the response parser (parse.ts)
// once a head says `Transfer-Encoding: …, chunked`. Shares line handling and field-line
// validation with the head parser (syntax.ts). Data is handed on as views of the fed chunk.
//
// Policies:
// - Line endings follow syntax.ts: CRLF, or a lone LF (RFC 9112 §2.2 MAY), for chunk-size
//   lines, the terminator after chunk data and trailer lines alike. A bare CR is refused.
// - chunk-size: 1–15 hex digits whose value fits Number.MAX_SAFE_INTEGER; anything longer is
//   an overflow, anything else a syntax error. BWS before `;` is tolerated (§7.1.1).
// - Chunk extensions are skipped unparsed (§7.1.1: a recipient MUST ignore unrecognized ones)
//   but bounded to MAX_EXTENSION_BYTES per chunk line and held to field-value bytes, so a
//   server cannot stream an endless line at us.
// - Trailers (§7.1.2) use the field-line syntax and validation of headers and are bounded by
//   the same limit as a header block, counted separately. Fields that control framing, routing
//   or the connection (RFC 9110 §6.5.1: a recipient MUST NOT merge prohibited fields) are
//   dropped silently rather than failing an otherwise complete body.

import { HttpoolError, ProtocolError } from '../errors.js';
import { CR, Field, FIELD_CHAR, HTAB, LF, LineReader, parseFieldLine, SEMI, SP, excerpt } from './syntax.js';

/** Bytes of chunk-extension text allowed on one chunk-size line. */
export const MAX_EXTENSION_BYTES = 4096;
/** The longest chunk-size line read before giving up (size digits, BWS, extensions, CRLF). */
const MAX_SIZE_LINE = MAX_EXTENSION_BYTES + 64;
const MAX_SIZE_DIGITS = 15;

const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[0x41 + c] = 10 + c;
  HEX[0x61 + c] = 10 + c;
}

const S_SIZE = 0;
const S_DATA = 1;
const S_DATA_CR = 2; // expecting the CR (or lone LF) that ends chunk data
const S_DATA_LF = 3; // saw the CR, expecting LF
const S_TRAILER = 4;
const S_DONE = 5;

/** Receives de-chunked data. */
export interface ChunkSink {
  onBody(chunk: Buffer): void;
}

function protocol(message: string): ProtocolError {
  return new ProtocolError('ERR_PROTOCOL', message);
}

export class ChunkedDecoder {
  #state = S_SIZE;
  #remaining = 0;
  #reader = new LineReader();
  #trailers: string[] = [];
  #trailerBytes = 0;
  readonly #maxTrailerBytes: number;

  constructor(maxTrailerBytes: number) {
    this.#maxTrailerBytes = maxTrailerBytes;
  }

  /** Ready for a new body. */
  reset(): void {
    this.#state = S_SIZE;
    this.#remaining = 0;
    this.#reader.reset();
    this.#trailers = [];
    this.#trailerBytes = 0;
  }

  /** The last chunk and trailer section have been read. */
  get done(): boolean {
    return this.#state === S_DONE;
  }

  /** Trailer fields, flat [name, value, …]; complete once `done`. */
  get trailers(): string[] {
    return this.#trailers;
  }

  /**
   * Consumes buf[pos, buf.length), passing data to `sink`. Returns the index after the last byte
   * consumed: buf.length while the body continues, or the index just past the final CRLF once
   * `done` (bytes after it belong to no message and are the caller's to judge).
   */
  decode(buf: Buffer, pos: number, sink: ChunkSink): number {
    const len = buf.length;
    while (pos < len) {
      switch (this.#state) {
        case S_SIZE: {
          const next = this.#reader.read(buf, pos, MAX_SIZE_LINE);
          if (next === -1) return len;
          if (next === -2) {
            throw protocol(`chunk-size line longer than ${MAX_SIZE_LINE} bytes (chunk extensions over ${MAX_EXTENSION_BYTES} bytes?)`);
          }
          const r = this.#reader;
          const size = parseChunkSize(r.line, r.start, r.end);
          pos = next;
          if (size === 0) {
            this.#state = S_TRAILER;
          } else {
            this.#remaining = size;
            this.#state = S_DATA;
          }
          break;
        }
        case S_DATA: {
          const n = Math.min(this.#remaining, len - pos);
          this.#remaining -= n;
          const piece = buf.subarray(pos, pos + n);
          pos += n;
          if (this.#remaining === 0) this.#state = S_DATA_CR;
          sink.onBody(piece);
          break;
        }
        case S_DATA_CR: {
          const b = buf[pos];
          if (b === CR) this.#state = S_DATA_LF;
          else if (b === LF) this.#state = S_SIZE;
          else throw protocol('missing CRLF after chunk data');
          pos++;
          break;
        }
        case S_DATA_LF: {
          if (buf[pos] !== LF) throw protocol('missing CRLF after chunk data (CR not followed by LF)');
          this.#state = S_SIZE;
          pos++;
          break;
        }
        case S_TRAILER: {
          const next = this.#reader.read(buf, pos, this.#maxTrailerBytes - this.#trailerBytes);
          if (next === -1) return len;
          if (next === -2) {
            throw new ProtocolError('ERR_HEADERS_TOO_LARGE', `trailer section exceeds ${this.#maxTrailerBytes} bytes`);
          }
          const r = this.#reader;
          this.#trailerBytes += r.bytes;
          pos = next;
          if (r.start === r.end) {
            this.#state = S_DONE;
            return pos;
          }
          const kind = parseFieldLine(r.line, r.start, r.end, this.#trailers);
          if (isProhibitedTrailer(kind)) this.#trailers.length -= 2;
          break;
        }
        default:
          return pos;
      }
    }
    return pos;
  }

  /** Why the body is incomplete, for EOF mid-body. */
  truncation(): HttpoolError {
    const where =
      this.#state === S_DATA
        ? `${this.#remaining} bytes of chunk data missing`
        : this.#state === S_TRAILER
          ? 'in the trailer section'
          : 'before the last chunk';
    return protocol(`truncated chunked body: connection closed ${where}`);
  }
}

function isProhibitedTrailer(kind: Field): boolean {
  return kind !== Field.Other;
}

/** chunk-size [ BWS chunk-ext ] from line[start, end). */
function parseChunkSize(line: Buffer, start: number, end: number): number {
  let i = start;
  let size = 0;
  while (i < end) {
    const d = HEX[line[i]!]!;
    if (d < 0) break;
    size = size * 16 + d;
    i++;
  }
  const digits = i - start;
  if (digits === 0) throw protocol(`invalid chunk size line: ${excerpt(line, start, end)}`);
  if (digits > MAX_SIZE_DIGITS || size > Number.MAX_SAFE_INTEGER) {
    throw protocol(`chunk size overflow: ${excerpt(line, start, end)}`);
  }
  while (i < end && (line[i] === SP || line[i] === HTAB)) i++;
  if (i === end) return size;
  if (line[i] !== SEMI) throw protocol(`invalid chunk size line: ${excerpt(line, start, end)}`);
  if (end - i > MAX_EXTENSION_BYTES) {
    throw protocol(`chunk extensions longer than ${MAX_EXTENSION_BYTES} bytes`);
  }
  for (let j = i; j < end; j++) {
    if (FIELD_CHAR[line[j]!] === 0) throw protocol('invalid character in chunk extension');
  }
  return size;
}
