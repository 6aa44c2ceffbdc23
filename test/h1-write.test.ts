// Tests for request serialization (src/h1/write.ts): exact bytes, and every refusal.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeChunk, LAST_CHUNK, validateHeaderName, validateHeaderValue, writeRequestHead } from '../src/h1/write.js';
import { InvalidRequestError } from '../src/errors.js';
import type { BodyFraming } from '../src/h1/types.js';

const NONE: BodyFraming = { kind: 'none' };

function refused(fn: () => unknown, code: string, re: RegExp = /./): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvalidRequestError, `expected InvalidRequestError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, re);
    return true;
  });
}

test('GET without a body: exact bytes', () => {
  const buf = writeRequestHead('GET', '/path?q=1', 'example.com', ['Accept', '*/*', 'X-Custom', 'a b'], NONE);
  assert.equal(buf.toString('latin1'), 'GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Custom: a b\r\n\r\n');
});

test('GET with no headers', () => {
  assert.equal(writeRequestHead('GET', '/', 'h:8080', [], NONE).toString('latin1'), 'GET / HTTP/1.1\r\nHost: h:8080\r\n\r\n');
});

test('POST with a length: exact bytes, header order and spelling kept', () => {
  const buf = writeRequestHead('POST', '/submit', 'api.example.com', ['content-type', 'application/json', 'X-Dup', '1', 'x-dup', '2'], {
    kind: 'length',
    length: 13,
  });
  assert.equal(
    buf.toString('latin1'),
    'POST /submit HTTP/1.1\r\nHost: api.example.com\r\ncontent-type: application/json\r\nX-Dup: 1\r\nx-dup: 2\r\nContent-Length: 13\r\n\r\n',
  );
  assert.equal(
    writeRequestHead('PUT', '/', 'h', [], { kind: 'length', length: 0 }).toString('latin1'),
    'PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n',
  );
});

test('chunked: exact bytes', () => {
  const buf = writeRequestHead('PUT', '/up', 'h', ['X-A', '1'], { kind: 'chunked' });
  assert.equal(buf.toString('latin1'), 'PUT /up HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n');
});

test('a Host entry in the list is skipped, whatever its case', () => {
  const buf = writeRequestHead('GET', '/', 'real.example', ['host', 'other', 'X-A', '1', 'HOST', 'x'], NONE);
  assert.equal(buf.toString('latin1'), 'GET / HTTP/1.1\r\nHost: real.example\r\nX-A: 1\r\n\r\n');
});

test('latin1 values go out as single bytes; tabs are kept', () => {
  const buf = writeRequestHead('GET', '/', 'h', ['X-A', 'caf\xe9\tok'], NONE);
  assert.deepEqual([...buf.subarray(buf.indexOf('caf') + 3, buf.indexOf('caf') + 7)], [0xe9, 0x09, 0x6f, 0x6b]);
});

test('extension methods that are tokens are fine', () => {
  assert.match(writeRequestHead('PROPFIND', '*', 'h', [], NONE).toString(), /^PROPFIND \* HTTP\/1\.1\r\n/);
  assert.match(writeRequestHead('M-SEARCH', '/', 'h', [], NONE).toString(), /^M-SEARCH \//);
});

test('refused methods', () => {
  for (const m of ['', 'GE T', 'GET\r\n', 'GET\n', 'G\x00T', 'G(T', 'GÉT', 'G\u2028T']) {
    refused(() => writeRequestHead(m, '/', 'h', [], NONE), 'ERR_INVALID_METHOD', /method/);
  }
});

test('refused targets', () => {
  for (const t of ['', '/a b', '/a\r\nX: y', '/a\n', '/a\r', '/\x00', '/\x7f', '/\x01', '/é', '/\u4e2d', '/\t']) {
    refused(() => writeRequestHead('GET', t, 'h', [], NONE), 'ERR_INVALID_URL', /request target/);
  }
});

test('refused hosts', () => {
  for (const h of ['', 'a b', 'h\r\nX: y', 'h\n', 'h\x00', 'h\t', 'h\x7f', 'hé']) {
    refused(() => writeRequestHead('GET', '/', h, [], NONE), 'ERR_INVALID_URL', /Host/);
  }
});

test('refused header names', () => {
  for (const n of ['', 'X A', 'X:A', 'X\r\nY', 'X\x00', 'X\t', 'Xé', 'X\u4e2d', '(X)', 'X@', 'X"']) {
    refused(() => writeRequestHead('GET', '/', 'h', [n, 'v'], NONE), 'ERR_INVALID_HEADER', /header name/);
    refused(() => validateHeaderName(n), 'ERR_INVALID_HEADER');
  }
});

test('refused header values', () => {
  const cases: [string, RegExp][] = [
    ['a\r\nX-Injected: 1', /CR/],
    ['a\nb', /LF/],
    ['a\rb', /CR/],
    ['a\x00b', /NUL/],
    ['a\x01b', /control character 0x01/],
    ['a\x1bb', /control character 0x1b/],
    ['a\x7fb', /control character 0x7f/],
    ['caf\u0119', /U\+0119/],
    ['\u{1f600}', /latin1/],
  ];
  for (const [v, re] of cases) {
    refused(() => writeRequestHead('GET', '/', 'h', ['X-A', v], NONE), 'ERR_INVALID_HEADER', re);
    refused(() => validateHeaderValue('X-A', v), 'ERR_INVALID_HEADER', re);
  }
});

test('Content-Length and Transfer-Encoding from the caller are refused', () => {
  for (const n of ['Content-Length', 'content-length', 'CONTENT-LENGTH', 'Transfer-Encoding', 'transfer-encoding', 'TRANSFER-ENCODING']) {
    refused(() => writeRequestHead('POST', '/', 'h', [n, '5'], { kind: 'length', length: 5 }), 'ERR_INVALID_HEADER', /framing/);
    refused(() => writeRequestHead('GET', '/', 'h', ['X-A', '1', n, 'chunked'], NONE), 'ERR_INVALID_HEADER', /framing/);
  }
});

test('a name without a value is refused', () => {
  refused(() => writeRequestHead('GET', '/', 'h', ['X-A', '1', 'X-B'], NONE), 'ERR_INVALID_HEADER', /without a value/);
});

test('invalid body lengths are refused', () => {
  for (const length of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    refused(() => writeRequestHead('POST', '/', 'h', [], { kind: 'length', length }), 'ERR_INVALID_BODY');
  }
});

test('validators accept what the writer sends', () => {
  validateHeaderName("!#$%&'*+-.^_`|~09AZaz");
  validateHeaderValue('X', '');
  validateHeaderValue('X', ' \t~\xff');
});

test('encodeChunk frames data without copying it', () => {
  const data = Buffer.from('hello world, this is 30 bytes.');
  const parts = encodeChunk(data);
  assert.equal(parts.length, 3);
  assert.equal(parts[0]!.toString(), '1e\r\n');
  assert.equal(parts[1], data);
  assert.equal(parts[2]!.toString(), '\r\n');
  assert.equal(Buffer.concat(parts).toString(), '1e\r\nhello world, this is 30 bytes.\r\n');
});

test('encodeChunk wraps a plain Uint8Array view without copying', () => {
  const backing = new Uint8Array(300).fill(0x61);
  const view = backing.subarray(10, 266); // 256 bytes
  const parts = encodeChunk(view);
  assert.equal(parts[0]!.toString(), '100\r\n');
  assert.equal(parts[1]!.buffer, backing.buffer);
  assert.equal(parts[1]!.byteOffset, 10);
  assert.equal(parts[1]!.length, 256);
});

test('encodeChunk of an empty chunk is nothing (it would read as the last chunk)', () => {
  assert.deepEqual(encodeChunk(new Uint8Array(0)), []);
  assert.deepEqual(encodeChunk(Buffer.alloc(0)), []);
});

test('LAST_CHUNK', () => {
  assert.equal(LAST_CHUNK.toString('latin1'), '0\r\n\r\n');
});
