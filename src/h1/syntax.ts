// HTTP/1.1 wire syntax shared by the response parser (parse.ts), the chunked decoder
// (chunked.ts) and the request writer (write.ts): byte classes, field-line parsing and a line
// reader that stitches lines split across chunks. Pure code on Buffers; no I/O.
//
// Line-ending policy (RFC 9112 §2.2): a line ends at LF; a CR immediately before that LF is
// part of the terminator. A recipient MAY accept a lone LF as a terminator and the head parser
// does (old and embedded servers send them, and nothing ambiguous follows from it); the chunked
// decoder does not (LineReader.crlf says which it was; see chunked.ts). A bare CR anywhere
// else is refused: it ends up inside a line, where every validator rejects it, because CR
// treated as a line break by one hop and not another is a response-splitting vector.

import { ProtocolError } from '../errors.js';

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;
export const COLON = 0x3a;
export const SEMI = 0x3b;
export const DQUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const EQUALS = 0x3d;

/** RFC 9110 §5.6.2 tchar: the bytes of a token (field names, methods, codings). */
export const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

/**
 * RFC 9110 §5.5 field-value bytes: VCHAR, obs-text (0x80–0xFF), SP, HTAB. NUL, CR, LF, the
 * other controls and DEL are refused (the RFC lets recipients reject them; CR/LF/NUL must be).
 */
export const FIELD_CHAR = new Uint8Array(256);
FIELD_CHAR[HTAB] = 1;
for (let c = 0x20; c <= 0x7e; c++) FIELD_CHAR[c] = 1;
for (let c = 0x80; c <= 0xff; c++) FIELD_CHAR[c] = 1;

interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}
// Buffer#latin1Slice skips toString()'s encoding dispatch; it is undocumented, so fall back.
const HAS_LATIN1_SLICE =
  typeof (Buffer.prototype as unknown as Partial<Latin1Slicer>).latin1Slice === 'function';

/** buf[start, end) as a latin1 string (one char per byte, as HTTP/1.1 octets are). */
export function latin1(buf: Buffer, start: number, end: number): string {
  return HAS_LATIN1_SLICE
    ? (buf as unknown as Latin1Slicer).latin1Slice(start, end)
    : buf.toString('latin1', start, end);
}

/** Field names the framing and connection-management code cares about. */
export const Field = {
  Other: 0,
  ContentLength: 1,
  TransferEncoding: 2,
  Connection: 3,
  KeepAlive: 4,
  Host: 5,
  TE: 6,
  Trailer: 7,
  Upgrade: 8,
  ProxyConnection: 9,
  ContentEncoding: 10,
} as const;
export type Field = (typeof Field)[keyof typeof Field];

/**
 * Case-insensitive compare of s[start, start + lit.length) against a lower-case literal,
 * without allocating. `| 0x20` folds ASCII letters; it also maps CR onto '-', but CR never
 * reaches here (names are tchars).
 */
function eqLower(s: string, start: number, lit: string, canonical: string): boolean {
  // Servers nearly always send the canonical spelling: one native compare settles it.
  if (s.startsWith(canonical, start)) return true;
  for (let i = 0; i < lit.length; i++) {
    if ((s.charCodeAt(start + i) | 0x20) !== lit.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The class of the field name s[start, end), by length first, so most names cost one switch
 * and no string is cut for it.
 */
export function classifyAt(s: string, start: number, end: number): Field {
  switch (end - start) {
    case 2:
      return eqLower(s, start, 'te', 'TE') ? Field.TE : Field.Other;
    case 4:
      return eqLower(s, start, 'host', 'Host') ? Field.Host : Field.Other;
    case 7:
      if (eqLower(s, start, 'trailer', 'Trailer')) return Field.Trailer;
      return eqLower(s, start, 'upgrade', 'Upgrade') ? Field.Upgrade : Field.Other;
    case 10:
      if (eqLower(s, start, 'connection', 'Connection')) return Field.Connection;
      return eqLower(s, start, 'keep-alive', 'Keep-Alive') ? Field.KeepAlive : Field.Other;
    case 14:
      return eqLower(s, start, 'content-length', 'Content-Length') ? Field.ContentLength : Field.Other;
    case 16:
      if (eqLower(s, start, 'content-encoding', 'Content-Encoding')) return Field.ContentEncoding;
      return eqLower(s, start, 'proxy-connection', 'Proxy-Connection') ? Field.ProxyConnection : Field.Other;
    case 17:
      return eqLower(s, start, 'transfer-encoding', 'Transfer-Encoding') ? Field.TransferEncoding : Field.Other;
    default:
      return Field.Other;
  }
}

/** A short, printable excerpt of wire bytes for error messages. */
export function excerpt(buf: Buffer, start: number, end: number): string {
  return JSON.stringify(latin1(buf, start, Math.min(end, start + 64)));
}

function protocol(message: string): ProtocolError {
  return new ProtocolError('ERR_PROTOCOL', message);
}

/**
 * Parses one field line (RFC 9112 §5) from buf[start, end) — the line without its terminator —
 * and appends name and OWS-trimmed value to `out`. Returns the field's class. When the caller
 * already decoded the bytes around the line, `text` holds them (text[k] is buf[textBase + k])
 * and the strings are cut from it instead of crossing into C++ twice per field.
 *
 * obs-fold (a line starting with SP/HTAB, RFC 9112 §5.2) is rejected rather than unfolded: the
 * RFC allows a user agent to replace it with SP, but it is deprecated, nearly never legitimate,
 * and a classic header-smuggling vector. Whitespace between name and colon is rejected as the
 * RFC requires (§5.1).
 */
export function parseFieldLine(
  buf: Buffer,
  start: number,
  end: number,
  out: string[],
  text: string | null = null,
  textBase = 0,
): Field {
  const first = buf[start]!;
  if (first === SP || first === HTAB) {
    throw protocol(`obsolete line folding (line starting with whitespace) is not accepted: ${excerpt(buf, start, end)}`);
  }
  let i = start;
  while (i < end && TCHAR[buf[i]!] === 1) i++;
  if (i === end) throw protocol(`header line without a colon: ${excerpt(buf, start, end)}`);
  const c = buf[i]!;
  if (c !== COLON) {
    throw protocol(
      c === SP || c === HTAB
        ? `whitespace between header name and colon: ${excerpt(buf, start, end)}`
        : `invalid character in header name: ${excerpt(buf, start, end)}`,
    );
  }
  if (i === start) throw protocol(`empty header name: ${excerpt(buf, start, end)}`);
  const nameEnd = i;
  i++;
  while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
  let valueEnd = end;
  while (valueEnd > i && (buf[valueEnd - 1] === SP || buf[valueEnd - 1] === HTAB)) valueEnd--;
  for (let j = i; j < valueEnd; j++) {
    if (FIELD_CHAR[buf[j]!] === 0) {
      throw protocol(
        `invalid character 0x${buf[j]!.toString(16).padStart(2, '0')} in value of header ${latin1(buf, start, nameEnd)}`,
      );
    }
  }
  const name = text === null ? latin1(buf, start, nameEnd) : text.slice(start - textBase, nameEnd - textBase);
  out.push(name, text === null ? latin1(buf, i, valueEnd) : text.slice(i - textBase, valueEnd - textBase));
  return classifyAt(name, 0, name.length);
}

const EMPTY = Buffer.alloc(0);

/**
 * Yields LF-terminated lines from a stream of chunks. A line wholly inside one chunk is returned
 * as a view of that chunk (no copy); only a line split across chunks is copied into a stash,
 * which grows geometrically so feeding one byte at a time stays linear.
 */
export class LineReader {
  /** The last complete line is line[start, end), terminator (LF or CRLF) excluded. */
  line: Buffer = EMPTY;
  start = 0;
  end = 0;
  /** Bytes of the last complete line including its terminator. */
  bytes = 0;
  #stash: Buffer = EMPTY;
  #stashLen = 0;

  /**
   * The last complete line ended in CRLF (false: a lone LF); chunked framing requires CRLF.
   * Derived rather than stored: the terminator is what `bytes` counts beyond the content.
   */
  get crlf(): boolean {
    return this.bytes - (this.end - this.start) === 2;
  }

  /** Bytes held for a line not yet terminated. */
  get pending(): number {
    return this.#stashLen;
  }

  reset(): void {
    this.#stashLen = 0;
    // A stash grown for one huge line is not kept for the life of the connection.
    if (this.#stash.length > 16384) this.#stash = EMPTY;
  }

  /**
   * Reads from buf[pos, buf.length). Returns the index after the line's LF; -1 when the line is
   * not terminated yet (its bytes are stashed); -2 when the line (terminator included) is, or
   * already would be, longer than `limit` bytes — nothing is stashed then.
   */
  read(buf: Buffer, pos: number, limit: number): number {
    const lf = buf.indexOf(LF, pos);
    const stashed = this.#stashLen;
    if (lf === -1) {
      if (stashed + (buf.length - pos) > limit) return -2;
      this.#append(buf, pos, buf.length);
      return -1;
    }
    const bytes = stashed + (lf + 1 - pos);
    if (bytes > limit) return -2;
    let line: Buffer;
    let start: number;
    let end: number;
    if (stashed === 0) {
      line = buf;
      start = pos;
      end = lf;
    } else {
      this.#append(buf, pos, lf);
      line = this.#stash;
      start = 0;
      end = this.#stashLen;
      this.#stashLen = 0; // contents stay valid until the next read
    }
    if (end > start && line[end - 1] === CR) end--;
    this.line = line;
    this.start = start;
    this.end = end;
    this.bytes = bytes;
    return lf + 1;
  }

  #append(buf: Buffer, from: number, to: number): void {
    const need = this.#stashLen + (to - from);
    if (need > this.#stash.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.#stash.length * 2, 256));
      this.#stash.copy(next, 0, 0, this.#stashLen);
      this.#stash = next;
    }
    buf.copy(this.#stash, this.#stashLen, from, to);
    this.#stashLen = need;
  }
}
