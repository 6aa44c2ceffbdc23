// Chunked transfer coding decoder (RFC 9112 §7.1), driven by the response parser (parse.ts)
// once a head says `Transfer-Encoding: …, chunked`. Shares line handling and field-line
// validation with the head parser (syntax.ts). Data is handed on as views of the fed chunk.
//
// Policies: every framing line of a chunked body is held to the RFC 9112 §7.1 grammar as
// strictly as llhttp (Node's parser) holds it in its default strict mode, and refused with
// ERR_PROTOCOL otherwise. Chunk boundaries are where response splitting and queue poisoning
// happen: if an intermediary and this client disagree on where a chunk ends, bytes one of them
// takes as body the other takes as framing (the next chunk, or the next response). Refusing
// closes the connection and never desynchronises it; accepting a shape some hop reads
// differently can.
// - Line endings: CRLF only, for chunk-size lines, the terminator after chunk data, trailer
//   lines and the last empty line alike (the grammar says CRLF; the §2.2 allowance for a lone
//   LF is taken for heads, not here: llhttp refuses it here too). A bare CR is refused.
// - chunk-size: 1–15 hex digits whose value fits Number.MAX_SAFE_INTEGER; anything longer is
//   an overflow, anything else a syntax error. Nothing may follow the digits but CRLF or `;`:
//   no whitespace, not even the BWS that §7.1.1's chunk-ext grammar allows before `;`. That
//   departs knowingly from RFC 9110 §5.6.3 (a recipient MUST parse and remove BWS): the same
//   section forbids sending it, and llhttp refuses it, so no server Node's client works with
//   sends it, while whitespace after a size is one of the shapes hops read differently.
// - chunk-ext = *( ";" chunk-ext-name [ "=" chunk-ext-val ] ), chunk-ext-val = token /
//   quoted-string: names and token values non-empty, quoted strings closed and made of qdtext
//   and quoted-pairs, no whitespace anywhere (BWS refused as above). Extensions are checked,
//   not kept (§7.1.1: a recipient MUST ignore unrecognized ones), and bounded to
//   MAX_EXTENSION_BYTES per chunk line, so a server cannot stream an endless line at us.
// - Trailers (§7.1.2) use the field-line syntax and validation of headers and are bounded by
//   the same limit as a header block, counted separately. Fields that control framing, routing
//   or the connection (RFC 9110 §6.5.1: a recipient MUST NOT merge prohibited fields) are
//   dropped silently rather than failing an otherwise complete body.

import { HttpoolError, ProtocolError } from '../errors.js';
import {
  BACKSLASH,
  CR,
  DQUOTE,
  EQUALS,
  Field,
  FIELD_CHAR,
  HTAB,
  LF,
  LineReader,
  parseFieldLine,
  SEMI,
  SP,
  TCHAR,
  excerpt,
} from './syntax.js';

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
const S_DATA_CR = 2; // expecting the CR of the CRLF that ends chunk data (a lone LF is refused)
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

function bareLf(what: string): ProtocolError {
  return protocol(`${what} ends in a bare LF: chunked framing lines end in CRLF (RFC 9112 §7.1)`);
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
          if (!r.crlf) throw bareLf(size === 0 ? 'the last chunk' : 'a chunk-size line');
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
          else if (b === LF) throw protocol('missing CRLF after chunk data: a bare LF (chunk data ends in CRLF, RFC 9112 §7.1)');
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
          if (!r.crlf) throw bareLf(r.start === r.end ? 'the end of the trailer section' : 'a trailer line');
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

/** chunk-size [ chunk-ext ] from line[start, end), its CRLF excluded (RFC 9112 §7.1). */
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
  if (i === end) return size;
  if (line[i] !== SEMI) throw badSizeLine(line, i, start, end);
  if (end - i > MAX_EXTENSION_BYTES) {
    throw protocol(`chunk extensions longer than ${MAX_EXTENSION_BYTES} bytes`);
  }
  checkExtensions(line, i, end, start);
  return size;
}

/**
 * chunk-ext from line[i, end), line[i] being its first `;` (RFC 9112 §7.1.1, without BWS):
 * `;` name [ `=` ( token / quoted-string ) ], repeated. Scans bytes, allocates nothing.
 */
function checkExtensions(line: Buffer, i: number, end: number, lineStart: number): void {
  // Each turn starts at a `;` and returns at the line's end, throws, or stops at the next `;`.
  for (;;) {
    i++; // past ';'
    const nameStart = i;
    while (i < end && TCHAR[line[i]!] === 1) i++;
    if (i === nameStart) throw badExtension('empty chunk extension name', line, nameStart, lineStart, end);
    if (i === end) return;
    let c = line[i]!;
    if (c === EQUALS) {
      i++;
      if (i < end && line[i] === DQUOTE) {
        // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4). Its
        // qdtext and the octet of a quoted-pair are exactly the field-value bytes bar `"`/`\`.
        i++;
        for (;;) {
          if (i === end) throw badExtension('unterminated quoted string in chunk extension', line, i, lineStart, end);
          c = line[i]!;
          if (c === DQUOTE) break;
          if (c === BACKSLASH) {
            i++;
            if (i === end || FIELD_CHAR[line[i]!] === 0) throw badExtension('invalid quoted-pair in chunk extension', line, i, lineStart, end);
          } else if (FIELD_CHAR[c] === 0) {
            throw badExtension('invalid character in chunk extension quoted string', line, i, lineStart, end);
          }
          i++;
        }
        i++; // past the closing quote
      } else {
        const valueStart = i;
        while (i < end && TCHAR[line[i]!] === 1) i++;
        if (i === valueStart) throw badExtension('empty or invalid chunk extension value', line, i, lineStart, end);
      }
      if (i === end) return;
      c = line[i]!;
    }
    if (c !== SEMI) {
      throw badExtension(
        c === SP || c === HTAB ? 'whitespace in chunk extension' : 'invalid character in chunk extension',
        line,
        i,
        lineStart,
        end,
      );
    }
  }
}

/** What follows the digits of a chunk-size line is neither `;` nor its end. */
function badSizeLine(line: Buffer, at: number, start: number, end: number): ProtocolError {
  const c = line[at];
  return protocol(
    c === SP || c === HTAB
      ? `invalid chunk size line: whitespace after the chunk size (RFC 9112 §7.1): ${excerpt(line, start, end)}`
      : `invalid chunk size line: ${excerpt(line, start, end)}`,
  );
}

function badExtension(what: string, line: Buffer, at: number, start: number, end: number): ProtocolError {
  const byte = at < end ? ` 0x${line[at]!.toString(16).padStart(2, '0')}` : '';
  return protocol(`${what} (RFC 9112 §7.1.1) at byte ${at - start}${byte}: ${excerpt(line, start, end)}`);
}
