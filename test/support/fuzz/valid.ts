// fast-check arbitraries for valid HTTP/1.1 responses, for the parser fuzzers
// (test/fuzz-*.test.ts): the byte classes, what a generator may produce (GenOptions, FULL),
// and the response specs (1xx heads before a final one, Content-Length / chunked /
// close-delimited / bodiless framing, HEAD requests) that render.ts turns into wire bytes.

import fc from 'fast-check';

// ------------------------------------------------------------------ byte classes

const TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".split('');
/** Names whose presence changes framing or connection handling in a head. */
const HEAD_SPECIAL = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);
/**
 * Names a trailer section may not carry (RFC 9110 §6.5.1); the documented policy drops them.
 * The same list the parser classifies (src/h1/syntax.ts classifyAt).
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
  'content-encoding',
]);

export type Eol = '\r\n' | '\n';

/** What a generator may produce; the differential test turns off what llhttp refuses. */
export interface GenOptions {
  /** Bare-LF line endings in heads (accepted by policy, RFC 9112 §2.2; never in chunked framing). */
  lf: boolean;
  /** Content-Length with leading zeros (`005`). */
  clZeros: boolean;
  /** Repeated identical Content-Length lines and `N, N` lists (RFC 9112 §6.3 item 5). */
  clRepeat: boolean;
  /** Empty lines (CRLF, or LF when `lf`) before status lines, at most 4 (MAX_LEADING_EMPTY_LINES). */
  leadingLines: boolean;
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
  leadingLines: true,
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

export interface HeadSpec {
  /** Empty lines before the status line (skipped, not part of the head). */
  lead: Eol[];
  minor: 0 | 1;
  status: number;
  reason: string | null; // null: `HTTP/1.1 200` with no SP
  statusEol: Eol;
  fields: FieldSpec[];
  blankEol: Eol;
}

/**
 * How a chunk-size line is spelt. Its line and the one after the data always end in CRLF and
 * hold no whitespace (RFC 9112 §7.1, refused otherwise as llhttp does): those shapes are
 * invalid mutations (invalid.ts).
 */
export interface ChunkRepr {
  zeros: number;
  caseMask: number;
  ext: string;
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
export const CONNECTION: readonly [string, boolean, boolean][] = [
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
export const KEEP_ALIVE: readonly [string, number][] = [
  ['timeout=5', 5000],
  ['timeout=5, max=100', 5000],
  ['max=100, timeout=30', 30000],
  ['max=100', -1],
  ['Timeout = 7', 7000],
  ['timeout=0', 0],
  ['timeout=abc', -1],
];
export const NON_CHUNKED_TE = ['gzip', 'deflate', 'gzip, identity', 'x-custom'];

export function clForms(n: number, o: GenOptions): string[][] {
  const s = String(n);
  const forms = [[s]];
  if (o.clZeros) forms.push(['00' + s]);
  if (o.clRepeat) forms.push([s, s], [`${s}, ${s}`], [`${s},${s}`]);
  return forms;
}
export function chunkedForms(variants: boolean): string[][] {
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
  // Trailer lines are chunked framing: CRLF only (RFC 9112 §7.1; a lone LF is a mutation).
  const eol = forTrailer ? fc.constant<Eol>('\r\n') : eolArb(o);
  return fc.record({ name: fieldName(o, forTrailer), pre: w, value: valueCore(o), post: w, eol });
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

function leadArb(o: GenOptions): fc.Arbitrary<Eol[]> {
  if (!o.leadingLines) return fc.constant<Eol[]>([]);
  return fc.oneof({ weight: 6, arbitrary: fc.constant<Eol[]>([]) }, { weight: 1, arbitrary: fc.array(eolArb(o), { minLength: 1, maxLength: 4 }) });
}

function headArb(o: GenOptions, status: fc.Arbitrary<number>, allow10 = true): fc.Arbitrary<HeadSpec> {
  return fc.record({
    lead: leadArb(o),
    minor: allow10 ? fc.constantFrom<0 | 1>(1, 1, 1, 0) : fc.constant<0 | 1>(1),
    status,
    reason: reasonArb(o),
    statusEol: eolArb(o),
    fields: fc.array(fieldArb(o), { maxLength: o.maxFields }),
    blankEol: eolArb(o),
  });
}

/** chunk-ext = *( ";" chunk-ext-name [ "=" chunk-ext-val ] ), without the BWS llhttp refuses. */
function extArb(o: GenOptions): fc.Arbitrary<string> {
  const qd = fc.oneof(
    { weight: 8, arbitrary: visibleChar(o).filter((c) => c !== '"' && c !== '\\') },
    { weight: 1, arbitrary: fc.constantFrom(...(o.htab ? [' ', '\t'] : [' '])) },
    { weight: 1, arbitrary: visibleChar(o).map((c) => '\\' + c) },
  );
  const quoted = fc.string({ unit: qd, maxLength: 12 }).map((s) => `"${s}"`);
  const item = fc
    .record({ name: token(1, 8), val: fc.option(fc.oneof(token(1, 8), quoted), { nil: null }) })
    .map(({ name, val }) => `;${name}${val === null ? '' : `=${val}`}`);
  return fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.array(item, { minLength: 1, maxLength: 3 }).map((a) => a.join('')) });
}

function chunkReprArb(o: GenOptions): fc.Arbitrary<ChunkRepr> {
  return fc.record({
    zeros: fc.constantFrom(0, 0, 0, 1, 2),
    caseMask: fc.nat(0xffff),
    ext: extArb(o),
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
      trailerEnd: fc.constant<Eol>('\r\n'), // chunked framing: CRLF only
    })
    .map((r): ResponseSpec => {
      const method = r.mode === 'head' ? 'HEAD' : 'GET';
      const head = { ...r.head };
      if (r.mode === '204' || r.mode === '304' || r.mode === '101') head.status = Number(r.mode);
      return { ...r, method, head };
    });
}
