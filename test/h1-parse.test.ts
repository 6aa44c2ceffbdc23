// Tests for the HTTP/1.1 response parser (src/h1/parse.ts): framing, refusals, connection
// flags, EOF handling, and that any split of the input yields the same events.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIdleTimeoutResponse, ResponseParser, MAX_INFORMATIONAL, MAX_LEADING_EMPTY_LINES } from '../src/h1/parse.js';
import type { ParserHandler, ResponseHead } from '../src/h1/types.js';
import { ConnectionError, HttpoolError, ProtocolError } from '../src/errors.js';
import { plainHead } from './support/heads.js';

type Event =
  | { type: 'info'; head: ResponseHead }
  | { type: 'head'; head: ResponseHead }
  | { type: 'body'; data: string }
  | { type: 'complete'; trailers: string[] };

interface Recorder extends ParserHandler {
  events: Event[];
  chunks: Buffer[];
}

function recorder(): Recorder {
  const events: Event[] = [];
  const chunks: Buffer[] = [];
  return {
    events,
    chunks,
    onInformational: (head) => void events.push({ type: 'info', head: plainHead(head) }),
    onHead: (head) => void events.push({ type: 'head', head: plainHead(head) }),
    onBody: (chunk) => {
      chunks.push(chunk);
      events.push({ type: 'body', data: chunk.toString('latin1') });
    },
    onComplete: (trailers) => void events.push({ type: 'complete', trailers }),
  };
}

/** Consecutive body events merged, so different splits compare equal. */
function normalize(events: Event[]): Event[] {
  const out: Event[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (e.type === 'body' && last !== undefined && last.type === 'body') last.data += e.data;
    else out.push(e.type === 'body' ? { ...e } : e);
  }
  return out;
}

const MAX = 16 * 1024;

function newParser(method = 'GET', maxHeaderBytes = MAX): { p: ResponseParser; r: Recorder } {
  const r = recorder();
  const p = new ResponseParser(r, { maxHeaderBytes });
  p.expect(method);
  return { p, r };
}

/** Feeds `pieces` (strings are latin1) and, with `eof`, finishes. Returns normalized events. */
function parse(pieces: string | (string | Buffer)[], opts: { method?: string; eof?: boolean; max?: number } = {}): Event[] {
  const { p, r } = newParser(opts.method, opts.max);
  for (const piece of typeof pieces === 'string' ? [pieces] : pieces) {
    p.feed(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece);
  }
  if (opts.eof === true) p.finish();
  return normalize(r.events);
}

function finalHead(events: Event[]): ResponseHead {
  const e = events.find((x) => x.type === 'head');
  assert.ok(e !== undefined && e.type === 'head', 'no head event');
  return e.head;
}

function body(events: Event[]): string {
  return events
    .filter((e): e is Extract<Event, { type: 'body' }> => e.type === 'body')
    .map((e) => e.data)
    .join('');
}

function assertProtocol(fn: () => unknown, re: RegExp, code: 'ERR_PROTOCOL' | 'ERR_HEADERS_TOO_LARGE' = 'ERR_PROTOCOL'): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ProtocolError, `expected ProtocolError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, re);
    return true;
  });
}

const OK_HEAD = 'HTTP/1.1 200 OK\r\n';

// ---------------------------------------------------------------- framing

test('Content-Length body: head fields, body, completion', () => {
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-A:  spaced\t \r\n\r\n';
  const events = parse(head + 'hello');
  assert.deepEqual(events.map((e) => e.type), ['head', 'body', 'complete']);
  const h = finalHead(events);
  assert.equal(h.statusCode, 200);
  assert.equal(h.reason, 'OK');
  assert.equal(h.versionMinor, 1);
  assert.deepEqual(h.rawHeaders, ['Content-Type', 'text/plain', 'Content-Length', '5', 'X-A', 'spaced']);
  assert.equal(h.contentLength, 5);
  assert.equal(h.chunked, false);
  assert.equal(h.connectionClose, false);
  assert.equal(h.keepAliveTimeoutMs, -1);
  assert.equal(h.headerBytes, head.length);
  assert.equal(body(events), 'hello');
  assert.deepEqual(events[2], { type: 'complete', trailers: [] });
});

test('Content-Length: 0 completes right after the head', () => {
  const { p, r } = newParser();
  p.feed(Buffer.from(OK_HEAD + 'Content-Length: 0\r\n\r\n'));
  assert.deepEqual(r.events.map((e) => e.type), ['head', 'complete']);
  assert.equal(p.idle, true);
});

test('body pieces are views of the fed chunk, not copies', () => {
  const { p, r } = newParser();
  const chunk = Buffer.from(OK_HEAD + 'Content-Length: 3\r\n\r\nabc');
  p.feed(chunk);
  assert.equal(r.chunks.length, 1);
  assert.equal(r.chunks[0]!.buffer, chunk.buffer);
  assert.equal(r.chunks[0]!.byteOffset, chunk.byteOffset + chunk.length - 3);
});

test('remainingBodyBytes and bytesReceivedForCurrent follow a Content-Length body', () => {
  const { p } = newParser();
  assert.equal(p.bytesReceivedForCurrent, 0);
  assert.equal(p.idle, false);
  assert.equal(p.remainingBodyBytes(), -1);
  const head = OK_HEAD + 'Content-Length: 10\r\n\r\n';
  p.feed(Buffer.from(head + 'abc'));
  assert.equal(p.remainingBodyBytes(), 7);
  assert.equal(p.bytesReceivedForCurrent, head.length + 3);
  p.feed(Buffer.from('defghij'));
  assert.equal(p.remainingBodyBytes(), -1);
  assert.equal(p.idle, true);
  p.expect('GET');
  assert.equal(p.bytesReceivedForCurrent, 0);
  assert.equal(p.idle, false);
});

test('chunked body with extensions and trailers; framing trailers are dropped', () => {
  const events = parse(
    OK_HEAD +
      'Transfer-Encoding: chunked\r\n\r\n' +
      '5\r\nhello\r\n' +
      '6;name=value;flag\r\n world\r\n' +
      'A;q="x y"\r\n0123456789\r\n' +
      '0\r\nX-Checksum: abc\r\nContent-Length: 99\r\ntransfer-encoding: gzip\r\nHost: evil\r\nConnection: close\r\nX-Other:  v \r\n\r\n',
  );
  const h = finalHead(events);
  assert.equal(h.chunked, true);
  assert.equal(h.contentLength, -1);
  assert.equal(h.connectionClose, false);
  assert.equal(body(events), 'hello world0123456789');
  assert.deepEqual(events[events.length - 1], { type: 'complete', trailers: ['X-Checksum', 'abc', 'X-Other', 'v'] });
});

test('chunked as the last of several codings, also across header lines', () => {
  const a = parse(OK_HEAD + 'Transfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
  assert.equal(finalHead(a).chunked, true);
  assert.equal(body(a), 'abc');
  const b = parse(OK_HEAD + 'Transfer-Encoding: gzip\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
  assert.equal(finalHead(b).chunked, true);
  assert.equal(b[b.length - 1]!.type, 'complete');
});

test('no Content-Length and no Transfer-Encoding: body runs to EOF and the connection closes', () => {
  const { p, r } = newParser();
  p.feed(Buffer.from(OK_HEAD + 'Content-Type: text/plain\r\n\r\nsome '));
  p.feed(Buffer.from('body'));
  assert.equal(p.idle, false);
  assert.equal(p.remainingBodyBytes(), -1);
  assert.deepEqual(r.events.map((e) => e.type), ['head', 'body', 'body']);
  p.finish();
  const events = normalize(r.events);
  assert.equal(finalHead(events).connectionClose, true);
  assert.equal(finalHead(events).contentLength, -1);
  assert.equal(body(events), 'some body');
  assert.equal(events[events.length - 1]!.type, 'complete');
  assert.equal(p.idle, true);
});

test('Transfer-Encoding not ending in chunked: close-delimited', () => {
  const events = parse([OK_HEAD + 'Transfer-Encoding: gzip\r\n\r\nxyz'], { eof: true });
  const h = finalHead(events);
  assert.equal(h.chunked, false);
  assert.equal(h.connectionClose, true);
  assert.equal(body(events), 'xyz');
  assert.equal(events[events.length - 1]!.type, 'complete');
});

test('HEAD response has no body and keeps the declared length', () => {
  const { p, r } = newParser('HEAD');
  p.feed(Buffer.from(OK_HEAD + 'Content-Length: 1234\r\n\r\n'));
  assert.deepEqual(r.events.map((e) => e.type), ['head', 'complete']);
  const h = finalHead(r.events);
  assert.equal(h.contentLength, 1234);
  assert.equal(h.connectionClose, false);
  assert.equal(p.idle, true);
  // The connection is reusable: the next response parses normally.
  p.expect('GET');
  p.feed(Buffer.from(OK_HEAD + 'Content-Length: 2\r\n\r\nhi'));
  assert.equal(body(normalize(r.events)), 'hi');
});

test('HEAD response declaring chunked has no body either', () => {
  const events = parse(OK_HEAD + 'Transfer-Encoding: chunked\r\n\r\n', { method: 'HEAD' });
  assert.deepEqual(events.map((e) => e.type), ['head', 'complete']);
  assert.equal(finalHead(events).connectionClose, false);
});

test('204 and 304 have no body whatever they declare', () => {
  for (const [status, extra] of [
    ['204 No Content', 'Content-Length: 10\r\n'],
    ['304 Not Modified', 'Content-Length: 10\r\n'],
    ['304 Not Modified', 'Transfer-Encoding: chunked\r\n'],
    ['204 No Content', ''],
  ] as const) {
    const { p, r } = newParser();
    p.feed(Buffer.from(`HTTP/1.1 ${status}\r\n${extra}\r\n`));
    assert.deepEqual(r.events.map((e) => e.type), ['head', 'complete'], status);
    assert.equal(finalHead(r.events).connectionClose, false);
    assert.equal(finalHead(r.events).contentLength, 0);
    assert.equal(p.idle, true);
  }
});

test('101 is final, bodiless, and closes the connection', () => {
  const events = parse('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
  assert.deepEqual(events.map((e) => e.type), ['head', 'complete']);
  assert.equal(finalHead(events).statusCode, 101);
  assert.equal(finalHead(events).connectionClose, true);
});

test('1xx responses before the final one: 100, then several 103', () => {
  const events = parse(
    'HTTP/1.1 100 Continue\r\n\r\n' +
      'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n' +
      'HTTP/1.1 103 Early Hints\r\nLink: </b.js>; rel=preload\r\n\r\n' +
      OK_HEAD +
      'Content-Length: 2\r\n\r\nok',
  );
  assert.deepEqual(events.map((e) => e.type), ['info', 'info', 'info', 'head', 'body', 'complete']);
  const infos = events.filter((e): e is Extract<Event, { type: 'info' }> => e.type === 'info');
  assert.deepEqual(infos.map((e) => e.head.statusCode), [100, 103, 103]);
  assert.deepEqual(infos[1]!.head.rawHeaders, ['Link', '</a.css>; rel=preload']);
  assert.deepEqual(infos[2]!.head.rawHeaders, ['Link', '</b.js>; rel=preload']);
  assert.deepEqual(finalHead(events).rawHeaders, ['Content-Length', '2']);
  assert.equal(finalHead(events).headerBytes, (OK_HEAD + 'Content-Length: 2\r\n\r\n').length);
  assert.equal(body(events), 'ok');
});

test('each 1xx has its own header budget', () => {
  const big = 'X-Pad: ' + 'a'.repeat(600) + '\r\n';
  const events = parse('HTTP/1.1 103 Early Hints\r\n' + big + '\r\n' + OK_HEAD + big + 'Content-Length: 0\r\n\r\n', { max: 700 });
  assert.deepEqual(events.map((e) => e.type), ['info', 'head', 'complete']);
});

test(`more than ${MAX_INFORMATIONAL} consecutive 1xx responses are refused`, () => {
  const ok = 'HTTP/1.1 103 Early Hints\r\n\r\n'.repeat(MAX_INFORMATIONAL) + OK_HEAD + 'Content-Length: 0\r\n\r\n';
  assert.equal(parse(ok).filter((e) => e.type === 'info').length, MAX_INFORMATIONAL);
  assertProtocol(() => parse('HTTP/1.1 103 Early Hints\r\n\r\n'.repeat(MAX_INFORMATIONAL + 1)), /informational/);
});

test('several responses in sequence on one parser', () => {
  const { p, r } = newParser();
  p.feed(Buffer.from(OK_HEAD + 'Content-Length: 1\r\n\r\na'));
  p.expect('GET');
  p.feed(Buffer.from(OK_HEAD + 'Transfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n'));
  p.expect('GET');
  p.feed(Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nc'));
  assert.deepEqual(
    normalize(r.events).map((e) => (e.type === 'head' ? e.head.statusCode : e.type === 'body' ? e.data : e.type)),
    [200, 'a', 'complete', 200, 'b', 'complete', 404, 'c', 'complete'],
  );
});

test('expect() while a response is in progress is a caller bug', () => {
  const { p } = newParser();
  p.feed(Buffer.from(OK_HEAD + 'Content-Length: 5\r\n\r\nab'));
  assert.throws(() => p.expect('GET'), /in progress/);
});

// ---------------------------------------------------------------- status line

test('status line variants that are accepted', () => {
  const cases: [string, number, string, 0 | 1][] = [
    ['HTTP/1.1 200 OK', 200, 'OK', 1],
    ['HTTP/1.0 200 OK', 200, 'OK', 0],
    ['HTTP/1.1 200', 200, '', 1],
    ['HTTP/1.1 200 ', 200, '', 1],
    ['HTTP/1.1 999 Whatever it is', 999, 'Whatever it is', 1],
    ['HTTP/1.1 404 Nicht gef\xfcnden\tx', 404, 'Nicht gef\xfcnden\tx', 1],
  ];
  for (const [line, code, reason, minor] of cases) {
    const h = finalHead(parse(line + '\r\nContent-Length: 0\r\n\r\n'));
    assert.equal(h.statusCode, code, line);
    assert.equal(h.reason, reason, line);
    assert.equal(h.versionMinor, minor, line);
  }
});

test('bad versions and status lines are refused', () => {
  const cases: [string, RegExp][] = [
    ['HTTP/2.0 200 OK', /version/],
    ['HTTP/1.2 200 OK', /version/],
    ['HTTP/0.9 200 OK', /version/],
    ['HTTP/11. 200 OK', /version/],
    ['HTTP/2 200 OK', /status line/],
    ['http/1.1 200 OK', /status line/],
    ['HTTPS/1.1 200 OK', /status line/],
    ['ICY 200 OK', /status line/],
    ['HTTP/1.1', /status line/],
    ['', /status line/],
    ['<html>', /status line/],
    ['HTTP/1.1 20 OK', /status/],
    ['HTTP/1.1 2000 OK', /status line/],
    ['HTTP/1.1 099 Low', /status code/],
    ['HTTP/1.1 abc OK', /status code/],
    ['HTTP/1.1 2x0 OK', /status code/],
    ['HTTP/1.1  200 OK', /status/],
    ['HTTP/1.1\t200 OK', /status line/],
    ['HTTP/1.1 200 O\x00K', /reason/],
    ['HTTP/1.1 200 O\x7fK', /reason/],
  ];
  for (const [line, re] of cases) assertProtocol(() => parse(line + '\r\nContent-Length: 0\r\n\r\n'), re);
});

// ---------------------------------------------------------------- header syntax

test('header syntax refusals', () => {
  const cases: [string, RegExp][] = [
    ['X-A: a\r\n folded', /folding/],
    ['X-A: a\r\n\tfolded', /folding/],
    [' X-A: a', /folding/],
    ['\tX-A: a', /folding/],
    ['X-A : a', /whitespace between header name and colon/],
    ['X-A\t: a', /whitespace between header name and colon/],
    ['X(A): a', /invalid character in header name/],
    ['X\xe9: a', /invalid character in header name/],
    [': a', /empty header name/],
    ['NoColon', /without a colon/],
    ['X-A: a\x00b', /0x00/],
    ['X-A: a\rb', /0x0d/],
    ['X-A: a\x01b', /0x01/],
    ['X-A: a\x1fb', /0x1f/],
    ['X-A: a\x7fb', /0x7f/],
    ['X-A: a\r', /0x0d/], // "a\r\r\n": the CR before CRLF is a bare CR
  ];
  for (const [line, re] of cases) assertProtocol(() => parse(OK_HEAD + line + '\r\nContent-Length: 0\r\n\r\n'), re);
});

test('header values: tab and obs-text are kept, surrounding OWS trimmed, empty allowed', () => {
  const h = finalHead(parse(OK_HEAD + 'X-A: \t a\tb \xe9 \t\r\nX-Empty:\r\nX-Sp:   \r\nContent-Length: 0\r\n\r\n'));
  assert.deepEqual(h.rawHeaders, ['X-A', 'a\tb \xe9', 'X-Empty', '', 'X-Sp', '', 'Content-Length', '0']);
});

test('a reused input buffer is decoded afresh on every feed', () => {
  const { p, r } = newParser();
  const buf = Buffer.from(OK_HEAD + 'X-Aaa: 111\r\nContent-Length: 0\r\n\r\n');
  p.feed(buf);
  buf.write(OK_HEAD + 'X-Bbb: 222\r\nContent-Length: 0\r\n\r\n', 'latin1');
  p.expect('GET');
  p.feed(buf);
  const heads = r.events.filter((e): e is Extract<Event, { type: 'head' }> => e.type === 'head');
  assert.deepEqual(heads.map((e) => e.head.rawHeaders[0]! + '=' + e.head.rawHeaders[1]!), ['X-Aaa=111', 'X-Bbb=222']);
});

test('an LF-only head followed by CRLFCRLF in the body', () => {
  const events = parse('HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 8\n\nab\r\n\r\ncd');
  assert.deepEqual(finalHead(events).rawHeaders, ['X-A', '1', 'Content-Length', '8']);
  assert.equal(body(events), 'ab\r\n\r\ncd');
});

test('bare LF line endings are accepted throughout', () => {
  const a = parse('HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 2\n\nhi');
  assert.deepEqual(finalHead(a).rawHeaders, ['X-A', '1', 'Content-Length', '2']);
  assert.equal(body(a), 'hi');
  const b = parse('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\r\n\n2\r\nhi\r\n0\r\nX-T: t\r\n\r\n');
  assert.equal(body(b), 'hi');
  assert.deepEqual(b[b.length - 1], { type: 'complete', trailers: ['X-T', 't'] });
  // …except in a chunked body's framing, which ends every line in CRLF (RFC 9112 §7.1, as llhttp).
  assertProtocol(() => parse('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nhi\r\n0\r\n\r\n'), /bare LF/);
  assertProtocol(() => parse('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\r\nhi\n0\r\n\r\n'), /bare LF/);
  assertProtocol(() => parse('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\r\nhi\r\n0\r\nX-T: t\n\r\n'), /bare LF/);
});

// ---------------------------------------------------------------- empty lines before a status line

test(`up to ${MAX_LEADING_EMPTY_LINES} empty lines (CRLF or lone LF) before a status line are skipped, as llhttp does`, () => {
  const response = OK_HEAD + 'Content-Length: 2\r\n\r\nhi';
  const plain = parse(response);
  for (const lead of ['\r\n', '\n', '\r\n\r\n', '\n\r\n\n', '\r\n\r\n\r\n\r\n', '\n\n\n\n', '\r\n\n\r\n\n']) {
    const got = parse(lead + response);
    // The same events, headerBytes included: the empty lines are not part of the head.
    assert.deepEqual(got, plain, JSON.stringify(lead));
  }
  // Before each head: after a 1xx too, each with its own count.
  const info = parse('\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n\r\n\n\r\n\n' + response);
  assert.equal(info[0]!.type, 'info');
  assert.equal(body(info), 'hi');
  // A chunked response, and the fast path for a head that arrives whole after them.
  assert.equal(body(parse('\r\n' + OK_HEAD + 'Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n')), 'hi');
});

test(`a ${MAX_LEADING_EMPTY_LINES + 1}th empty line, or a CR without LF, before a status line is refused`, () => {
  const response = OK_HEAD + 'Content-Length: 2\r\n\r\nhi';
  assertProtocol(() => parse('\r\n'.repeat(5) + response), /more than 4 empty lines before the status line/);
  assertProtocol(() => parse('\n'.repeat(5) + response), /more than 4 empty lines/);
  assertProtocol(() => parse('\r\n\n\r\n\n\r\n' + response), /more than 4 empty lines/);
  assertProtocol(() => parse('\r\n'.repeat(100)), /more than 4 empty lines/); // found before the status line comes
  assertProtocol(() => parse('HTTP/1.1 100 Continue\r\n\r\n' + '\n'.repeat(5) + response), /more than 4 empty lines/);
  assertProtocol(() => parse('\r' + response), /bare CR before the status line/);
  assertProtocol(() => parse('\r\n\r\r\n' + response), /bare CR before the status line/);
  // Whitespace is not an empty line.
  assertProtocol(() => parse(' \r\n' + response), /status line/);
  // Every split: the count and a pending CR carry across feeds.
  const five = Buffer.from('\r\n\n\r\n\r\n\r\n' + response, 'latin1');
  for (let i = 1; i < five.length; i++) {
    assertProtocol(() => parse([five.subarray(0, i), five.subarray(i)]), /more than 4 empty lines/);
  }
});

test('empty lines are skipped only while a response is expected: on an idle parser, or after a response, they are unsolicited', () => {
  const r = recorder();
  const p = new ResponseParser(r, { maxHeaderBytes: MAX });
  assertProtocol(() => p.feed(Buffer.from('\r\n')), /unsolicited/);
  assert.equal(p.extraBytes, true);
  assertProtocol(() => parse(OK_HEAD + 'Content-Length: 2\r\n\r\nhi\r\n'), /unsolicited/);
  // Only empty lines, then EOF: a truncated response, not a clean close.
  const { p: q } = newParser();
  q.feed(Buffer.from('\r\n\r\n'));
  assertProtocol(() => q.finish(), /truncated response: connection closed in the response head/);
});

test('isIdleTimeoutResponse: an HTTP/1.1 or HTTP/1.0 408 status line, nothing else', () => {
  const yes = ['HTTP/1.1 408 Request Timeout\r\n\r\n', 'HTTP/1.0 408 Request Timeout\r\n', 'HTTP/1.1 408\r\n', 'HTTP/1.0 408\n', 'HTTP/1.1 408'];
  for (const s of yes) assert.equal(isIdleTimeoutResponse(Buffer.from(s, 'latin1')), true, JSON.stringify(s));
  const no = ['HTTP/1.1 200 OK\r\n', 'HTTP/1.2 408 x\r\n', 'HTTP/2.0 408 x\r\n', 'HTTP/1.1 4080 x', 'HTTP/1.1 40', '\r\nHTTP/1.1 408 x\r\n', 'http/1.1 408 x', ''];
  for (const s of no) assert.equal(isIdleTimeoutResponse(Buffer.from(s, 'latin1')), false, JSON.stringify(s));
});

test('a bare CR is never a line ending', () => {
  assertProtocol(() => parse('HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n'), /reason/);
  assertProtocol(() => parse(OK_HEAD + 'X-A: 1\rContent-Length: 0\r\n\r\n'), /0x0d/);
  assertProtocol(() => parse(OK_HEAD + 'Content-Length: 0\r\n\r\r\n'), /without a colon|name/);
  assertProtocol(() => parse(OK_HEAD + 'Transfer-Encoding: chunked\r\n\r\n2\rhi\r\n0\r\n\r\n'), /chunk size/);
});

// ---------------------------------------------------------------- framing refusals

test('Content-Length values: accepted forms', () => {
  const cl = (v: string): number => finalHead(parse(OK_HEAD + v + '\r\n\r\n', { method: 'HEAD' })).contentLength;
  assert.equal(cl('Content-Length: 5'), 5);
  assert.equal(cl('content-length:5'), 5);
  assert.equal(cl('CONTENT-LENGTH:  5  '), 5);
  assert.equal(cl('Content-Length: 5, 5'), 5);
  assert.equal(cl('Content-Length: 5,5 ,  5'), 5);
  assert.equal(cl('Content-Length: 5\r\nContent-Length: 5'), 5);
  assert.equal(cl('Content-Length: 007'), 7);
  assert.equal(cl('Content-Length: 999999999999999'), 999999999999999);
});

test('Content-Length refusals', () => {
  const cases: [string, RegExp][] = [
    ['Content-Length: +5', /invalid Content-Length/],
    ['Content-Length: -1', /invalid Content-Length/],
    ['Content-Length: 0x5', /invalid Content-Length/],
    ['Content-Length: 5a', /invalid Content-Length/],
    ['Content-Length: 1e3', /invalid Content-Length/],
    ['Content-Length: 5 5', /invalid Content-Length/],
    ['Content-Length: 5.0', /invalid Content-Length/],
    ['Content-Length: ', /invalid Content-Length/],
    ['Content-Length: 5,', /invalid Content-Length/],
    ['Content-Length: 5,,5', /invalid Content-Length/],
    ['Content-Length: 1000000000000000', /invalid Content-Length/], // 16 digits
    ['Content-Length: 18446744073709551616', /invalid Content-Length/], // 20 digits
    ['Content-Length: 5, 6', /conflicting Content-Length/],
    ['Content-Length: 5\r\nContent-Length: 6', /conflicting Content-Length/],
    ['Content-Length: 5\r\nContent-Length: 5, 7', /conflicting Content-Length/],
    ['Content-Length: 5\r\nTransfer-Encoding: chunked', /both Transfer-Encoding and Content-Length/],
    ['Transfer-Encoding: chunked\r\nContent-Length: 5', /both Transfer-Encoding and Content-Length/],
    ['Transfer-Encoding: gzip\r\nContent-Length: 5', /both Transfer-Encoding and Content-Length/],
    ['Transfer-Encoding: chunked, gzip', /after chunked/],
    ['Transfer-Encoding: chunked, chunked', /after chunked/],
    ['Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked', /after chunked/],
    ['Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip', /after chunked/],
    ['Transfer-Encoding: ,', /empty Transfer-Encoding/],
  ];
  for (const [lines, re] of cases) assertProtocol(() => parse(OK_HEAD + lines + '\r\n\r\n'), re);
});

// ---------------------------------------------------------------- chunked refusals

test('chunked body refusals', () => {
  const te = OK_HEAD + 'Transfer-Encoding: chunked\r\n\r\n';
  const cases: [string, RegExp][] = [
    ['zz\r\n', /invalid chunk size/],
    ['\r\n', /invalid chunk size/],
    ['-1\r\n', /invalid chunk size/],
    ['0x5\r\n', /invalid chunk size/],
    ['5 5\r\n', /invalid chunk size/],
    ['1000000000000000\r\nx', /overflow/], // 16 hex digits
    ['0000000000000001\r\nx', /overflow/], // 16 digits, even with leading zeros
    ['fffffffffffffff\r\nx', /overflow/], // 15 digits, beyond a safe integer
    ['5\r\nhelloX', /missing CRLF after chunk data/],
    ['5\r\nhello\rX', /missing CRLF after chunk data/],
    ['5\r\nhello0\r\n\r\n', /missing CRLF after chunk data/],
    ['5;' + 'e'.repeat(5000) + '\r\nhello\r\n', /extensions/],
    ['5;' + 'e'.repeat(4097) + '\r\nhello\r\n', /extensions/],
    ['5;' + 'e'.repeat(100_000), /extensions/], // no line end in sight
    ['5;a=\x00\r\nhello\r\n', /chunk extension/],
    ['0\r\n folded: x\r\n\r\n', /folding/],
    ['0\r\nBad Name: x\r\n\r\n', /whitespace between header name and colon|header name/],
    ['0\r\nX-T: a\x00\r\n\r\n', /0x00/],
  ];
  for (const [rest, re] of cases) assertProtocol(() => parse(te + rest), re);
  // Extensions up to the cap are fine.
  assert.equal(body(parse(te + '5;' + 'e'.repeat(4000) + '\r\nhello\r\n0\r\n\r\n')), 'hello');
});

test('trailer section larger than maxHeaderBytes is refused', () => {
  const te = OK_HEAD + 'Transfer-Encoding: chunked\r\n\r\n0\r\n';
  assertProtocol(() => parse(te + ('X-T: ' + 'a'.repeat(100) + '\r\n').repeat(20) + '\r\n', { max: 1024 }), /trailer/, 'ERR_HEADERS_TOO_LARGE');
});

// ---------------------------------------------------------------- size limits

test('header block over maxHeaderBytes: one huge header, even before the blank line', () => {
  const { p } = newParser('GET', 1024);
  // No blank line and no LF at all: the cap must trip on the bytes alone.
  assertProtocol(() => p.feed(Buffer.from(OK_HEAD + 'X-Big: ' + 'a'.repeat(2000))), /exceeds 1024/, 'ERR_HEADERS_TOO_LARGE');
  assert.equal(p.idle, false);
});

test('header block over maxHeaderBytes: many small headers', () => {
  const many = OK_HEAD + 'X-A: 1\r\n'.repeat(200) + 'Content-Length: 0\r\n\r\n';
  assertProtocol(() => parse(many, { max: 1024 }), /exceeds/, 'ERR_HEADERS_TOO_LARGE');
  // 10 000 small headers are fine when the limit allows them.
  const tenK = OK_HEAD + 'X-A: 1\r\n'.repeat(10_000) + 'Content-Length: 0\r\n\r\n';
  assert.equal(finalHead(parse(tenK, { max: 1 << 20 })).rawHeaders.length, 20_002);
});

test('the limit is exact: a head of maxHeaderBytes passes, one byte more fails', () => {
  const head = OK_HEAD + 'Content-Length: 0\r\nX-Pad: abc\r\n\r\n';
  assert.equal(finalHead(parse(head, { max: head.length })).headerBytes, head.length);
  assertProtocol(() => parse(head, { max: head.length - 1 }), /exceeds/, 'ERR_HEADERS_TOO_LARGE');
});

test('endless headers streamed a byte at a time fail once the cap is passed', () => {
  const { p } = newParser('GET', 512);
  const stream = Buffer.from(OK_HEAD + 'X-A: 1\r\n'.repeat(1000));
  let fed = 0;
  assertProtocol(
    () => {
      for (; fed < stream.length; fed++) p.feed(stream.subarray(fed, fed + 1));
    },
    /exceeds/,
    'ERR_HEADERS_TOO_LARGE',
  );
  assert.ok(fed <= 512, `failed only after ${fed} bytes`);
});

// ---------------------------------------------------------------- Connection / Keep-Alive

test('Connection and Keep-Alive flags', () => {
  const head = (first: string, lines: string): ResponseHead =>
    finalHead(parse(first + '\r\n' + lines + 'Content-Length: 0\r\n\r\n'));
  assert.equal(head('HTTP/1.1 200 OK', '').connectionClose, false);
  assert.equal(head('HTTP/1.1 200 OK', 'Connection: close\r\n').connectionClose, true);
  assert.equal(head('HTTP/1.1 200 OK', 'connection: Keep-Alive, CLOSE\r\n').connectionClose, true);
  assert.equal(head('HTTP/1.1 200 OK', 'Connection: keep-alive\r\nConnection: close\r\n').connectionClose, true);
  assert.equal(head('HTTP/1.1 200 OK', 'Connection: closed\r\n').connectionClose, false);
  assert.equal(head('HTTP/1.1 200 OK', 'Connection: upgrade\r\n').connectionClose, false);
  assert.equal(head('HTTP/1.0 200 OK', '').connectionClose, true);
  assert.equal(head('HTTP/1.0 200 OK', 'Connection: keep-alive\r\n').connectionClose, false);
  assert.equal(head('HTTP/1.0 200 OK', 'Connection: Keep-Alive\r\n').connectionClose, false);
  assert.equal(head('HTTP/1.0 200 OK', 'Connection: keep-alive, close\r\n').connectionClose, true);

  assert.equal(head('HTTP/1.1 200 OK', 'Keep-Alive: timeout=5, max=100\r\n').keepAliveTimeoutMs, 5000);
  assert.equal(head('HTTP/1.1 200 OK', 'Keep-Alive: max=100, Timeout = 30\r\n').keepAliveTimeoutMs, 30_000);
  assert.equal(head('HTTP/1.1 200 OK', 'Keep-Alive: max=100\r\n').keepAliveTimeoutMs, -1);
  assert.equal(head('HTTP/1.1 200 OK', 'Keep-Alive: timeout=abc\r\n').keepAliveTimeoutMs, -1);
  assert.equal(head('HTTP/1.1 200 OK', 'Keep-Alive: timeout=-5\r\n').keepAliveTimeoutMs, -1);
  assert.equal(head('HTTP/1.1 200 OK', 'Keep-Alive: timeout\r\n').keepAliveTimeoutMs, -1);
  assert.equal(head('HTTP/1.1 200 OK', 'Keep-Alive: timeout=0\r\n').keepAliveTimeoutMs, 0);
  assert.equal(head('HTTP/1.1 200 OK', 'Keep-Alive: timeout=5x\r\n').keepAliveTimeoutMs, -1);
  assert.equal(head('HTTP/1.1 200 OK', 'Keep-Alive: xtimeout=5\r\n').keepAliveTimeoutMs, -1);
  assert.equal(head('HTTP/1.1 200 OK', 'Keep-Alive: mytimeout=1, timeout=7\r\n').keepAliveTimeoutMs, 7000);
  assert.equal(head('HTTP/1.1 200 OK', 'Keep-Alive: timeout=1234567890\r\n').keepAliveTimeoutMs, -1);
  assert.equal(head('HTTP/1.1 200 OK', 'Keep-Alive: timeout=2\r\nKeep-Alive: timeout=9\r\n').keepAliveTimeoutMs, 2000);
});

test('HTTP/1.0 with Transfer-Encoding: parsed, but the connection is not reused', () => {
  const events = parse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n');
  assert.equal(finalHead(events).connectionClose, true);
  assert.equal(body(events), 'x');
});

// ---------------------------------------------------------------- bytes after the response

test('bytes beyond the declared body in the same chunk: response delivered, then refused', () => {
  const { p, r } = newParser();
  assertProtocol(() => p.feed(Buffer.from(OK_HEAD + 'Content-Length: 2\r\n\r\nhiEXTRA')), /unsolicited/);
  assert.deepEqual(normalize(r.events).map((e) => e.type), ['head', 'body', 'complete']);
  assert.equal(body(normalize(r.events)), 'hi');
  assert.equal(p.extraBytes, true);
  // The parser stays failed.
  assertProtocol(() => p.feed(Buffer.from('more')), /unsolicited/);
  assertProtocol(() => p.finish(), /unsolicited/);
});

test('bytes beyond the declared body in a later feed are refused', () => {
  const { p, r } = newParser();
  p.feed(Buffer.from(OK_HEAD + 'Content-Length: 2\r\n\r\nhi'));
  assert.equal(p.extraBytes, false);
  assertProtocol(() => p.feed(Buffer.from(OK_HEAD + 'Content-Length: 0\r\n\r\n')), /unsolicited/);
  assert.equal(p.extraBytes, true);
  assert.equal(r.events.filter((e) => e.type === 'head').length, 1);
});

test('bytes after a chunked body or a bodiless response in the same chunk are refused', () => {
  assertProtocol(() => parse(OK_HEAD + 'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n\r\n'), /unsolicited/);
  assertProtocol(() => parse('HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n\r\n'), /unsolicited/);
  assertProtocol(() => parse(OK_HEAD + 'Content-Length: 0\r\n\r\nx', { method: 'HEAD' }), /unsolicited/);
});

test('leftover bytes are refused even if onComplete already expects the next response', () => {
  const r = recorder();
  const p = new ResponseParser({ ...r, onComplete: (t) => (r.onComplete(t), p.expect('GET')) }, { maxHeaderBytes: MAX });
  p.expect('GET');
  const two = OK_HEAD + 'Content-Length: 1\r\n\r\na' + OK_HEAD + 'Content-Length: 1\r\n\r\nb';
  assertProtocol(() => p.feed(Buffer.from(two)), /unsolicited/);
  assert.equal(r.events.filter((e) => e.type === 'head').length, 1);
});

test('bytes while nothing is expected are refused', () => {
  const r = recorder();
  const p = new ResponseParser(r, { maxHeaderBytes: MAX });
  assert.equal(p.idle, true);
  assertProtocol(() => p.feed(Buffer.from(OK_HEAD + 'Content-Length: 0\r\n\r\n')), /unsolicited/);
  assert.equal(p.extraBytes, true);
  assert.equal(r.events.length, 0);
});

// ---------------------------------------------------------------- EOF

test('EOF before any byte of the response: ConnectionError ERR_CONNECTION_CLOSED', () => {
  const { p } = newParser();
  assert.throws(
    () => p.finish(),
    (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_CONNECTION_CLOSED',
  );
});

test('EOF mid-head, mid-body (Content-Length and chunked): ERR_PROTOCOL truncated', () => {
  const cases: [string, RegExp][] = [
    ['HTTP/1.1 2', /truncated response/],
    [OK_HEAD + 'Content-Length: 5\r\n', /truncated response/],
    ['HTTP/1.1 100 Continue\r\n\r\n', /truncated response/],
    [OK_HEAD + 'Content-Length: 5\r\n\r\nhel', /truncated response body.*2 bytes/],
    [OK_HEAD + 'Content-Length: 5\r\n\r\n', /truncated response body.*5 bytes/],
    [OK_HEAD + 'Transfer-Encoding: chunked\r\n\r\n5\r\nhel', /truncated chunked body/],
    [OK_HEAD + 'Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', /truncated chunked body/],
    [OK_HEAD + 'Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n', /truncated chunked body/],
    [OK_HEAD + 'Transfer-Encoding: chunked\r\n\r\n', /truncated chunked body/],
  ];
  for (const [input, re] of cases) {
    const { p } = newParser();
    p.feed(Buffer.from(input));
    assertProtocol(() => p.finish(), re);
    assertProtocol(() => p.finish(), re); // sticky
  }
});

test('EOF when idle is not an error', () => {
  const r = recorder();
  const p = new ResponseParser(r, { maxHeaderBytes: MAX });
  p.finish();
  p.expect('GET');
  p.feed(Buffer.from(OK_HEAD + 'Content-Length: 0\r\n\r\n'));
  p.finish();
  assert.deepEqual(r.events.map((e) => e.type), ['head', 'complete']);
});

test('errors are sticky and expect() does not clear them', () => {
  const { p } = newParser();
  assertProtocol(() => p.feed(Buffer.from('HTTP/9.9 200 OK\r\n')), /version/);
  p.expect('GET');
  assertProtocol(() => p.feed(Buffer.from(OK_HEAD)), /version/);
});

test('an exception from a handler leaves the parser failed', () => {
  const r = recorder();
  const boom = new Error('boom');
  const p = new ResponseParser({ ...r, onHead: () => { throw boom; } }, { maxHeaderBytes: MAX });
  p.expect('GET');
  assert.throws(() => p.feed(Buffer.from(OK_HEAD + 'Content-Length: 1\r\n\r\nx')), boom);
  assert.throws(() => p.feed(Buffer.from('x')), boom);
});

test('errors are HttpoolErrors with stable codes', () => {
  const { p } = newParser();
  try {
    p.feed(Buffer.from('garbage\r\n'));
    assert.fail('no throw');
  } catch (err) {
    assert.ok(err instanceof HttpoolError);
    assert.equal(err.code, 'ERR_PROTOCOL');
    assert.equal(err.name, 'ProtocolError');
  }
});

// ---------------------------------------------------------------- splits

const SPLIT_CASES: { name: string; input: string; method?: string; eof?: boolean }[] = [
  {
    name: 'content-length',
    input: 'HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nKeep-Alive: timeout=5\r\n\r\nhello world',
  },
  {
    name: 'chunked with extensions and trailers',
    input:
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;a=b\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\nContent-Length: 3\r\n\r\n',
  },
  { name: 'close-delimited', input: 'HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall the rest', eof: true },
  {
    name: '1xx then final',
    input: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
  },
  { name: 'bare LF', input: 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\r\nabc\r\n0\r\n\r\n' },
  { name: 'empty lines before each status line', input: '\r\n\nHTTP/1.1 100 Continue\r\n\r\n\r\n\n\r\n\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' },
  { name: 'HEAD', input: 'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n', method: 'HEAD' },
  { name: '304', input: 'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n' },
];

for (const c of SPLIT_CASES) {
  test(`every split yields the same events: ${c.name}`, () => {
    const whole = Buffer.from(c.input, 'latin1');
    const opts = { method: c.method ?? 'GET', eof: c.eof ?? false };
    const expected = parse([whole], opts);
    assert.equal(expected[expected.length - 1]!.type, 'complete');
    for (let i = 1; i < whole.length; i++) {
      const got = parse([whole.subarray(0, i), whole.subarray(i)], opts);
      assert.deepEqual(got, expected, `split at ${i}`);
    }
    const bytes: Buffer[] = [];
    for (let i = 0; i < whole.length; i++) bytes.push(whole.subarray(i, i + 1));
    assert.deepEqual(parse(bytes, opts), expected, 'one byte at a time');
  });
}

test('split refusals are the same as whole refusals', () => {
  const bad = Buffer.from(OK_HEAD + 'X-A: 1\r\nX-B : 2\r\n\r\n');
  for (let i = 1; i < bad.length; i++) {
    assertProtocol(() => parse([bad.subarray(0, i), bad.subarray(i)]), /whitespace between header name and colon/);
  }
  const chunkedBad = Buffer.from(OK_HEAD + 'Transfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n');
  for (let i = 1; i < chunkedBad.length; i++) {
    assertProtocol(() => parse([chunkedBad.subarray(0, i), chunkedBad.subarray(i)]), /missing CRLF/);
  }
});
