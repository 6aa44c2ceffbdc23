// The whole-head fast path (src/h1/fast-head.ts) and the heads it leaves unparsed until read
// (src/h1/head.ts): it takes only plainly well-formed heads, gives up on everything else
// without a trace, and a head it took is the head the line-by-line parse would have made.
// The fuzzers (fuzz-parser.test.ts) compare the two paths on generated streams: a stream fed
// whole goes the fast way, the same stream split goes line by line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastFields, FAST_HEAD_MAX } from '../src/h1/fast-head.js';
import { ResponseParser } from '../src/h1/parse.js';
import type { ResponseHead } from '../src/h1/types.js';
import { classifyAt, Field } from '../src/h1/syntax.js';
import { Headers } from '../src/headers.js';
import { plainHead } from './support/heads.js';

const STATUS = 'HTTP/1.1 200 OK\r\n';

function fields(text: string): { ok: boolean; offsets: number[]; kinds: Field[] } {
  const offsets: number[] = [];
  const ok = fastFields(text, STATUS.length, text.length, offsets);
  const kinds: Field[] = [];
  for (let i = 0; i < offsets.length; i += 4) kinds.push(classifyAt(text, offsets[i]!, offsets[i + 1]!));
  return { ok, offsets, kinds };
}

/** The final head of `wire`, fed whole or one byte at a time (which never takes the fast path). */
function headOf(wire: string, bytewise: boolean): ResponseHead {
  let head: ResponseHead | null = null;
  const p = new ResponseParser(
    { onInformational() {}, onHead: (h) => (head = h), onBody() {}, onComplete() {} },
    { maxHeaderBytes: 1 << 20 },
  );
  p.expect('GET');
  const buf = Buffer.from(wire, 'latin1');
  if (bytewise) for (let i = 0; i < buf.length; i++) p.feed(buf.subarray(i, i + 1));
  else p.feed(buf);
  assert.ok(head !== null, 'a head was delivered');
  return head;
}

test('fast path: plain fields give their offsets (OWS trimmed) and their classes', () => {
  const text = STATUS + 'Content-Length: 5\r\nX-A:\t spaced  \r\nConnection:keep-alive\r\nX-Empty:   \r\n\r\n';
  const r = fields(text);
  assert.equal(r.ok, true);
  const cut = [];
  for (let i = 0; i < r.offsets.length; i += 4) {
    cut.push(text.slice(r.offsets[i]!, r.offsets[i + 1]!), text.slice(r.offsets[i + 2]!, r.offsets[i + 3]!));
  }
  assert.deepEqual(cut, ['Content-Length', '5', 'X-A', 'spaced', 'Connection', 'keep-alive', 'X-Empty', '']);
  assert.deepEqual(r.kinds, [Field.ContentLength, Field.Other, Field.Connection, Field.Other]);
});

test('fast path: anything not plainly well-formed is left to the line-by-line parse, with nothing appended', () => {
  const cases: Record<string, string> = {
    'bare LF line end': 'A: b\n\r\n',
    'obs-fold': 'A: b\r\n c\r\n\r\n',
    'space before the colon': 'A : b\r\n\r\n',
    'no colon': 'Ab\r\n\r\n',
    'empty name': ': b\r\n\r\n',
    'NUL in a value': 'A: b\0c\r\n\r\n',
    'bare CR in a value': 'A: b\rc\r\n\r\n',
    'DEL in a value': 'A: b\x7fc\r\n\r\n',
    'non-token byte in a name': 'A\xe9: b\r\n\r\n',
    'blank line before the end': '\r\nA: b\r\n\r\n',
    'no blank line at the end': 'A: b\r\n',
  };
  for (const [what, lines] of Object.entries(cases)) {
    const r = fields(STATUS + lines);
    assert.equal(r.ok, false, what);
    assert.deepEqual([r.offsets.length, r.kinds.length], [0, 0], `${what}: nothing appended`);
  }
  const big = STATUS + `X-Big: ${'v'.repeat(FAST_HEAD_MAX)}\r\n\r\n`;
  assert.equal(fields(big).ok, false, 'a head above FAST_HEAD_MAX goes line by line');
});

test('a head taken whole equals the same head parsed a byte at a time (fields, framing, Content-Encoding)', () => {
  const heads = [
    'Server: nginx\r\nDate: Tue, 01 Dec 2026 21:00:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n',
    'Content-Encoding: gzip\r\nContent-Length: 2\r\nX-Obs: caf\xe9\ttab \r\n',
    'content-encoding: gzip\r\nCONTENT-ENCODING: br\r\nContent-Length: 2\r\n',
    'Transfer-Encoding: chunked\r\nTrailer: X-T\r\nConnection: close\r\n',
  ];
  for (const lines of heads) {
    const body = lines.includes('chunked') ? '2\r\nok\r\n0\r\n\r\n' : 'ok';
    const wire = STATUS + lines + '\r\n' + body;
    assert.deepEqual(plainHead(headOf(wire, false)), plainHead(headOf(wire, true)), JSON.stringify(lines));
  }
  assert.equal(headOf(STATUS + 'Content-Encoding: gzip\r\nContent-Length: 2\r\n\r\nok', false).contentEncoding, 'gzip');
  assert.equal(headOf(STATUS + 'Content-Encoding: gzip\r\nContent-Encoding: br\r\nContent-Length: 2\r\n\r\nok', false).contentEncoding, 'gzip, br', 'several lines: one list, as RFC 9110 §5.3 joins them');
});

test('response headers are cut from the head only when first read', () => {
  let reads = 0;
  const head = {
    get rawHeaders(): string[] {
      reads++;
      return ['Content-Type', 'text/plain', 'X-A', '1'];
    },
  };
  const h = Headers.fromHead(head);
  assert.equal(reads, 0, 'not read at construction');
  assert.equal(h.get('content-type'), 'text/plain');
  assert.equal(h.get('x-a'), '1');
  assert.deepEqual([...h], [['Content-Type', 'text/plain'], ['X-A', '1']]);
  assert.equal(reads, 1, 'read once, then kept');
  const whole = headOf(STATUS + 'X-A: 1\r\nContent-Length: 0\r\n\r\n', false);
  assert.strictEqual(whole.rawHeaders, whole.rawHeaders, 'cut once, then the same list');
});
