// Renders a generated response spec (valid.ts) to wire bytes together with what a correct
// parser reports: every informational and final ResponseHead field, the de-chunked body, the
// trailers after the documented drop of framing fields (docs/RELIABILITY.md), and where the
// framing bytes lie (for the mutations in invalid.ts).

import type { ResponseHead } from '../../../src/h1/types.js';
import {
  chunkedForms,
  clForms,
  CONNECTION,
  KEEP_ALIVE,
  NON_CHUNKED_TE,
  PROHIBITED_TRAILERS,
  type ChunkRepr,
  type FieldSpec,
  type GenOptions,
  type HeadSpec,
  type ResponseSpec,
} from './valid.js';

export interface FieldSpan {
  section: 'head' | 'trailer';
  name: string;
  start: number; // line start
  colon: number;
  end: number; // before the terminator
  eolEnd: number; // after the terminator
}

export interface Rendered {
  wire: Buffer;
  method: 'GET' | 'HEAD';
  expected: ExpectedResponse;
  /** Status lines of every head (1xx and final): [start, end before terminator). */
  statusLines: { start: number; end: number }[];
  fields: FieldSpan[];
  /** Chunk-size lines: digits [start, digitsEnd), line content up to end (its CR). */
  sizeLines: { start: number; digitsEnd: number; end: number }[];
  /** Where each chunk's data ends: the CR of the CRLF after it. */
  dataEnds: number[];
  /** The CR of the empty line ending a chunked body's trailer section, -1 when none. */
  trailerEnd: number;
  /** Where the final head's blank line ends (body or next message starts here). */
  headEnd: number;
  /** Byte ranges that are framing (heads, size lines, CRLFs after data, trailers), not body data. */
  frame: [number, number][];
  /** Value ranges [start,end) (raw, between colon and terminator) of the final head's Content-Length fields. */
  clValues: [number, number][];
  /** The Content-Length the final head declares, -1 when none. */
  declaredCl: number;
}

export interface ExpectedResponse {
  method: 'GET' | 'HEAD';
  infos: ResponseHead[];
  head: ResponseHead;
  body: Buffer;
  trailers: string[];
  /** The body ends only at EOF (finish()). */
  closeDelimited: boolean;
  /** Largest head or trailer section, for the exact maxHeaderBytes limit. */
  maxSectionBytes: number;
}

class Writer {
  parts: Buffer[] = [];
  pos = 0;
  frame: [number, number][] = [];
  put(s: string | Uint8Array, isFrame = true): [number, number] {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : Buffer.from(s);
    const start = this.pos;
    this.parts.push(b);
    this.pos += b.length;
    if (isFrame && b.length > 0) {
      const last = this.frame[this.frame.length - 1];
      if (last !== undefined && last[1] === start) last[1] = this.pos;
      else this.frame.push([start, this.pos]);
    }
    return [start, this.pos];
  }
}

/** Hex chunk size in mixed case, with leading zeros (at most 15 digits in all). */
function hexSize(n: number, r: ChunkRepr): string {
  const hex = n.toString(16);
  let out = '';
  for (let i = 0; i < hex.length; i++) out += (r.caseMask >> i) & 1 ? hex[i]!.toUpperCase() : hex[i]!;
  return '0'.repeat(Math.min(r.zeros, 15 - out.length)) + out;
}

/** What the parser reports as a head's Content-Encoding: the value of its only such line, else null. */
function singleContentEncoding(raw: readonly string[]): string | null {
  let value: string | null = null;
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'content-encoding' && n++ === 0) value = raw[i + 1]!;
  }
  return n === 1 ? value : null;
}

interface HeadOut {
  bytes: number;
  rawHeaders: string[];
}

function writeHead(w: Writer, h: HeadSpec, fields: FieldSpec[], out: Rendered): HeadOut {
  // Empty lines before the status line are skipped, not counted in the head's bytes.
  for (const eol of h.lead) w.put(eol);
  const start = w.pos;
  const line = `HTTP/1.${h.minor} ${h.status}` + (h.reason === null ? '' : ' ' + h.reason);
  const [s, e] = w.put(line);
  out.statusLines.push({ start: s, end: e });
  w.put(h.statusEol);
  const raw: string[] = [];
  for (const f of fields) writeField(w, f, 'head', out, raw);
  w.put(h.blankEol);
  return { bytes: w.pos - start, rawHeaders: raw };
}

function writeField(w: Writer, f: FieldSpec, section: 'head' | 'trailer', out: Rendered, raw: string[]): void {
  const [start, colonEnd] = w.put(f.name + ':');
  const [, end] = w.put(f.pre + f.value + f.post);
  w.put(f.eol);
  out.fields.push({ section, name: f.name, start, colon: colonEnd - 1, end, eolEnd: w.pos });
  if (section === 'head' && f.name.toLowerCase() === 'content-length') out.clValues.push([colonEnd, end]);
  raw.push(f.name, f.value);
}

export function render(spec: ResponseSpec, o: GenOptions): Rendered {
  const w = new Writer();
  const out: Rendered = {
    wire: Buffer.alloc(0),
    method: spec.method,
    expected: null as unknown as ExpectedResponse,
    statusLines: [],
    fields: [],
    sizeLines: [],
    dataEnds: [],
    trailerEnd: -1,
    headEnd: 0,
    frame: w.frame,
    clValues: [],
    declaredCl: -1,
  };
  let maxSection = 0;
  const infos: ResponseHead[] = [];
  for (const info of spec.infos) {
    const h = writeHead(w, info, info.fields, out);
    maxSection = Math.max(maxSection, h.bytes);
    infos.push({
      statusCode: info.status,
      reason: info.reason ?? '',
      versionMinor: info.minor,
      rawHeaders: h.rawHeaders,
      contentLength: -1,
      chunked: false,
      connectionClose: false,
      keepAliveTimeoutMs: -1,
      contentEncoding: singleContentEncoding(h.rawHeaders),
      headerBytes: h.bytes,
    });
  }

  const mode = spec.mode;
  const bodiless = mode === 'head' || mode === '204' || mode === '304' || mode === '101';
  const framing: 'length' | 'chunked' | 'close' | 'none' = bodiless
    ? spec.declared === 'none'
      ? 'none'
      : spec.declared
    : mode === 'length' || mode === 'chunked' || mode === 'close'
      ? mode
      : 'none';
  const body = bodiless ? Buffer.alloc(0) : Buffer.from(spec.body);
  const eol = spec.framingEol;
  const mk = (name: string, value: string): FieldSpec => {
    const m = /^([ \t]*)(.*?)([ \t]*)$/s.exec(value)!;
    return { name, pre: ' ' + m[1]!, value: m[2]!, post: m[3]!, eol };
  };

  // Framing and connection fields, in groups whose inner order matters.
  const groups: FieldSpec[][] = spec.head.fields.map((f) => [f]);
  let te = false;
  let declaredCl = -1;
  if (framing === 'length') {
    const n = bodiless ? spec.body.length : body.length;
    const forms = clForms(n, o);
    groups.push(forms[spec.clForm % forms.length]!.map((v) => mk('Content-Length', v)));
    declaredCl = n;
  } else if (framing === 'chunked') {
    const forms = chunkedForms(o.teCodings);
    groups.push(forms[spec.teForm % forms.length]!.map((v) => mk('Transfer-Encoding', v)));
    te = true;
  } else if (framing === 'close' && o.teCodings && spec.teForm % 2 === 1) {
    groups.push([mk('Transfer-Encoding', NON_CHUNKED_TE[spec.teForm % NON_CHUNKED_TE.length]!)]);
    te = true;
  }
  let connClose = false;
  let connKa = false;
  if (spec.connection >= 0) {
    const [v, c, k] = CONNECTION[spec.connection]!;
    groups.push([mk('Connection', v)]);
    connClose = c;
    connKa = k;
  }
  let keepAliveMs = -1;
  if (spec.keepAlive >= 0) {
    const [v, ms] = KEEP_ALIVE[spec.keepAlive]!;
    groups.push([mk('Keep-Alive', v)]);
    keepAliveMs = ms;
  }
  const order = groups.map((g, i) => ({ g, k: spec.perm[i % spec.perm.length]! * 64 + i }));
  order.sort((a, b) => a.k - b.k);
  const fields = order.flatMap((x) => x.g);

  const h = writeHead(w, spec.head, fields, out);
  maxSection = Math.max(maxSection, h.bytes);
  out.headEnd = w.pos;
  const status = spec.head.status;
  const minor = spec.head.minor;

  let trailers: string[] = [];
  if (!bodiless && framing === 'length') {
    w.put(body, false);
  } else if (!bodiless && framing === 'close') {
    w.put(body, false);
  } else if (!bodiless && framing === 'chunked') {
    let off = 0;
    let i = 0;
    while (off < body.length) {
      const size = i < spec.chunkSizes.length ? Math.min(spec.chunkSizes[i]!, body.length - off) : body.length - off;
      const r = spec.chunkReprs[i % spec.chunkReprs.length]!;
      const digits = hexSize(size, r);
      const [s, d] = w.put(digits);
      const [, e] = w.put(r.ext);
      out.sizeLines.push({ start: s, digitsEnd: d, end: e });
      w.put('\r\n');
      w.put(body.subarray(off, off + size), false);
      out.dataEnds.push(w.pos);
      w.put('\r\n');
      off += size;
      i++;
    }
    const r = spec.last;
    const [s, d] = w.put('0'.repeat(1 + r.zeros));
    const [, e] = w.put(r.ext);
    out.sizeLines.push({ start: s, digitsEnd: d, end: e });
    w.put('\r\n');
    const tStart = w.pos;
    const raw: string[] = [];
    for (const f of spec.trailers) writeField(w, f, 'trailer', out, raw);
    out.trailerEnd = w.pos;
    w.put(spec.trailerEnd);
    maxSection = Math.max(maxSection, w.pos - tStart);
    for (let k = 0; k < raw.length; k += 2) {
      if (!PROHIBITED_TRAILERS.has(raw[k]!.toLowerCase())) trailers.push(raw[k]!, raw[k + 1]!);
    }
  }

  const closeDelimited = framing === 'close' && !bodiless;
  const connectionClose = connClose || status === 101 || (minor === 0 && !connKa) || (minor === 0 && te) || closeDelimited;
  let contentLength: number;
  if (mode === 'head') contentLength = declaredCl;
  else if (bodiless) contentLength = 0;
  else if (framing === 'length') contentLength = declaredCl;
  else contentLength = -1;
  out.declaredCl = declaredCl;

  out.wire = Buffer.concat(w.parts);
  out.expected = {
    method: spec.method,
    infos,
    head: {
      statusCode: status,
      reason: spec.head.reason ?? '',
      versionMinor: minor,
      rawHeaders: h.rawHeaders,
      contentLength,
      chunked: !bodiless && framing === 'chunked',
      connectionClose,
      keepAliveTimeoutMs: keepAliveMs,
      contentEncoding: singleContentEncoding(h.rawHeaders),
      headerBytes: h.bytes,
    },
    body,
    trailers,
    closeDelimited,
    maxSectionBytes: maxSection,
  };
  return out;
}
