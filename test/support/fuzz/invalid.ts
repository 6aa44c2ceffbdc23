// Invalid streams for the parser fuzzers: mutations of valid responses, each with the outcome
// the documented policy promises: a definite error code (bare CR, controls, obs-fold, CL+TE,
// bad CL / versions / status codes / chunk sizes, chunk-size lines llhttp refuses, bare LF in
// chunked framing, too many empty lines before a status line, truncation), or, for byte
// garbage, only "an HttpoolError with a known code or a consistent accepted parse".

import fc from 'fast-check';
import { FULL, responseSpecArb, type GenOptions, type Mode } from './valid.js';
import { render, type ExpectedResponse, type Rendered } from './render.js';
import { latin1Json, withToString } from './stream.js';

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

/** `asLlhttp`: draw only shapes llhttp refuses too (for the differential test). */
type Mutator = (r: Rendered, pick: (n: number) => number, bytes: Uint8Array, asLlhttp: boolean) => InvalidCase | null;

/** A definite refusal, found as soon as the offending line or byte arrives (feed(), not EOF). */
function err(mutation: string, r: Rendered, wire: Buffer, phase: 'feed' | 'finish' | null = 'feed'): InvalidCase {
  return { mutation, wire, method: r.method, promise: { kind: 'error', code: 'ERR_PROTOCOL', ...(phase === null ? {} : { phase }) } };
}

const LLHTTP_EMPTY_EXTENSIONS = [';', ';a;', ';a=b;'];

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
  // Chunk-size lines llhttp refuses in strict mode (RFC 9112 §7.1): every one a definite
  // ERR_PROTOCOL as soon as its line arrives, on any chunk-size line, the last one included.
  'whitespace after a chunk size': (r, pick) => {
    if (r.sizeLines.length === 0) return null;
    const l = r.sizeLines[pick(r.sizeLines.length)]!;
    const ws = [' ', '\t', '  ', ' \t', '\t\t'];
    return err('whitespace after a chunk size', r, splice(r.wire, l.digitsEnd, 0, ws[pick(ws.length)]!));
  },
  'empty chunk extension': (r, pick, _bytes, asLlhttp) => {
    if (r.sizeLines.length === 0) return null;
    const l = r.sizeLines[pick(r.sizeLines.length)]!;
    // An empty name or value between others llhttp accepts; the RFC grammar has neither.
    const bad = asLlhttp ? LLHTTP_EMPTY_EXTENSIONS : [...LLHTTP_EMPTY_EXTENSIONS, ';;a', ';=b', ';a=', ';a=;b'];
    return err('empty chunk extension', r, splice(r.wire, l.end, 0, bad[pick(bad.length)]!));
  },
  'unbalanced quote in a chunk extension': (r, pick) => {
    if (r.sizeLines.length === 0) return null;
    const l = r.sizeLines[pick(r.sizeLines.length)]!;
    const bad = [';a="b', ';a="', ';a="b\\"', ';a=b"', ';a="b"c', ';"a"', ';a="b\x01"', ';a="b\\\x01"'];
    return err('unbalanced quote in a chunk extension', r, splice(r.wire, l.end, 0, bad[pick(bad.length)]!));
  },
  'whitespace in a chunk extension': (r, pick) => {
    if (r.sizeLines.length === 0) return null;
    const l = r.sizeLines[pick(r.sizeLines.length)]!;
    const bad = [' ;a', '\t;a', '; a', ';a ', ';a =b', ';a= b', ';a=b ', ';a=b ;c', ';a=b c', ';a="b" ', ';\ta'];
    return err('whitespace in a chunk extension', r, splice(r.wire, l.end, 0, bad[pick(bad.length)]!));
  },
  'bare LF after chunk data': (r, pick) => {
    if (r.dataEnds.length === 0) return null;
    return err('bare LF after chunk data', r, splice(r.wire, r.dataEnds[pick(r.dataEnds.length)]!, 1, ''));
  },
  'bare LF ending a chunked framing line': (r, pick) => {
    // A chunk-size line, a trailer line, or the empty line ending the trailer section.
    const crs = [...r.sizeLines.map((l) => l.end), ...r.fields.filter((f) => f.section === 'trailer').map((f) => f.end)];
    if (r.trailerEnd >= 0) crs.push(r.trailerEnd);
    if (crs.length === 0) return null;
    return err('bare LF ending a chunked framing line', r, splice(r.wire, crs[pick(crs.length)]!, 1, ''));
  },
  'too many empty lines before a status line': (r, pick) => {
    // Five or more (whatever the head already had: these are added to them), CRLF or LF.
    const s = r.statusLines[pick(r.statusLines.length)]!;
    let lines = '';
    for (let n = 5 + pick(4); n > 0; n--) lines += pick(2) === 0 ? '\r\n' : '\n';
    return err('too many empty lines before a status line', r, splice(r.wire, s.start, 0, lines));
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

/** The chunk-line mutations of issue 16: llhttp refuses every shape they make with `asLlhttp`. */
export const CHUNK_LINE_MUTATIONS: readonly string[] = [
  'whitespace after a chunk size',
  'empty chunk extension',
  'unbalanced quote in a chunk extension',
  'whitespace in a chunk extension',
  'bare LF after chunk data',
  'bare LF ending a chunked framing line',
];

/** Mutations that need a given framing get responses that have it. */
const MODES_FOR: Record<string, readonly Mode[] | undefined> = {
  'invalid Content-Length': ['length', 'head', '204', '304'],
  'second, different Content-Length': ['length', 'head', '204', '304'],
  'bad chunk size': ['chunked'],
  'whitespace after a chunk size': ['chunked'],
  'empty chunk extension': ['chunked'],
  'unbalanced quote in a chunk extension': ['chunked'],
  'whitespace in a chunk extension': ['chunked'],
  'bare LF after chunk data': ['chunked'],
  'bare LF ending a chunked framing line': ['chunked'],
};

const garbageBytes = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 24 }),
  fc.constantFrom('\r', '\n', '\x00', ':', ' ', 'HTTP/1.1 200 OK\r\n', '\r\n\r\n', '0\r\n', 'ffffffff\r\n', 'Transfer-Encoding: chunked\r\n').map((s) => new Uint8Array(Buffer.from(s, 'latin1'))),
);

/**
 * A single (possibly 1xx-preceded) response, mutated by one of MUTATORS (or of `only`); with
 * `asLlhttp`, only into shapes llhttp refuses too.
 */
export function invalidCase(
  o: GenOptions = { ...FULL, maxResponses: 1, maxBody: 300 },
  only: readonly string[] = MUTATION_NAMES,
  asLlhttp = false,
): fc.Arbitrary<InvalidCase> {
  return fc
    .constantFrom(...only)
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
      return MUTATORS[which]!(r, pick, bytes, asLlhttp);
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
