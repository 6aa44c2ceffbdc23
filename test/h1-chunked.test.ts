// Tests for the chunked transfer-coding decoder (src/h1/chunked.ts) on its own: where it
// stops, what it hands on, what it refuses. The parser-level tests are in h1-parse.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkedDecoder, MAX_EXTENSION_BYTES } from '../src/h1/chunked.js';
import { ProtocolError } from '../src/errors.js';

interface Run {
  data: string;
  pieces: Buffer[];
  consumed: number;
  dec: ChunkedDecoder;
}

function decode(input: string | Buffer[], max = 8192): Run {
  const dec = new ChunkedDecoder(max);
  const pieces: Buffer[] = [];
  const sink = { onBody: (b: Buffer) => void pieces.push(b) };
  const chunks = typeof input === 'string' ? [Buffer.from(input, 'latin1')] : input;
  let consumed = 0;
  for (const c of chunks) consumed = dec.decode(c, 0, sink);
  return { data: Buffer.concat(pieces).toString('latin1'), pieces, consumed, dec };
}

function assertRefused(input: string, re: RegExp, code = 'ERR_PROTOCOL'): void {
  assert.throws(
    () => decode(input),
    (err: unknown) => err instanceof ProtocolError && err.code === code && re.test(err.message),
    `${JSON.stringify(input.slice(0, 40))} should fail with ${re}`,
  );
}

test('decodes chunks and stops right after the final CRLF', () => {
  const input = '3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\nNEXT';
  const r = decode(input);
  assert.equal(r.data, 'abc0123456789abcdef');
  assert.equal(r.dec.done, true);
  assert.equal(r.consumed, input.length - 'NEXT'.length);
  assert.deepEqual(r.dec.trailers, []);
});

test('decode honours the start offset', () => {
  const dec = new ChunkedDecoder(1024);
  const out: Buffer[] = [];
  const buf = Buffer.from('HEAD2\r\nhi\r\n0\r\n\r\n');
  const end = dec.decode(buf, 4, { onBody: (b) => void out.push(b) });
  assert.equal(Buffer.concat(out).toString(), 'hi');
  assert.equal(end, buf.length);
  assert.equal(dec.done, true);
});

test('hex sizes are case-insensitive; leading zeros within 15 digits are fine', () => {
  assert.equal(decode('a\r\n0123456789\r\nA\r\n0123456789\r\n00000000000001\r\nx\r\n0\r\n\r\n').data, '0123456789'.repeat(2) + 'x');
});

test('data is handed on as views of the input, not copies', () => {
  const buf = Buffer.from('5\r\nhello\r\n0\r\n\r\n');
  const r = decode([buf]);
  assert.equal(r.pieces.length, 1);
  assert.equal(r.pieces[0]!.buffer, buf.buffer);
  assert.equal(r.pieces[0]!.byteOffset, buf.byteOffset + 3);
});

test('not done until the trailer section ends', () => {
  const r = decode('1\r\na\r\n0\r\nX-T: 1\r\n');
  assert.equal(r.dec.done, false);
  assert.match(r.dec.truncation().message, /trailer/);
  const s = decode('5\r\nab');
  assert.match(s.dec.truncation().message, /3 bytes of chunk data missing/);
  const t = decode('5\r\nhello\r\n');
  assert.match(t.dec.truncation().message, /before the last chunk/);
});

test('trailers are parsed like headers; framing and connection fields are dropped', () => {
  const r = decode(
    '0\r\nX-Sum:  abc \r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nHost: h\r\n' +
      'Connection: close\r\nKeep-Alive: timeout=1\r\nTrailer: x\r\nTE: trailers\r\nUpgrade: h2c\r\nX-Last: z\r\n\r\n',
  );
  assert.equal(r.dec.done, true);
  assert.deepEqual(r.dec.trailers, ['X-Sum', 'abc', 'X-Last', 'z']);
});

test('a lone LF ends no chunked framing line: size lines, after data, trailers, the last line (RFC 9112 §7.1, as llhttp)', () => {
  // Heads still take a lone LF (RFC 9112 §2.2, h1-parse.test.ts); a chunked body does not.
  assertRefused('3\nabc\r\n0\r\n\r\n', /chunk-size line ends in a bare LF/);
  assertRefused('3;a=b\nabc\r\n0\r\n\r\n', /chunk-size line ends in a bare LF/);
  assertRefused('3\r\nabc\n0\r\n\r\n', /missing CRLF after chunk data: a bare LF/);
  assertRefused('3\r\nabc\r\n0\n\r\n', /last chunk ends in a bare LF/);
  assertRefused('3\r\nabc\r\n0\r\nX-T: t\n\r\n', /trailer line ends in a bare LF/);
  assertRefused('3\r\nabc\r\n0\r\n\n', /end of the trailer section ends in a bare LF/);
  assertRefused('3\r\nabc\r\n0\r\nX-T: t\r\n\n', /end of the trailer section ends in a bare LF/);
  // Found as soon as the LF arrives, however the input is split.
  const input = Buffer.from('3\r\nabc\n0\r\n\r\n', 'latin1');
  for (let i = 1; i < input.length; i++) {
    assert.throws(() => decode([input.subarray(0, i), input.subarray(i)]), /bare LF/, `split at ${i}`);
  }
});

test('extensions in the RFC 9112 §7.1.1 grammar, up to the cap, are accepted', () => {
  const ok = [
    ';a',
    ';a=b',
    ';a;b',
    ';a=b;c=d',
    ';a="b"',
    ';a=""',
    ';a="b;c"',
    ';a="b\\"c"',
    ';a="b\tc d"',
    ';a="\xe9"',
    ';a="b\\\xe9"',
    ';a="b";c',
    ";!#$%&'*+-.^_`|~09AZaz=!#$%&'*+-.^_`|~09AZaz",
  ];
  for (const ext of ok) {
    const r = decode(`3${ext}\r\nabc\r\n0${ext}\r\n\r\n`);
    assert.equal(r.data, 'abc', JSON.stringify(ext));
    assert.equal(r.dec.done, true, JSON.stringify(ext));
  }
  const ext = ';' + 'x'.repeat(MAX_EXTENSION_BYTES - 1);
  assert.equal(decode(`3${ext}\r\nabc\r\n0\r\n\r\n`).data, 'abc');
});

test('chunk-size lines llhttp refuses in strict mode are refused (RFC 9112 §7.1)', () => {
  // Whitespace after the size, with or without an extension: the grammar has none without
  // one, and the BWS it allows before `;` llhttp refuses (a sender MUST NOT generate it).
  assertRefused('25  \r\n', /whitespace after the chunk size/);
  assertRefused('3 \r\nabc\r\n', /whitespace after the chunk size/);
  assertRefused('3\t\r\nabc\r\n', /whitespace after the chunk size/);
  assertRefused('3\t;a\r\nabc\r\n', /whitespace after the chunk size/);
  assertRefused('3 ;a=b\r\nabc\r\n', /whitespace after the chunk size/);
  assertRefused('3\r\nabc\r\n0 \r\n\r\n', /whitespace after the chunk size/);
  // Empty extensions, names and values.
  assertRefused('2;\r\nab\r\n', /empty chunk extension name/);
  assertRefused('0;\r\n\r\n', /empty chunk extension name/);
  assertRefused('2;a=b;\r\nab\r\n', /empty chunk extension name/);
  assertRefused('2;a;;b\r\nab\r\n', /empty chunk extension name/); // llhttp accepts: stricter
  assertRefused('2;=b\r\nab\r\n', /empty chunk extension name/); // llhttp accepts: stricter
  assertRefused('2;a=\r\nab\r\n', /empty or invalid chunk extension value/); // llhttp accepts: stricter
  // Quoted strings: closed, qdtext and quoted-pairs only, nothing after the closing quote.
  assertRefused('2;a="b\r\nab\r\n0\r\n\r\n', /unterminated quoted string/);
  assertRefused('2;a="b\\"\r\nab\r\n', /unterminated quoted string/);
  assertRefused('2;a="b\x01"\r\nab\r\n', /invalid character in chunk extension quoted string/);
  assertRefused('2;a="b\x7f"\r\nab\r\n', /invalid character in chunk extension quoted string/);
  assertRefused('2;a="b\\\x01"\r\nab\r\n', /invalid quoted-pair/);
  assertRefused('2;a="b"c\r\nab\r\n', /invalid character in chunk extension/);
  assertRefused('2;a="b" \r\nab\r\n', /whitespace in chunk extension/);
  // Whitespace anywhere in an extension, and values that are not tokens.
  for (const ext of [';a ', '; a', ';a =b', ';a= b', ';a=b ', ';a=b ;c', ';a=b c', ';a\t', ';\ta']) {
    assertRefused(`2${ext}\r\nab\r\n`, /chunk extension/);
  }
  for (const ext of [';a=@', ';a==b', ';a=b=c', ';a@', ';"a"', ';a=\xe9']) {
    assertRefused(`2${ext}\r\nab\r\n`, /chunk extension/);
  }
});

test('refusals', () => {
  assertRefused('g\r\n', /invalid chunk size/);
  assertRefused(';ext\r\n', /invalid chunk size/);
  assertRefused(' 3\r\nabc\r\n', /invalid chunk size/);
  assertRefused('3x\r\nabc\r\n', /invalid chunk size/);
  assertRefused('3\r\r\nabc\r\n', /invalid chunk size/);
  assertRefused('1234567890abcdef\r\n', /overflow/);
  assertRefused('20000000000000\r\n', /overflow/); // 2^53, 14 digits
  assertRefused('3\r\nabcd', /missing CRLF after chunk data/);
  assertRefused('3\r\nabc\rd', /missing CRLF after chunk data/);
  assertRefused('3\r\nabc\n\r\n', /missing CRLF after chunk data: a bare LF/);
  assertRefused(`3;${'x'.repeat(MAX_EXTENSION_BYTES)}\r\nabc\r\n`, /extensions longer/);
  assertRefused(`3;${'x'.repeat(MAX_EXTENSION_BYTES * 4)}`, /extensions over/);
  assertRefused('3;a\x01\r\nabc\r\n', /chunk extension/);
  assertRefused('3;a\rb\r\nabc\r\n', /chunk extension/);
  assertRefused('0\r\n\tX: 1\r\n\r\n', /folding/);
  assertRefused('0\r\nX : 1\r\n\r\n', /whitespace between header name and colon/);
  assertRefused('0\r\nX: 1\x00\r\n\r\n', /0x00/);
  assertRefused('0\r\nX: 1\r\r\n\r\n', /0x0d/);
});

test('a trailer section over the limit is ERR_HEADERS_TOO_LARGE, even unterminated', () => {
  assert.throws(
    () => decode('0\r\n' + 'X-T: 1\r\n'.repeat(200), 1024),
    (err: unknown) => err instanceof ProtocolError && err.code === 'ERR_HEADERS_TOO_LARGE',
  );
  assert.throws(
    () => decode('0\r\nX-T: ' + 'a'.repeat(5000), 1024),
    (err: unknown) => err instanceof ProtocolError && err.code === 'ERR_HEADERS_TOO_LARGE',
  );
  assert.equal(decode('0\r\n' + 'X-T: 1\r\n'.repeat(100) + '\r\n', 1024).dec.done, true);
});

test('reset makes the decoder reusable', () => {
  const dec = new ChunkedDecoder(1024);
  const out: string[] = [];
  const sink = { onBody: (b: Buffer) => void out.push(b.toString()) };
  dec.decode(Buffer.from('1\r\na\r\n0\r\nX: 1\r\n\r\n'), 0, sink);
  assert.equal(dec.done, true);
  dec.reset();
  assert.equal(dec.done, false);
  assert.deepEqual(dec.trailers, []);
  dec.decode(Buffer.from('1\r\nb\r\n0\r\n\r\n'), 0, sink);
  assert.deepEqual(out, ['a', 'b']);
  assert.equal(dec.done, true);
});

test('every split and byte-at-a-time give the same data, trailers and end', () => {
  const input = Buffer.from('4;x=y\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n');
  const whole = decode([input]);
  assert.equal(whole.data, 'Wikipedia in\r\n\r\nchunks.');
  for (let i = 1; i < input.length; i++) {
    const r = decode([input.subarray(0, i), input.subarray(i)]);
    assert.equal(r.data, whole.data, `split at ${i}`);
    assert.deepEqual(r.dec.trailers, ['X-A', '1', 'X-B', '2']);
    assert.equal(r.consumed, input.length - i);
    assert.equal(r.dec.done, true);
  }
  const bytes: Buffer[] = [];
  for (let i = 0; i < input.length; i++) bytes.push(input.subarray(i, i + 1));
  const r = decode(bytes);
  assert.equal(r.data, whole.data);
  assert.deepEqual(r.dec.trailers, ['X-A', '1', 'X-B', '2']);
  assert.equal(r.dec.done, true);
});
