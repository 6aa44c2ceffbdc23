// fast-check arbitraries for HTTP/1.1 responses, for the parser fuzzers (test/fuzz-*.test.ts).
//
// VALID streams: one or more responses as a keep-alive connection carries them in sequence
// (1xx heads before a final one, Content-Length / chunked / close-delimited / bodiless framing,
// HEAD requests), each rendered to wire bytes together with what a correct parser reports:
// every informational and final ResponseHead field, the de-chunked body, the trailers after
// the documented drop of framing fields (docs/RELIABILITY.md).
//
// INVALID streams: mutations of valid ones, each with the outcome the documented policy
// promises: a definite error code (bare CR, controls, obs-fold, CL+TE, bad CL / versions /
// status codes / chunk sizes, truncation), or, for byte garbage, only "an HttpoolError with a
// known code or a consistent accepted parse".
//
// Also here: the parser driver the properties share (any split, optionally through one reused
// buffer the way the socket read path hands chunks over), the run-count / seed settings
// (HTTPOOL_FUZZ_RUNS, HTTPOOL_FUZZ_SEED, HTTPOOL_FUZZ_PATH) and the progress counter a
// watchdog reads to name the input of a parser that never returns.

import fc from 'fast-check';
import { ResponseParser } from '../../src/h1/parse.js';
import type { ParserHandler, ResponseHead } from '../../src/h1/types.js';
import { HttpoolError } from '../../src/errors.js';

// ------------------------------------------------------------------ settings

/**
 * Runs for one property: `HTTPOOL_FUZZ_RUNS` × weight when set (weight scales the expensive
 * properties down), else the small default that keeps `npm test` quick.
 */
export function fuzzRuns(defaultRuns: number, weight = 1): number {
  const env = process.env.HTTPOOL_FUZZ_RUNS;
  if (env === undefined || env === '') return defaultRuns;
  const n = Number(env);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`HTTPOOL_FUZZ_RUNS must be a positive number, got ${JSON.stringify(env)}`);
  return Math.max(1, Math.round(n * weight));
}

/** The seed for this run: HTTPOOL_FUZZ_SEED, or a fresh one (printed on failure by fast-check). */
export function fuzzSeed(): number {
  const env = process.env.HTTPOOL_FUZZ_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n)) throw new Error(`HTTPOOL_FUZZ_SEED must be an integer, got ${JSON.stringify(env)}`);
    return n;
  }
  return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
}

/** fast-check parameters: runs, seed, and HTTPOOL_FUZZ_PATH to replay one counterexample. */
export function fcParams<T>(numRuns: number, seed: number): fc.Parameters<T> {
  const path = process.env.HTTPOOL_FUZZ_PATH;
  return { numRuns, seed, ...(path !== undefined && path !== '' ? { path } : {}) };
}

// ------------------------------------------------------------------ progress (watchdog)

/**
 * When set (in a fuzz worker), every case stores its wire bytes here and bumps a counter, so
 * the main thread can tell a hung parser from a slow one and print the input that hung it.
 * Layout: Int32 [0] counter, [1] length; bytes from offset 8.
 */
let progress: { ints: Int32Array; bytes: Uint8Array } | null = null;

export function setProgressBuffer(sab: SharedArrayBuffer | null): void {
  progress = sab === null ? null : { ints: new Int32Array(sab, 0, 2), bytes: new Uint8Array(sab, 8) };
}

export function noteCase(wire: Uint8Array): void {
  if (progress === null) return;
  const n = Math.min(wire.length, progress.bytes.length);
  progress.bytes.set(wire.subarray(0, n));
  Atomics.store(progress.ints, 1, n);
  Atomics.add(progress.ints, 0, 1);
}

export function readProgress(sab: SharedArrayBuffer): { count: number; wire: Buffer } {
  const ints = new Int32Array(sab, 0, 2);
  const n = Atomics.load(ints, 1);
  return { count: Atomics.load(ints, 0), wire: Buffer.from(new Uint8Array(sab, 8, n)) };
}

// ------------------------------------------------------------------ byte classes

const TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".split('');
/** Names whose presence changes framing or connection handling in a head. */
const HEAD_SPECIAL = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);
/**
 * Names a trailer section may not carry (RFC 9110 §6.5.1); the documented policy drops them.
 * The same list the parser classifies (src/h1/syntax.ts classifyName).
 */
export const PROHIBITED_TRAILERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'host',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
]);

export type Eol = '\r\n' | '\n';

/** What a generator may produce; the differential test turns off what llhttp refuses. */
export interface GenOptions {
  /** Bare-LF line endings (accepted by policy, RFC 9112 §2.2). */
  lf: boolean;
  /** Content-Length with leading zeros (`005`). */
  clZeros: boolean;
  /** Repeated identical Content-Length lines and `N, N` lists (RFC 9112 §6.3 item 5). */
  clRepeat: boolean;
  /** Whitespace between a chunk size and `;`/end of line, and inside extensions. */
  chunkBws: boolean;
  /** obs-text (0x80–0xFF) in header values and reasons. */
  obsText: boolean;
  /** HTAB inside header values. */
  htab: boolean;
  /** Transfer-Encoding codings other than chunked (gzip, chunked / close-delimited gzip). */
  teCodings: boolean;
  /** Trailers naming framing fields (dropped by policy), from this list (lower-case). */
  framingTrailers: readonly string[];
  /** HTTP/1.0 informational heads (RFC 9110 §15.2: never sent to a 1.0 client, but parseable). */
  info10: boolean;
  /** Status codes 600–999 (accepted by policy). */
  wideStatus: boolean;
  /** A status line without a reason (`HTTP/1.1 200`), and reasons with trailing whitespace. */
  bareStatus: boolean;
  /** 1xx heads before the final one. */
  informational: boolean;
  /** 101 Switching Protocols as the last response. */
  upgrade: boolean;
  /** HEAD requests. */
  head: boolean;
  /** Largest body (bytes). */
  maxBody: number;
  /** Most random header fields per head. */
  maxFields: number;
  /** Most responses in one stream. */
  maxResponses: number;
  /** Restrict the final response's kind (default: all). */
  modes?: readonly Mode[];
}

export const FULL: GenOptions = {
  lf: true,
  clZeros: true,
  clRepeat: true,
  chunkBws: true,
  obsText: true,
  htab: true,
  teCodings: true,
  framingTrailers: [...PROHIBITED_TRAILERS],
  info10: true,
  wideStatus: true,
  bareStatus: true,
  informational: true,
  upgrade: true,
  head: true,
  maxBody: 2048,
  maxFields: 8,
  maxResponses: 3,
};

// ------------------------------------------------------------------ specs

export interface FieldSpec {
  name: string;
  pre: string; // OWS before the value
  value: string; // the value as a parser reports it (no leading/trailing OWS)
  post: string; // OWS after
  eol: Eol;
}

interface HeadSpec {
  minor: 0 | 1;
  status: number;
  reason: string | null; // null: `HTTP/1.1 200` with no SP
  statusEol: Eol;
  fields: FieldSpec[];
  blankEol: Eol;
}

interface ChunkRepr {
  zeros: number;
  caseMask: number;
  bws: string;
  ext: string;
  sizeEol: Eol;
  dataEol: Eol;
}

export type Mode = 'length' | 'chunked' | 'close' | 'head' | '204' | '304' | '101';

export interface ResponseSpec {
  method: 'GET' | 'HEAD';
  mode: Mode;
  infos: HeadSpec[];
  head: HeadSpec; // random fields only; framing and connection fields are merged in render
  declared: 'length' | 'chunked' | 'none'; // what HEAD/204/304/101 heads declare
  clForm: number; // index into CL forms
  teForm: number; // index into TE forms
  connection: number; // index into CONNECTION (-1 none)
  keepAlive: number; // index into KEEP_ALIVE (-1 none)
  framingEol: Eol;
  perm: number[];
  body: Uint8Array;
  chunkSizes: number[];
  chunkReprs: ChunkRepr[];
  last: ChunkRepr;
  trailers: FieldSpec[];
  trailerEnd: Eol;
}

/** [value, close token, keep-alive token] */
const CONNECTION: readonly [string, boolean, boolean][] = [
  ['close', true, false],
  ['Close', true, false],
  ['keep-alive', false, true],
  ['Keep-Alive', false, true],
  ['Upgrade', false, false],
  ['foo, close', true, false],
  ['keep-alive, Upgrade', false, true],
  ['TE,  Keep-Alive ', false, true],
];
/** [value, expected keepAliveTimeoutMs] */
const KEEP_ALIVE: readonly [string, number][] = [
  ['timeout=5', 5000],
  ['timeout=5, max=100', 5000],
  ['max=100, timeout=30', 30000],
  ['max=100', -1],
  ['Timeout = 7', 7000],
  ['timeout=0', 0],
  ['timeout=abc', -1],
];
const NON_CHUNKED_TE = ['gzip', 'deflate', 'gzip, identity', 'x-custom'];

function clForms(n: number, o: GenOptions): string[][] {
  const s = String(n);
  const forms = [[s]];
  if (o.clZeros) forms.push(['00' + s]);
  if (o.clRepeat) forms.push([s, s], [`${s}, ${s}`], [`${s},${s}`]);
  return forms;
}
function chunkedForms(variants: boolean): string[][] {
  const forms = [['chunked'], ['Chunked'], ['CHUNKED']];
  if (variants) forms.push(['gzip, chunked'], ['gzip', 'chunked'], [', chunked'], ['gzip,chunked']);
  return forms;
}

// ------------------------------------------------------------------ arbitraries

const ows = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 3 });
const spOnly = fc.string({ unit: fc.constant(' '), maxLength: 2 });
const token = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...TCHARS), minLength: min, maxLength: max });

function eolArb(o: GenOptions): fc.Arbitrary<Eol> {
  return o.lf ? fc.constantFrom<Eol>('\r\n', '\r\n', '\r\n', '\n') : fc.constant<Eol>('\r\n');
}

function visibleChar(o: GenOptions): fc.Arbitrary<string> {
  const vchar = fc.integer({ min: 0x21, max: 0x7e });
  const arb = o.obsText
    ? fc.oneof({ weight: 5, arbitrary: vchar }, { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) })
    : vchar;
  return arb.map((c) => String.fromCharCode(c));
}

/** A field value as reported: empty, or field-vchars with SP/HTAB only inside. */
function valueCore(o: GenOptions): fc.Arbitrary<string> {
  const vis = visibleChar(o);
  const inner = fc.oneof({ weight: 6, arbitrary: vis }, { weight: 1, arbitrary: fc.constantFrom(...(o.htab ? [' ', '\t'] : [' '])) });
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 2, arbitrary: vis },
    { weight: 6, arbitrary: fc.tuple(vis, fc.string({ unit: inner, maxLength: 40 }), vis).map(([a, m, b]) => a + m + b) },
  );
}

const COMMON_NAMES = ['Content-Type', 'Date', 'Server', 'Set-Cookie', 'Cache-Control', 'ETag', 'X-Request-Id', 'Vary', 'Location'];

function fieldName(o: GenOptions, forTrailer: boolean): fc.Arbitrary<string> {
  const random = token(1, 20).filter((n) => !HEAD_SPECIAL.has(n.toLowerCase()));
  const arbs: fc.WeightedArbitrary<string>[] = [
    { weight: 2, arbitrary: fc.constantFrom(...COMMON_NAMES) },
    { weight: 5, arbitrary: random },
  ];
  if (forTrailer && o.framingTrailers.length > 0) {
    arbs.push({ weight: 2, arbitrary: fc.mixedCase(fc.constantFrom(...o.framingTrailers)) });
  }
  return fc.oneof(...arbs);
}

function fieldArb(o: GenOptions, forTrailer = false): fc.Arbitrary<FieldSpec> {
  const w = o.htab ? ows : spOnly;
  return fc.record({ name: fieldName(o, forTrailer), pre: w, value: valueCore(o), post: w, eol: eolArb(o) });
}

function reasonArb(o: GenOptions): fc.Arbitrary<string | null> {
  const chars = fc.oneof({ weight: 6, arbitrary: visibleChar(o) }, { weight: 1, arbitrary: fc.constantFrom(...(o.htab ? [' ', '\t'] : [' '])) });
  const arbs: fc.WeightedArbitrary<string | null>[] = [
    { weight: 4, arbitrary: fc.constantFrom('OK', 'Not Found', 'Created', 'No Content', 'Whatever you like') },
    { weight: 3, arbitrary: o.bareStatus ? fc.string({ unit: chars, maxLength: 30 }) : fc.tuple(visibleChar(o), fc.string({ unit: chars, maxLength: 30 }), visibleChar(o)).map(([a, m, b]) => a + m + b) },
  ];
  if (o.bareStatus) arbs.push({ weight: 1, arbitrary: fc.constantFrom<string | null>(null, '') });
  return fc.oneof(...arbs);
}

function headArb(o: GenOptions, status: fc.Arbitrary<number>, allow10 = true): fc.Arbitrary<HeadSpec> {
  return fc.record({
    minor: allow10 ? fc.constantFrom<0 | 1>(1, 1, 1, 0) : fc.constant<0 | 1>(1),
    status,
    reason: reasonArb(o),
    statusEol: eolArb(o),
    fields: fc.array(fieldArb(o), { maxLength: o.maxFields }),
    blankEol: eolArb(o),
  });
}

function extArb(o: GenOptions): fc.Arbitrary<string> {
  const b = o.chunkBws ? ows : fc.constant('');
  const qd = fc.oneof(
    { weight: 8, arbitrary: visibleChar(o).filter((c) => c !== '"' && c !== '\\') },
    { weight: 1, arbitrary: fc.constant(' ') },
    { weight: 1, arbitrary: visibleChar(o).map((c) => '\\' + c) },
  );
  const quoted = fc.string({ unit: qd, maxLength: 12 }).map((s) => `"${s}"`);
  const item = fc
    .record({ b1: b, b2: b, name: token(1, 8), val: fc.option(fc.oneof(token(1, 8), quoted), { nil: null }), b3: b, b4: b })
    .map(({ b1, b2, name, val, b3, b4 }) => `${b1};${b2}${name}${val === null ? '' : `${b3}=${b4}${val}`}`);
  return fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.array(item, { minLength: 1, maxLength: 3 }).map((a) => a.join('')) });
}

function chunkReprArb(o: GenOptions): fc.Arbitrary<ChunkRepr> {
  return fc.record({
    zeros: fc.constantFrom(0, 0, 0, 1, 2),
    caseMask: fc.nat(0xffff),
    bws: o.chunkBws ? fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: ows }) : fc.constant(''),
    ext: extArb(o),
    sizeEol: eolArb(o),
    dataEol: eolArb(o),
  });
}

const TRICKY = ['\r\n', '\n', '\r', '0\r\n\r\n', 'HTTP/1.1 200 OK\r\n', '\r\n\r\n', 'Content-Length: 5\r\n', '\x00', '\xff'];

function bodyArb(o: GenOptions): fc.Arbitrary<Uint8Array> {
  const seg = fc.oneof(
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 2, arbitrary: fc.constantFrom(...TRICKY).map((s) => new Uint8Array(Buffer.from(s, 'latin1'))) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => new Uint8Array(Buffer.from(s))) },
  );
  return fc.oneof(
    { weight: 8, arbitrary: fc.array(seg, { maxLength: 6 }).map((parts) => new Uint8Array(Buffer.concat(parts))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: o.maxBody }) },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  );
}

function finalStatus(o: GenOptions): fc.Arbitrary<number> {
  const arbs: fc.WeightedArbitrary<number>[] = [
    { weight: 5, arbitrary: fc.constantFrom(200, 201, 202, 206, 301, 302, 400, 404, 500, 503) },
    { weight: 3, arbitrary: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304) },
  ];
  if (o.wideStatus) arbs.push({ weight: 1, arbitrary: fc.integer({ min: 600, max: 999 }) });
  return fc.oneof(...arbs);
}

export function responseSpecArb(o: GenOptions, isLast: boolean): fc.Arbitrary<ResponseSpec> {
  let modes: Mode[] = ['length', 'length', 'length', 'chunked', 'chunked', 'chunked', '204', '304'];
  if (o.head) modes.push('head', 'head');
  if (isLast) modes.push('close', 'close');
  if (isLast && o.upgrade) modes.push('101');
  if (o.modes !== undefined) modes = modes.filter((m) => o.modes!.includes(m));
  const info = headArb(o, fc.constantFrom(100, 102, 103, 199, 150), o.info10);
  return fc
    .record({
      mode: fc.constantFrom(...modes),
      infos: o.informational ? fc.oneof({ weight: 3, arbitrary: fc.constant<HeadSpec[]>([]) }, { weight: 1, arbitrary: fc.array(info, { minLength: 1, maxLength: 2 }) }) : fc.constant<HeadSpec[]>([]),
      head: headArb(o, finalStatus(o)),
      declared: fc.constantFrom<'length' | 'chunked' | 'none'>('length', 'chunked', 'none'),
      clForm: fc.nat(4),
      teForm: fc.nat(6),
      connection: fc.oneof({ weight: 2, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(CONNECTION.length - 1) }),
      keepAlive: fc.oneof({ weight: 3, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(KEEP_ALIVE.length - 1) }),
      framingEol: eolArb(o),
      perm: fc.array(fc.nat(1000), { minLength: 16, maxLength: 16 }),
      body: bodyArb(o),
      chunkSizes: fc.array(fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 40 }) }, { weight: 1, arbitrary: fc.integer({ min: 41, max: 5000 }) }), { maxLength: 8 }),
      chunkReprs: fc.array(chunkReprArb(o), { minLength: 4, maxLength: 4 }),
      last: chunkReprArb(o),
      trailers: fc.oneof({ weight: 2, arbitrary: fc.constant<FieldSpec[]>([]) }, { weight: 1, arbitrary: fc.array(fieldArb(o, true), { minLength: 1, maxLength: 4 }) }),
      trailerEnd: eolArb(o),
    })
    .map((r): ResponseSpec => {
      const method = r.mode === 'head' ? 'HEAD' : 'GET';
      const head = { ...r.head };
      if (r.mode === '204' || r.mode === '304' || r.mode === '101') head.status = Number(r.mode);
      return { ...r, method, head };
    });
}

// ------------------------------------------------------------------ rendering

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
  /** Chunk-size lines: digits [start, digitsEnd), line content up to end. */
  sizeLines: { start: number; digitsEnd: number; end: number }[];
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

interface HeadOut {
  bytes: number;
  rawHeaders: string[];
}

function writeHead(w: Writer, h: HeadSpec, fields: FieldSpec[], out: Rendered): HeadOut {
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
      const [, e] = w.put(r.bws + r.ext);
      out.sizeLines.push({ start: s, digitsEnd: d, end: e });
      w.put(r.sizeEol);
      w.put(body.subarray(off, off + size), false);
      w.put(r.dataEol);
      off += size;
      i++;
    }
    const r = spec.last;
    const [s, d] = w.put('0'.repeat(1 + r.zeros));
    const [, e] = w.put(r.bws + r.ext);
    out.sizeLines.push({ start: s, digitsEnd: d, end: e });
    w.put(r.sizeEol);
    const tStart = w.pos;
    const raw: string[] = [];
    for (const f of spec.trailers) writeField(w, f, 'trailer', out, raw);
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
      headerBytes: h.bytes,
    },
    body,
    trailers,
    closeDelimited,
    maxSectionBytes: maxSection,
  };
  return out;
}

// ------------------------------------------------------------------ streams

/** Responses on one connection, in order; `starts[i]` is where response i begins. */
export interface Stream {
  wire: Buffer;
  methods: string[];
  starts: number[];
  parts: Rendered[];
}

function latin1Json(b: Uint8Array): string {
  return JSON.stringify(Buffer.from(b).toString('latin1'));
}

export function makeStream(parts: Rendered[]): Stream {
  const starts: number[] = [];
  let off = 0;
  for (const p of parts) {
    starts.push(off);
    off += p.wire.length;
  }
  const s: Stream = { wire: Buffer.concat(parts.map((p) => p.wire)), methods: parts.map((p) => p.method), starts, parts };
  return withToString(s, () => `Stream(methods=${JSON.stringify(s.methods)}, starts=${JSON.stringify(starts)}, wire=${latin1Json(s.wire)})`);
}

function withToString<T extends object>(x: T, f: () => string): T {
  Object.defineProperty(x, fc.toStringMethod, { value: f, enumerable: false });
  return x;
}

/** A valid stream of 1…maxResponses responses (only the last may be close-delimited or 101). */
export function validStream(o: GenOptions = FULL): fc.Arbitrary<Stream> {
  return fc
    .tuple(fc.array(responseSpecArb(o, false), { maxLength: o.maxResponses - 1 }), responseSpecArb(o, true))
    .map(([first, last]) => makeStream([...first, last].map((s) => render(s, o))));
}

/** Cut positions strictly inside (0, len), sorted and unique. */
export function cutsArb(len: number, max = 12): fc.Arbitrary<number[]> {
  if (len < 2) return fc.constant([]);
  return fc.uniqueArray(fc.integer({ min: 1, max: len - 1 }), { maxLength: max }).map((a) => a.sort((x, y) => x - y));
}

/** A valid stream with random multi-way cuts. */
export function validStreamWithCuts(o: GenOptions = FULL): fc.Arbitrary<{ stream: Stream; cuts: number[] }> {
  return validStream(o).chain((stream) =>
    fc.oneof(
      cutsArb(stream.wire.length, 12),
      // many small pieces
      fc.integer({ min: 1, max: 7 }).map((step) => {
        const c: number[] = [];
        for (let i = step; i < stream.wire.length; i += step) c.push(i);
        return c;
      }),
    ).map((cuts) => ({ stream, cuts })),
  );
}

// ------------------------------------------------------------------ invalid streams

export const KNOWN_CODES = new Set(['ERR_PROTOCOL', 'ERR_HEADERS_TOO_LARGE', 'ERR_CONNECTION_CLOSED']);

export type Verdict =
  /** This exact code (from feed() when `phase` says so); no response completes. */
  | { kind: 'error'; code: string; phase?: 'feed' | 'finish' }
  /** The response delivered intact (matching `expected`), then this code for the extra bytes. */
  | { kind: 'complete-then-error'; code: string; expected: ExpectedResponse }
  /** A close-delimited body cut short at EOF: accepted with the bytes that came. */
  | { kind: 'short-close'; expected: ExpectedResponse }
  /** Garbage: any known code, or an accepted parse; same outcome however it is split. */
  | { kind: 'any' };

export interface InvalidCase {
  mutation: string;
  wire: Buffer;
  method: string;
  promise: Verdict;
}

const CONTROLS = [...Array.from({ length: 0x20 }, (_, i) => i).filter((c) => c !== 0x09 && c !== 0x0a && c !== 0x0d), 0x7f];

function splice(b: Buffer, at: number, del: number, ins: string | Uint8Array): Buffer {
  const i = typeof ins === 'string' ? Buffer.from(ins, 'latin1') : Buffer.from(ins);
  return Buffer.concat([b.subarray(0, at), i, b.subarray(at + del)]);
}

/** Positions p (insert before wire[p]) inside framing bytes. */
function framePositions(r: Rendered, pred: (p: number) => boolean = () => true): number[] {
  const out: number[] = [];
  for (const [s, e] of r.frame) for (let p = s; p < e; p++) if (pred(p)) out.push(p);
  return out;
}

type Mutator = (r: Rendered, pick: (n: number) => number, bytes: Uint8Array) => InvalidCase | null;

/** A definite refusal, found as soon as the offending line or byte arrives (feed(), not EOF). */
function err(mutation: string, r: Rendered, wire: Buffer, phase: 'feed' | 'finish' | null = 'feed'): InvalidCase {
  return { mutation, wire, method: r.method, promise: { kind: 'error', code: 'ERR_PROTOCOL', ...(phase === null ? {} : { phase }) } };
}

const MUTATORS: Record<string, Mutator> = {
  'bare CR in framing bytes': (r, pick) => {
    const ps = framePositions(r, (p) => r.wire[p] !== 0x0a);
    if (ps.length === 0) return null;
    return err('bare CR in framing bytes', r, splice(r.wire, ps[pick(ps.length)]!, 0, '\r'));
  },
  'control byte in framing bytes': (r, pick) => {
    const ps = framePositions(r);
    if (ps.length === 0) return null;
    const c = CONTROLS[pick(CONTROLS.length)]!;
    return err('control byte in framing bytes', r, splice(r.wire, ps[pick(ps.length)]!, 0, String.fromCharCode(c)));
  },
  'CR replacing an LF terminator': (r, pick) => {
    // "a: b\rc: d" — a bare CR is never a line end (response splitting).
    // (Not one followed by another LF: the CR would pair with that one into a CRLF.)
    const ps = framePositions(r, (p) => r.wire[p] === 0x0a && p > 0 && r.wire[p - 1] !== 0x0d && r.wire[p + 1] !== 0x0a);
    if (ps.length === 0) return null;
    // The last terminator becomes a line that never ends: found only at EOF then.
    return err('CR replacing an LF terminator', r, splice(r.wire, ps[pick(ps.length)]!, 1, '\r'), null);
  },
  'obs-fold line': (r, pick) => {
    const heads = r.fields;
    // After any field line, or right after a status line.
    const spots = [...heads.map((f) => f.eolEnd), ...r.statusLines.map((s) => s.end + (r.wire[s.end] === 0x0d ? 2 : 1))];
    const at = spots[pick(spots.length)]!;
    const ws = pick(2) === 0 ? ' ' : '\t';
    return err('obs-fold line', r, splice(r.wire, at, 0, `${ws}folded: value\r\n`));
  },
  'whitespace before the colon': (r, pick) => {
    if (r.fields.length === 0) return null;
    const f = r.fields[pick(r.fields.length)]!;
    return err('whitespace before the colon', r, splice(r.wire, f.colon, 0, pick(2) === 0 ? ' ' : '\t'));
  },
  'invalid Content-Length': (r, pick) => {
    if (r.clValues.length === 0) return null;
    const [s, e] = r.clValues[pick(r.clValues.length)]!;
    const n = r.declaredCl;
    const bad = ['', ' ', '+5', '-1', '0x10', '1 2', '5a', 'abc', '1234567890123456', `${n}, ${n + 1}`, `${n},`, `,${n}`, `${n};`, '١', `${n}\x0b`];
    return err('invalid Content-Length', r, splice(r.wire, s, e - s, ' ' + bad[pick(bad.length)]!));
  },
  'second, different Content-Length': (r, pick) => {
    if (r.clValues.length === 0) return null;
    const n = r.declaredCl;
    return err('second, different Content-Length', r, splice(r.wire, r.headEnd - (r.wire[r.headEnd - 2] === 0x0d ? 2 : 1), 0, `Content-Length: ${n + 1 + pick(5)}\r\n`));
  },
  'Content-Length with Transfer-Encoding': (r, pick) => {
    const at = r.statusLines[r.statusLines.length - 1]!;
    const lineEnd = at.end + (r.wire[at.end] === 0x0d ? 2 : 1);
    const hasTe = r.fields.some((f) => f.section === 'head' && f.name.toLowerCase() === 'transfer-encoding');
    const add = r.clValues.length > 0 ? 'Transfer-Encoding: chunked\r\n' : hasTe ? `Content-Length: ${pick(10)}\r\n` : `Transfer-Encoding: chunked\r\nContent-Length: ${pick(10)}\r\n`;
    return err('Content-Length with Transfer-Encoding', r, splice(r.wire, lineEnd, 0, add));
  },
  'bad HTTP version': (r, pick) => {
    const s = r.statusLines[pick(r.statusLines.length)]!;
    const bad = ['HTTP/1.2', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/3.0', 'http/1.1', 'HTTP/1.10', 'HTTP/11', 'HTTP 1.1', 'HTTP/1.1 ', 'HTTP/1,1', 'HTTPS/1.1', 'ICY', ' HTTP/1.1'];
    return err('bad HTTP version', r, splice(r.wire, s.start, 8, bad[pick(bad.length)]!));
  },
  'bad status code': (r, pick) => {
    const s = r.statusLines[pick(r.statusLines.length)]!;
    const bad = ['000', '099', '20', '2000', '20a', ' 200', '-20', '2 0', '0x1', '', '٢٠٠'];
    return err('bad status code', r, splice(r.wire, s.start + 9, 3, bad[pick(bad.length)]!));
  },
  'bad chunk size': (r, pick) => {
    if (r.sizeLines.length === 0) return null;
    const l = r.sizeLines[pick(r.sizeLines.length)]!;
    const bad = ['', 'g', '-1', '0x5', ' 5', '+5', 'ffffffffffffffff', '1000000000000000', '5 5', 'z;a=b', '\t0', ';ext'];
    return err('bad chunk size', r, splice(r.wire, l.start, l.digitsEnd - l.start, bad[pick(bad.length)]!));
  },
  'truncated': (r, pick) => {
    const len = r.wire.length;
    if (len < 2) return null;
    const at = 1 + pick(len - 1); // keep [0, at), at in [1, len-1]
    const wire = r.wire.subarray(0, at);
    if (r.expected.closeDelimited && at >= r.headEnd) {
      return { mutation: 'truncated', wire, method: r.method, promise: { kind: 'short-close', expected: { ...r.expected, body: r.expected.body.subarray(0, at - r.headEnd) } } };
    }
    return err('truncated', r, wire, 'finish');
  },
  'bytes after the response': (r, pick, bytes) => {
    if (r.expected.closeDelimited) return null;
    const extra = bytes.length > 0 ? bytes : new Uint8Array([0x48 + pick(8)]);
    return { mutation: 'bytes after the response', wire: Buffer.concat([r.wire, extra]), method: r.method, promise: { kind: 'complete-then-error', code: 'ERR_PROTOCOL', expected: r.expected } };
  },
  'garbage spliced in': (r, pick, bytes) => {
    const at = pick(r.wire.length + 1);
    const del = pick(Math.min(16, r.wire.length - at) + 1);
    return { mutation: 'garbage spliced in', wire: splice(r.wire, at, del, bytes), method: r.method, promise: { kind: 'any' } };
  },
  'byte flipped': (r, pick) => {
    if (r.wire.length === 0) return null;
    const wire = Buffer.from(r.wire);
    const at = pick(wire.length);
    wire[at] = wire[at]! ^ (1 << pick(8));
    return { mutation: 'byte flipped', wire, method: r.method, promise: { kind: 'any' } };
  },
  'LF inserted': (r, pick) => {
    const at = pick(r.wire.length + 1);
    return { mutation: 'LF inserted', wire: splice(r.wire, at, 0, pick(2) === 0 ? '\n' : '\r\n'), method: r.method, promise: { kind: 'any' } };
  },
};

export const MUTATION_NAMES = Object.keys(MUTATORS);

/** Mutations that need a given framing get responses that have it. */
const MODES_FOR: Record<string, readonly Mode[] | undefined> = {
  'invalid Content-Length': ['length', 'head', '204', '304'],
  'second, different Content-Length': ['length', 'head', '204', '304'],
  'bad chunk size': ['chunked'],
};

const garbageBytes = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 24 }),
  fc.constantFrom('\r', '\n', '\x00', ':', ' ', 'HTTP/1.1 200 OK\r\n', '\r\n\r\n', '0\r\n', 'ffffffff\r\n', 'Transfer-Encoding: chunked\r\n').map((s) => new Uint8Array(Buffer.from(s, 'latin1'))),
);

/** A single (possibly 1xx-preceded) response, mutated by one of MUTATORS. */
export function invalidCase(o: GenOptions = { ...FULL, maxResponses: 1, maxBody: 300 }): fc.Arbitrary<InvalidCase> {
  return fc
    .constantFrom(...MUTATION_NAMES)
    .chain((which) => fc.record({
      spec: responseSpecArb({ ...o, modes: MODES_FOR[which] }, true),
      which: fc.constant(which),
      seeds: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
      bytes: garbageBytes,
    }))
    .map(({ spec, which, seeds, bytes }) => {
      const r = render(spec, o);
      let k = 0;
      const pick = (n: number) => (n <= 0 ? 0 : seeds[k++ % seeds.length]! % n);
      return MUTATORS[which]!(r, pick, bytes);
    })
    .filter((c): c is InvalidCase => c !== null)
    .map((c) => withToString(c, () => `InvalidCase(${c.mutation}, method=${c.method}, wire=${latin1Json(c.wire)})`));
}

/** Random bytes, or random lines around a plausible status line. */
export function garbageStream(): fc.Arbitrary<InvalidCase> {
  const line = fc.oneof(
    fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 30 }),
    fc.constantFrom('Content-Length: 3', 'Transfer-Encoding: chunked', '3', '0', 'abc', '', ' x', 'X: y', 'HTTP/1.1 100 Continue', 'HTTP/1.1 200 OK'),
  );
  return fc
    .oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc
        .tuple(fc.constantFrom('HTTP/1.1 200 OK', 'HTTP/1.0 200 OK', 'HTTP/1.1 204 No', 'HTTP/1.1 100 Continue'), fc.array(fc.tuple(line, fc.constantFrom('\r\n', '\n', '\r')), { maxLength: 12 }))
        .map(([s, ls]) => Buffer.from(s + '\r\n' + ls.map(([l, e]) => l + e).join(''), 'latin1')),
    )
    .chain((wire) => fc.constantFrom('GET', 'HEAD').map((method): InvalidCase => ({ mutation: 'garbage stream', wire, method, promise: { kind: 'any' } })))
    .map((c) => withToString(c, () => `InvalidCase(${c.mutation}, method=${c.method}, wire=${latin1Json(c.wire)})`));
}

// ------------------------------------------------------------------ driver

export interface ParsedResponse {
  infos: ResponseHead[];
  head: ResponseHead | null;
  body: Buffer;
  trailers: string[] | null; // null until onComplete
  /** Order violations seen by the handler (body before head, events after complete, …). */
  anomalies: string[];
}

export interface Outcome {
  responses: ParsedResponse[];
  error: { code: string; name: string; message: string; phase: 'feed' | 'finish' } | null;
  /** A thrown value that is not an HttpoolError (always a bug). */
  foreign: unknown;
  /** After an error, later feed()/finish() threw the very same error. */
  sticky: boolean;
}

export interface FeedPlan {
  /** Extra cut positions (the response starts are always cuts). */
  cuts?: readonly number[];
  /** Feed through one reused Buffer of this size, overwritten after every feed(). */
  reuse?: number;
  /** When reusing, feed the whole shared Buffer object (not a fresh view) whenever a piece fills it. */
  reuseSameObject?: boolean;
  maxHeaderBytes?: number;
  /** Call finish() after the last byte (EOF). Default true. */
  finish?: boolean;
}

/**
 * Feeds `wire` to one ResponseParser, calling expect(methods[i]) where response i starts (when
 * the parser is idle there, as a connection writes its next request only then), and finish()
 * at the end. Body pieces are copied in onBody, as the connection does with shared-buffer reads.
 */
export function runParser(wire: Buffer, methods: readonly string[], starts: readonly number[], plan: FeedPlan = {}): Outcome {
  const responses: ParsedResponse[] = [];
  let cur: ParsedResponse | null = null;
  const handler: ParserHandler = {
    onInformational(head) {
      if (cur === null) throw new Error('fuzz: event with no response expected');
      if (cur.head !== null) cur.anomalies.push('informational after final head');
      cur.infos.push(head);
    },
    onHead(head) {
      if (cur === null) throw new Error('fuzz: event with no response expected');
      if (cur.head !== null) cur.anomalies.push('second final head');
      cur.head = head;
    },
    onBody(chunk) {
      if (cur === null) throw new Error('fuzz: event with no response expected');
      if (cur.head === null) cur.anomalies.push('body before head');
      if (cur.trailers !== null) cur.anomalies.push('body after complete');
      cur.body = Buffer.concat([cur.body, chunk]); // copy: the chunk may be a view of reused memory
    },
    onComplete(trailers) {
      if (cur === null) throw new Error('fuzz: event with no response expected');
      if (cur.head === null) cur.anomalies.push('complete before head');
      if (cur.trailers !== null) cur.anomalies.push('complete twice');
      cur.trailers = [...trailers];
    },
  };
  const p = new ResponseParser(handler, { maxHeaderBytes: plan.maxHeaderBytes ?? 16 * 1024 });
  const len = wire.length;
  const cutSet = new Set<number>();
  for (const c of plan.cuts ?? []) if (c > 0 && c < len) cutSet.add(c);
  for (const s of starts) if (s > 0 && s < len) cutSet.add(s);
  if (plan.reuse !== undefined) {
    // A piece never exceeds the shared buffer: split further.
    const sorted = [...cutSet].sort((a, b) => a - b);
    let prev = 0;
    for (const c of [...sorted, len]) {
      for (let x = prev + plan.reuse; x < c; x += plan.reuse) cutSet.add(x);
      prev = c;
    }
  }
  const cuts = [...cutSet].sort((a, b) => a - b);
  const shared = plan.reuse !== undefined ? Buffer.alloc(plan.reuse) : null;
  const startSet = new Map<number, number>(starts.map((s, i) => [s, i]));

  let error: Outcome['error'] = null;
  let thrown: unknown = null;
  let foreign: unknown = undefined;
  const onThrow = (e: unknown, phase: 'feed' | 'finish'): void => {
    thrown = e;
    if (e instanceof HttpoolError) error = { code: e.code, name: e.name, message: e.message, phase };
    else foreign = e;
  };

  let prev = 0;
  const bounds = [...cuts, len];
  for (let bi = 0; bi < bounds.length && thrown === null; bi++) {
    const a = prev;
    const b = bounds[bi]!;
    prev = b;
    if (a === b) continue;
    const k = startSet.get(a);
    if (k !== undefined && p.idle) {
      try {
        p.expect(methods[k]!);
      } catch (e) {
        onThrow(e, 'feed');
        break;
      }
      cur = { infos: [], head: null, body: Buffer.alloc(0), trailers: null, anomalies: [] };
      responses.push(cur);
    }
    let piece: Buffer;
    if (shared !== null) {
      wire.copy(shared, 0, a, b);
      piece = plan.reuseSameObject === true && b - a === shared.length ? shared : shared.subarray(0, b - a);
    } else {
      piece = wire.subarray(a, b);
    }
    try {
      p.feed(piece);
    } catch (e) {
      onThrow(e, 'feed');
    }
    if (shared !== null) {
      // The socket's next read lands here: nothing the parser kept may point into it.
      for (let i = 0; i < b - a; i++) shared[i] = shared[i]! ^ 0xa5;
    }
  }
  if (thrown === null && plan.finish !== false) {
    try {
      p.finish();
    } catch (e) {
      onThrow(e, 'finish');
    }
  }
  let sticky = true;
  if (thrown !== null) {
    try {
      p.feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'));
      sticky = false;
    } catch (e) {
      sticky &&= e === thrown;
    }
    try {
      p.finish();
      sticky = false;
    } catch (e) {
      sticky &&= e === thrown;
    }
  }
  return { responses, error, foreign, sticky };
}

/** Parses a whole stream with the given plan. */
export function parseStream(s: Stream, plan: FeedPlan = {}): Outcome {
  return runParser(s.wire, s.methods, s.starts, plan);
}

/** A comparable summary of an outcome (for whole-vs-split equality). */
export function summary(o: Outcome): unknown {
  return {
    responses: o.responses.map((r) => ({ ...r, body: r.body.toString('latin1') })),
    error: o.error === null ? null : { code: o.error.code, phase: o.error.phase },
    foreign: o.foreign === undefined ? undefined : String(o.foreign),
  };
}

/** Expected outcome of a valid stream. */
export function expectedSummary(s: Stream): unknown {
  return {
    responses: s.parts.map((p) => ({
      infos: p.expected.infos,
      head: p.expected.head,
      body: p.expected.body.toString('latin1'),
      trailers: p.expected.trailers,
      anomalies: [],
    })),
    error: null,
    foreign: undefined,
  };
}
