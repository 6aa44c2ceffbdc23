// HTTP/1.1 response parser (RFC 9112): a push parser the connection (src/transport/conn.ts)
// feeds socket chunks into; it reports heads, body pieces and completion through a
// ParserHandler (types.ts). Chunked bodies go through chunked.ts; byte classes, field-line
// parsing and line reading are in syntax.ts. No sockets, no timers, no streams.
//
// Policies (strict where leniency lets two parties disagree about where a message ends):
// - Line endings: CRLF, or in heads a lone LF (RFC 9112 §2.2 MAY; a chunked body's framing
//   takes CRLF only, chunked.ts); a bare CR anywhere is refused.
// - obs-fold (RFC 9112 §5.2) is refused, including whitespace before the first header.
// - Status line: exactly `HTTP/1.0` or `HTTP/1.1`, SP, three digits 100–999, then end of line
//   or SP and a reason of field-value bytes (possibly empty). Up to MAX_LEADING_EMPTY_LINES
//   empty lines (CRLF or a lone LF) before it are skipped, as llhttp does, for the robustness
//   RFC 9112 §2.2 asks of a server before a request line (it SHOULD ignore at least one). Only
//   while a response is expected, that is after expect(), which the connection calls just
//   before writing the request: on an idle connection the parser is not fed, and any byte there
//   closes the connection (src/transport/conn.ts). A fifth empty line is refused, so a peer
//   cannot hold a request on an endless run of them.
// - Framing (§6.3): 1xx other than 101 are informational (at most MAX_INFORMATIONAL in a row);
//   HEAD responses, 101, 2xx to CONNECT, 204 and 304 have no body whatever they declare; Transfer-Encoding
//   with Content-Length is refused (§6.3 lets us process it as chunked and close; refusing is
//   simpler and the connection is not reused either way); Transfer-Encoding not ending in
//   chunked, or neither header, means a body delimited by the connection closing.
// - Content-Length: digits only, at most 15 (fits a safe integer); repeats and comma lists
//   only when every value is the same (§6.3 item 5).
// - Bytes past the end of the response, whether in the chunk that completed it or fed while
//   nothing is expected, are never parsed as a new response (no pipelining): they are a
//   ProtocolError, after the response already delivered.
// Size bounds: each head (status line, fields, blank line) and each trailer section is at most
// maxHeaderBytes, enforced as bytes arrive; the field count is bounded by that too.

import { ConnectionError, HttpoolError, ProtocolError } from '../errors.js';
import { ChunkedDecoder } from './chunked.js';
import { fastFields } from './fast-head.js';
import { ParsedHead } from './head.js';
import { classifyAt, CR, excerpt, Field, FIELD_CHAR, latin1, LF, LineReader, parseFieldLine, SP } from './syntax.js';
import type { ParserHandler, ResponseHead } from './types.js';

/** Consecutive 1xx responses accepted before the final one. */
export const MAX_INFORMATIONAL = 100;
/** Empty lines skipped before a status line; one more is a protocol error. */
export const MAX_LEADING_EMPTY_LINES = 4;
const MAX_CONTENT_LENGTH_DIGITS = 15;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
/** Reads up to this size are decoded whole to find the head's end (see #readHead). */
const SMALL_READ = 1024;

const S_IDLE = 0; // nothing expected
const S_HEAD = 1;
const S_BODY_LENGTH = 2;
const S_BODY_CHUNKED = 3;
const S_BODY_CLOSE = 4;
const S_DONE = 5; // the expected response completed
const S_ERROR = 6;

export interface ParserOptions {
  /** Limit for one head (status line + fields + blank line), and for one trailer section. */
  maxHeaderBytes: number;
}

function protocol(message: string): ProtocolError {
  return new ProtocolError('ERR_PROTOCOL', message);
}

function badStatusLine(what: string, line: string, end: number): ProtocolError {
  return protocol(`${what}: ${JSON.stringify(line.slice(0, Math.min(end, 64)))}`);
}

export class ResponseParser {
  readonly #handler: ParserHandler;
  readonly #maxHeaderBytes: number;
  readonly #reader = new LineReader();
  readonly #chunked: ChunkedDecoder;

  #state = S_IDLE;
  #error: unknown = null;
  #headRequest = false;
  #received = 0;
  #extra = false;
  /** Status of the last final response (101 hands what follows to onUpgradeBytes). */
  #lastStatus = 0;
  #informational = 0;
  #remaining = 0;
  #justCompleted = false; // set by #complete for #run to check what follows in the chunk

  // The head being read.
  #headBytes = 0;
  #sawStatus = false;
  /** Empty lines skipped before this head's status line, and whether a CR of one is pending. */
  #emptyLines = 0;
  #emptyCR = false;
  #statusCode = 0;
  #reason = '';
  #versionMinor: 0 | 1 = 1;
  #connectRequest = false;
  /** The final response opened a tunnel (101, or 2xx to CONNECT). */
  #tunnel = false;
  /** The fields cut line by line (the general path)… */
  #raw: string[] = [];
  /** …or, from the fast path, four offsets per field into #text (head.ts cuts them on demand). */
  #offsets: number[] | null = null;
  #contentEncoding: string | null = null;
  #contentLength = -1;
  #te = false;
  #teChunked = false; // the last coding so far is chunked
  #connClose = false;
  #connKeepAlive = false;
  #keepAliveMs = -1;
  // Fast path: when a whole head sits in one chunk it is decoded to a string once, and field
  // names and values are substrings of it (one C++ call per head instead of two per field).
  #text = '';
  #textChunk: Buffer | null = null;
  #textStart = 0;
  #textEnd = 0;

  constructor(handler: ParserHandler, opts: ParserOptions) {
    this.#handler = handler;
    this.#maxHeaderBytes = opts.maxHeaderBytes;
    this.#chunked = new ChunkedDecoder(opts.maxHeaderBytes);
  }

  /**
   * Prepares for the response to a request about to be written. Throws (a bug in the caller)
   * if a response is still in progress; after a parse error the parser stays failed.
   */
  expect(method: string): void {
    if (this.#state === S_ERROR) return;
    if (this.#state !== S_IDLE && this.#state !== S_DONE && this.#received > 0) {
      throw new Error('httpool: ResponseParser.expect() while a response is in progress');
    }
    this.#headRequest = method === 'HEAD';
    this.#connectRequest = method === 'CONNECT';
    this.#tunnel = false;
    this.#lastStatus = 0;
    this.#received = 0;
    this.#extra = false;
    this.#informational = 0;
    this.#resetHead();
    this.#state = S_HEAD;
  }

  /** No response in progress: none expected, or the expected one completed. */
  get idle(): boolean {
    return this.#state === S_IDLE || this.#state === S_DONE;
  }

  /** Bytes fed since expect(); 0 means nothing of the response has arrived. */
  get bytesReceivedForCurrent(): number {
    return this.#received;
  }

  /** Bytes arrived past the end of the response, or while none was expected. */
  get extraBytes(): boolean {
    return this.#extra;
  }

  /** Body bytes still due for a Content-Length body in progress; -1 for any other state. */
  remainingBodyBytes(): number {
    return this.#state === S_BODY_LENGTH ? this.#remaining : -1;
  }

  feed(chunk: Buffer): void {
    if (this.#state === S_ERROR) throw this.#error;
    if (chunk.length === 0) return;
    this.#received += chunk.length;
    this.#justCompleted = false;
    try {
      this.#run(chunk);
    } catch (err) {
      this.#state = S_ERROR;
      this.#error = err;
      throw err;
    } finally {
      // The caller may reuse the buffer: decoded text is only trusted within one feed.
      this.#textChunk = null;
    }
  }

  /** The peer closed its side. Completes a close-delimited body; throws if a response is cut short. */
  finish(): void {
    switch (this.#state) {
      case S_ERROR:
        throw this.#error;
      case S_IDLE:
      case S_DONE:
        return;
      case S_BODY_CLOSE:
        this.#state = S_DONE;
        this.#handler.onComplete([]);
        return;
    }
    let err: HttpoolError;
    if (this.#state === S_HEAD) {
      err =
        this.#received === 0
          ? new ConnectionError('ERR_CONNECTION_CLOSED', 'connection closed before any byte of the response arrived')
          : protocol(`truncated response: connection closed in the response head after ${this.#received} bytes`);
    } else if (this.#state === S_BODY_LENGTH) {
      err = protocol(`truncated response body: connection closed with ${this.#remaining} bytes of Content-Length missing`);
    } else {
      err = this.#chunked.truncation();
    }
    this.#state = S_ERROR;
    this.#error = err;
    throw err;
  }

  #run(chunk: Buffer): void {
    const len = chunk.length;
    let pos = 0;
    while (pos < len) {
      switch (this.#state) {
        case S_HEAD:
          pos = this.#readHead(chunk, pos);
          break;
        case S_BODY_LENGTH: {
          const n = Math.min(this.#remaining, len - pos);
          this.#remaining -= n;
          const piece = chunk.subarray(pos, pos + n);
          pos += n;
          this.#handler.onBody(piece);
          if (this.#remaining === 0) this.#complete([]);
          break;
        }
        case S_BODY_CHUNKED:
          pos = this.#chunked.decode(chunk, pos, this.#handler);
          if (this.#chunked.done) this.#complete(this.#chunked.trailers);
          break;
        case S_BODY_CLOSE:
          this.#handler.onBody(pos === 0 ? chunk : chunk.subarray(pos));
          return;
        default:
          // S_IDLE or S_DONE: nothing is expected.
          this.#extra = true;
          throw protocol(`unsolicited bytes after response: ${excerpt(chunk, pos, len)}`);
      }
      if (this.#justCompleted) {
        // The rest of this chunk arrived before any next request could have been answered,
        // even if onComplete already called expect() for one.
        this.#justCompleted = false;
        if (pos < len && this.#tunnel && this.#handler.onUpgradeBytes !== undefined) {
          this.#handler.onUpgradeBytes(chunk.subarray(pos));
          return;
        }
        if (pos < len) {
          this.#extra = true;
          throw protocol(`unsolicited bytes after response: ${excerpt(chunk, pos, len)}`);
        }
        return;
      }
    }
  }

  #complete(trailers: string[]): void {
    this.#state = S_DONE;
    this.#justCompleted = true;
    this.#handler.onComplete(trailers);
  }

  #resetHead(): void {
    this.#reader.reset();
    this.#headBytes = 0;
    this.#sawStatus = false;
    this.#emptyLines = 0;
    this.#emptyCR = false;
    this.#statusCode = 0;
    this.#reason = '';
    this.#versionMinor = 1;
    this.#raw = [];
    this.#offsets = null;
    this.#contentEncoding = null;
    this.#contentLength = -1;
    this.#te = false;
    this.#teChunked = false;
    this.#connClose = false;
    this.#connKeepAlive = false;
    this.#keepAliveMs = -1;
  }

  /** Reads head lines from chunk[pos…]; returns where it stopped. */
  #readHead(chunk: Buffer, pos: number): number {
    const reader = this.#reader;
    if (this.#headBytes === 0 && reader.pending === 0) {
      // Nothing of the status line yet: one byte compare in the common case.
      const b = chunk[pos];
      if (b === CR || b === LF || this.#emptyCR) {
        pos = this.#skipEmptyLines(chunk, pos);
        if (pos === chunk.length) return pos;
      }
    }
    if (reader.pending === 0 && (this.#textChunk !== chunk || pos >= this.#textEnd)) {
      // A small read is decoded whole and searched as a string: one call into C++ instead of two.
      const rest = chunk.length - pos <= SMALL_READ ? latin1(chunk, pos, chunk.length) : null;
      let headEnd: number;
      if (rest === null) {
        headEnd = chunk.indexOf(CRLFCRLF, pos);
      } else {
        const at = rest.indexOf('\r\n\r\n');
        headEnd = at === -1 ? -1 : pos + at;
      }
      if (headEnd !== -1 && headEnd + 4 - pos <= this.#maxHeaderBytes - this.#headBytes) {
        this.#textEnd = headEnd + 4;
        // The whole small read is kept rather than sliced: charCodeAt on a sliced string is slower.
        this.#text = rest ?? latin1(chunk, pos, this.#textEnd);
        this.#textStart = pos;
        this.#textChunk = chunk;
        if (!this.#sawStatus) {
          const done = this.#wholeHead(pos);
          if (done !== -1) return done;
          // Not plainly well-formed: the line-by-line parse below accepts it or says what is wrong.
          pos = this.#textStart + this.#headBytes;
        }
      } else {
        this.#textChunk = null;
      }
    }
    for (;;) {
      const next = reader.read(chunk, pos, this.#maxHeaderBytes - this.#headBytes);
      if (next === -1) return chunk.length;
      if (next === -2) {
        throw new ProtocolError(
          'ERR_HEADERS_TOO_LARGE',
          `response head exceeds ${this.#maxHeaderBytes} bytes (status line and headers)`,
        );
      }
      this.#headBytes += reader.bytes;
      pos = next;
      const { line, start, end } = reader;
      if (!this.#sawStatus) {
        this.#parseStatusLine(latin1(line, start, end), end - start);
        this.#sawStatus = true;
      } else if (start === end) {
        this.#endHead();
        return pos;
      } else {
        const kind =
          line === this.#textChunk && start >= this.#textStart && end <= this.#textEnd
            ? parseFieldLine(line, start, end, this.#raw, this.#text, this.#textStart)
            : parseFieldLine(line, start, end, this.#raw);
        if (kind !== Field.Other) this.#noteField(kind, this.#raw[this.#raw.length - 1]!);
      }
    }
  }

  /**
   * Skips empty lines (CRLF or a lone LF) before a status line from chunk[pos]; returns where
   * the status line starts, or chunk.length. A CR that is not followed by LF is refused (a bare
   * CR is never a line end), and so is a fifth empty line.
   */
  #skipEmptyLines(chunk: Buffer, pos: number): number {
    const len = chunk.length;
    while (pos < len) {
      const b = chunk[pos]!;
      if (this.#emptyCR) {
        if (b !== LF) throw protocol(`bare CR before the status line: ${excerpt(chunk, pos, len)}`);
        this.#emptyCR = false;
      } else if (b === CR) {
        this.#emptyCR = true;
        pos++;
        continue;
      } else if (b !== LF) {
        return pos;
      }
      pos++;
      if (++this.#emptyLines > MAX_LEADING_EMPTY_LINES) {
        throw protocol(`more than ${MAX_LEADING_EMPTY_LINES} empty lines before the status line`);
      }
    }
    return pos;
  }

  /**
   * The head in #text (all of it, from chunk[pos]) by the fast path (fast-head.ts): returns
   * where it ends, or -1 when it was not plain, with the status line parsed (or not) and
   * counted in #headBytes, for the line-by-line parse to go on from.
   */
  #wholeHead(pos: number): number {
    const text = this.#text;
    const headLen = this.#textEnd - this.#textStart;
    const lf = text.indexOf('\n');
    if (lf < 1 || lf >= headLen || text.charCodeAt(lf - 1) !== 0x0d) return -1;
    this.#parseStatusLine(text, lf - 1);
    this.#sawStatus = true;
    this.#headBytes += lf + 1;
    const offsets: number[] = [];
    if (!fastFields(text, lf + 1, headLen, offsets)) return -1;
    for (let i = 0; i < offsets.length; i += 4) {
      const kind = classifyAt(text, offsets[i]!, offsets[i + 1]!);
      if (kind !== Field.Other) this.#noteField(kind, text.slice(offsets[i + 2]!, offsets[i + 3]!));
    }
    this.#offsets = offsets;
    this.#headBytes += headLen - (lf + 1);
    this.#endHead();
    return pos + headLen;
  }

  /** The status line: line[0, end), its terminator excluded (decoded: it is short, and the reason is kept). */
  #parseStatusLine(line: string, end: number): void {
    // HTTP-version SP 3DIGIT [ SP reason-phrase ]   (RFC 9112 §4; "HTTP/1.1 200" is accepted)
    if (end < 12 || !line.startsWith('HTTP/') || line.charCodeAt(8) !== SP) throw badStatusLine('malformed status line', line, end);
    const minor = line.charCodeAt(7);
    if (line.charCodeAt(5) !== 0x31 || line.charCodeAt(6) !== 0x2e || (minor !== 0x30 && minor !== 0x31)) {
      throw badStatusLine('unsupported HTTP version in status line', line, end);
    }
    const d1 = line.charCodeAt(9) - 0x30;
    const d2 = line.charCodeAt(10) - 0x30;
    const d3 = line.charCodeAt(11) - 0x30;
    if (d1 < 1 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9) throw badStatusLine('malformed status code in status line', line, end);
    let reason = '';
    if (end > 12) {
      if (line.charCodeAt(12) !== SP) throw badStatusLine('malformed status line', line, end);
      for (let i = 13; i < end; i++) {
        if (FIELD_CHAR[line.charCodeAt(i)] !== 1) throw badStatusLine('invalid character in reason phrase', line, end);
      }
      reason = line.slice(13, end);
    }
    this.#versionMinor = minor === 0x31 ? 1 : 0;
    this.#statusCode = d1 * 100 + d2 * 10 + d3;
    this.#reason = reason;
  }

  #noteField(kind: Field, value: string): void {
    switch (kind) {
      case Field.ContentLength: {
        const n = parseContentLength(value);
        if (n === -2) throw protocol(`conflicting Content-Length values: ${JSON.stringify(value)}`);
        if (n < 0) throw protocol(`invalid Content-Length: ${JSON.stringify(value)}`);
        if (this.#contentLength !== -1 && this.#contentLength !== n) {
          throw protocol(`conflicting Content-Length values: ${this.#contentLength} and ${n}`);
        }
        this.#contentLength = n;
        return;
      }
      case Field.TransferEncoding: {
        // The codings of all Transfer-Encoding lines form one list (RFC 9110 §5.3); chunked
        // must be the last and only once (RFC 9112 §6.1).
        if (value.length === 7 && !this.#teChunked && value.toLowerCase() === 'chunked') {
          this.#teChunked = true;
          this.#te = true;
          return;
        }
        let any = false;
        for (const item of value.split(',')) {
          const coding = item.split(';', 1)[0]!.trim().toLowerCase();
          if (coding === '') continue; // empty list elements are ignored (RFC 9110 §5.6.1.2)
          if (this.#teChunked) {
            throw protocol(`Transfer-Encoding has a coding after chunked: ${JSON.stringify(value)}`);
          }
          this.#teChunked = coding === 'chunked';
          any = true;
        }
        if (!any) throw protocol('empty Transfer-Encoding');
        this.#te = true;
        return;
      }
      case Field.Connection: {
        const lower = value.toLowerCase();
        if (lower === 'keep-alive') {
          this.#connKeepAlive = true;
          return;
        }
        if (lower === 'close') {
          this.#connClose = true;
          return;
        }
        for (const item of lower.split(',')) {
          const token = item.trim();
          if (token === 'close') this.#connClose = true;
          else if (token === 'keep-alive') this.#connKeepAlive = true;
        }
        return;
      }
      case Field.KeepAlive:
        if (this.#keepAliveMs === -1) this.#keepAliveMs = parseKeepAliveTimeout(value);
        return;
      case Field.ContentEncoding:
        // A list field: several lines mean the same as one joined by commas (RFC 9110 §5.3).
        this.#contentEncoding = this.#contentEncoding === null ? value : `${this.#contentEncoding}, ${value}`;
        return;
      default:
        return;
    }
  }

  #buildHead(contentLength: number, chunked: boolean, connectionClose: boolean): ResponseHead {
    const offsets = this.#offsets;
    const head = offsets === null ? new ParsedHead(this.#raw) : new ParsedHead(null, this.#text, offsets);
    head.statusCode = this.#statusCode;
    head.reason = this.#reason;
    head.versionMinor = this.#versionMinor;
    head.contentLength = contentLength;
    head.chunked = chunked;
    head.connectionClose = connectionClose;
    head.keepAliveTimeoutMs = this.#keepAliveMs;
    head.headerBytes = this.#headBytes;
    head.contentEncoding = this.#contentEncoding;
    return head;
  }

  #endHead(): void {
    const status = this.#statusCode;
    if (this.#te && this.#contentLength !== -1) {
      throw protocol('response has both Transfer-Encoding and Content-Length');
    }
    if (status < 200 && status !== 101) {
      if (++this.#informational > MAX_INFORMATIONAL) {
        throw protocol(`more than ${MAX_INFORMATIONAL} informational (1xx) responses`);
      }
      const head = this.#buildHead(-1, false, false);
      this.#resetHead();
      this.#handler.onInformational(head);
      return;
    }

    this.#lastStatus = status;
    // After a 101, or a 2xx to CONNECT, the connection carries another protocol: no body, and
    // every later byte belongs to the caller.
    const tunnel = status === 101 || (this.#connectRequest && status >= 200 && status < 300);
    this.#tunnel = tunnel;
    let close =
      this.#connClose ||
      tunnel ||
      (this.#versionMinor === 0 && !this.#connKeepAlive) ||
      // An HTTP/1.0 message with Transfer-Encoding has faulty framing (RFC 9112 §6.1).
      (this.#versionMinor === 0 && this.#te);

    if (this.#headRequest || tunnel || status === 204 || status === 304) {
      // HEAD keeps the declared length (what a GET would have returned, as Go reports it);
      // 101/204/304 have no content at all.
      const cl = this.#headRequest ? this.#contentLength : 0;
      this.#remaining = 0;
      this.#state = S_BODY_LENGTH; // during onHead: a response with 0 body bytes to come
      this.#handler.onHead(this.#buildHead(cl, false, close));
      this.#complete([]);
      return;
    }

    if (this.#te && this.#teChunked) {
      this.#chunked.reset();
      this.#state = S_BODY_CHUNKED;
      this.#handler.onHead(this.#buildHead(-1, true, close));
      return;
    }
    if (!this.#te && this.#contentLength !== -1) {
      const cl = this.#contentLength;
      this.#remaining = cl;
      this.#state = S_BODY_LENGTH;
      this.#handler.onHead(this.#buildHead(cl, false, close));
      if (cl === 0) this.#complete([]);
      return;
    }
    // Transfer-Encoding not ending in chunked, or no framing at all: the body runs to EOF.
    close = true;
    this.#state = S_BODY_CLOSE;
    this.#handler.onHead(this.#buildHead(-1, false, close));
  }
}

/**
 * Whether bytes read on an idle connection start a 408 status line (`HTTP/1.1 408` or
 * `HTTP/1.0 408`): a server timing the connection out (RFC 9110 §15.5.9), which closes it as
 * an idle FIN would, not a broken server. Only the status line's start is looked at: the
 * connection is closed either way and nothing of it is read as a response.
 */
export function isIdleTimeoutResponse(buf: Buffer): boolean {
  if (buf.length < 12) return false;
  const start = latin1(buf, 0, 12);
  if (start !== 'HTTP/1.1 408' && start !== 'HTTP/1.0 408') return false;
  // `HTTP/1.1 408` alone, or followed by the reason's SP or the line's end; not `HTTP/1.1 4080`.
  const next = buf.length > 12 ? buf[12] : SP;
  return next === SP || next === CR || next === LF;
}

/** Content-Length as 1*DIGIT, or a comma list of identical ones; -1 when invalid, -2 when the list disagrees. */
function parseContentLength(value: string): number {
  let result = -1;
  let i = 0;
  const len = value.length;
  for (;;) {
    while (i < len && (value.charCodeAt(i) === 0x20 || value.charCodeAt(i) === 0x09)) i++;
    const digitsStart = i;
    let n = 0;
    while (i < len) {
      const d = value.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      i++;
    }
    const digits = i - digitsStart;
    if (digits === 0 || digits > MAX_CONTENT_LENGTH_DIGITS) return -1;
    if (result !== -1 && result !== n) return -2;
    result = n;
    while (i < len && (value.charCodeAt(i) === 0x20 || value.charCodeAt(i) === 0x09)) i++;
    if (i === len) return result;
    if (value.charCodeAt(i) !== 0x2c) return -1; // ','
    i++;
  }
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * `timeout=N` (seconds) from a Keep-Alive value (RFC 2068 §19.7.1.1, still what servers send),
 * in ms; -1 when absent or malformed. Scans instead of splitting: every keep-alive response
 * carries this header.
 */
function parseKeepAliveTimeout(value: string): number {
  const lower = value.toLowerCase();
  const len = lower.length;
  for (let from = 0; ; ) {
    const at = lower.indexOf('timeout', from);
    if (at === -1) return -1;
    from = at + 7;
    let b = at - 1;
    while (b >= 0 && isOws(lower.charCodeAt(b))) b--;
    if (b >= 0 && lower.charCodeAt(b) !== 0x2c) continue; // not at the start of an element
    let i = from;
    while (i < len && isOws(lower.charCodeAt(i))) i++;
    if (lower.charCodeAt(i) !== 0x3d) continue; // '='
    i++;
    while (i < len && isOws(lower.charCodeAt(i))) i++;
    const digitsStart = i;
    let n = 0;
    while (i < len) {
      const d = lower.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      i++;
    }
    if (i === digitsStart || i - digitsStart > 9) return -1;
    while (i < len && isOws(lower.charCodeAt(i))) i++;
    if (i < len && lower.charCodeAt(i) !== 0x2c) return -1;
    return n * 1000;
  }
}
