// Fault catalogue, header syntax: hostile servers that send malformed status lines, header
// fields, oversized head sections and runaway 1xx responses. Each case runs against a scripted
// raw TCP server (test/support/faults.ts) inside `hostile()`, which checks that nothing is left
// behind, and each checks what became of the connection: refused responses fail with a stable
// code and the connection closes for a stated reason; accepted ones say whether it was reused.
//
// Policies are those of docs/RELIABILITY.md and src/h1/parse.ts, src/h1/syntax.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Request, type CloseReason, type Response, type TransportOptions } from '../src/index.js';
import { expectDiscarded, first, hostile, ok, reusedFor, SMUGGLED, type CaseContext } from './support/catalogue.js';

const T = { timeout: 15_000 };

/**
 * The call fails with `code` before any head is delivered, the connection is closed for
 * `reason`, nothing idle or active is left, and the request was sent once.
 */
async function refused(
  c: CaseContext,
  code: string,
  reason: CloseReason = 'protocol-error',
  init: { trace?: Request['trace'] } = {},
): Promise<void> {
  let res: Response | null = null;
  await expectDiscarded(
    c,
    async () => {
      res = await c.client.do(new Request('GET', c.server.url, init));
      return res.body.text();
    },
    code,
    reason,
  );
  assert.equal(res, null, 'the call fails before any head is delivered');
  assert.equal(c.server.connections, 1, 'one connection');
  assert.equal(c.server.heads.length, 1, 'the request was not retried');
}

/** A refusal case: the server sends `bytes` and keeps the connection open. */
function refusal(name: string, bytes: string | Buffer, code = 'ERR_PROTOCOL', opts: TransportOptions = {}): void {
  test(name, T, () => hostile(first([{ send: bytes }, { stall: true }]), opts, (c) => refused(c, code)));
}

// ---------------------------------------------------------------- field values and lines

const BAD_FIELDS: [string, string][] = [
  ['a bare CR inside a header value', 'X-A: a\rb\r\n'],
  ['a bare CR used as a line end between two headers', 'X-A: a\rX-B: b\r\n'],
  ['a NUL in a header value', 'X-A: a\0b\r\n'],
  ['a 0x01 control character in a header value', 'X-A: a\x01b\r\n'],
  ['an ESC (0x1b) in a header value', 'X-A: a\x1b[31mb\r\n'],
  ['a vertical tab (0x0b) in a header value', 'X-A: a\x0bb\r\n'],
  ['a form feed (0x0c) in a header value', 'X-A: a\x0cb\r\n'],
  ['a DEL (0x7f) in a header value', 'X-A: a\x7fb\r\n'],
  ['a space before the colon', 'X-A : b\r\n'],
  ['a tab before the colon', 'X-A\t: b\r\n'],
  ['a header line without a colon', 'X-A b\r\n'],
  ['an empty header name', ': b\r\n'],
  ['a header name with a non-token character', 'X(A): b\r\n'],
  ['a whitespace-led first header line', ' X-A: b\r\n'],
  ['a tab-led first header line', '\tX-A: b\r\n'],
  ['obs-fold (a continuation line starting with a space)', 'X-A: a\r\n  b\r\n'],
  ['obs-fold (a continuation line starting with a tab)', 'X-A: a\r\n\tb\r\n'],
  ['obs-fold smuggling a Content-Length', 'X-A: a\r\n Content-Length: 4\r\n'],
];
for (const [name, field] of BAD_FIELDS) {
  refusal(`headers: ${name}: refused (ERR_PROTOCOL, protocol-error)`, `HTTP/1.1 200 OK\r\n${field}Content-Length: 2\r\n\r\nok`);
}

test('headers: LF-only line endings are accepted everywhere (RFC 9112 §2.2) and the connection reused', T, () =>
  hostile(
    [
      { read: 'request' },
      { send: 'HTTP/1.1 200 OK\nX-A:  b \nContent-Length: 2\n\nok' },
      { read: 'request' },
      { send: 'HTTP/1.1 200 OK\r\nX-A: mixed\nContent-Length: 5\r\n\nagain' },
      { stall: true },
    ],
    {},
    async (c) => {
      const res = await c.client.get(c.server.url);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers.get('x-a'), 'b');
      assert.equal(await res.body.text(), 'ok');
      await reusedFor(c, 'again');
    },
  ),
);

test('headers: obs-text (bytes 0x80-0xFF) in a value is accepted as latin1', T, () =>
  hostile(
    [{ read: 'request' }, { send: Buffer.from('HTTP/1.1 200 OK\r\nX-A: caf\xe9\r\nContent-Length: 2\r\n\r\nok', 'latin1') }, { read: 'request' }, { send: ok('again') }, { stall: true }],
    {},
    async (c) => {
      const res = await c.client.get(c.server.url);
      assert.equal(res.headers.get('x-a'), 'caf\xe9');
      assert.equal(await res.body.text(), 'ok');
      await reusedFor(c, 'again');
    },
  ),
);

// ---------------------------------------------------------------- size limits

test('headers: one huge header (1.5 MiB, never terminated, connection held open) fails at maxResponseHeaderBytes (ERR_HEADERS_TOO_LARGE, protocol-error)', T, () =>
  hostile(first([{ send: `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(1.5 * 1024 * 1024)}` }, { stall: true }]), {}, (c) =>
    refused(c, 'ERR_HEADERS_TOO_LARGE'),
  ),
);

test('headers: a 9 KiB header over a maxResponseHeaderBytes of 8 KiB fails (ERR_HEADERS_TOO_LARGE, protocol-error)', T, () =>
  hostile(
    first([{ send: `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(9 * 1024)}\r\nContent-Length: 2\r\n\r\nok` }, { stall: true }]),
    { maxResponseHeaderBytes: 8 * 1024 },
    (c) => refused(c, 'ERR_HEADERS_TOO_LARGE'),
  ),
);

const MANY = Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v${i}\r\n`).join('');

test('headers: ten thousand small headers over a 64 KiB maxResponseHeaderBytes fail (ERR_HEADERS_TOO_LARGE, protocol-error)', T, () =>
  hostile(first([{ send: `HTTP/1.1 200 OK\r\n${MANY}Content-Length: 2\r\n\r\nok` }, { stall: true }]), { maxResponseHeaderBytes: 64 * 1024 }, (c) =>
    refused(c, 'ERR_HEADERS_TOO_LARGE'),
  ),
);

test('headers: ten thousand small headers within the default 1 MiB limit are all delivered and the connection reused', T, () =>
  hostile(
    [{ read: 'request' }, { send: `HTTP/1.1 200 OK\r\n${MANY}Content-Length: 2\r\n\r\nok` }, { read: 'request' }, { send: ok('again') }, { stall: true }],
    {},
    async (c) => {
      const res = await c.client.get(c.server.url);
      assert.equal(res.headers.get('x-h0'), 'v0');
      assert.equal(res.headers.get('x-h9999'), 'v9999');
      assert.equal(await res.body.text(), 'ok');
      await reusedFor(c, 'again');
    },
  ),
);

// ---------------------------------------------------------------- status lines and versions

const BAD_STATUS: [string, string][] = [
  ['a status line with no code ("HTTP/1.1")', 'HTTP/1.1\r\n'],
  ['a status line with no code ("HTTP/1.1 ")', 'HTTP/1.1 \r\n'],
  ['a status line with no code but a reason ("HTTP/1.1 OK")', 'HTTP/1.1 OK\r\n'],
  ['a two-digit status code', 'HTTP/1.1 20 OK\r\n'],
  ['a four-digit status code', 'HTTP/1.1 2000 OK\r\n'],
  ['a status code below 100 ("099")', 'HTTP/1.1 099 Low\r\n'],
  ['a status code "abc"', 'HTTP/1.1 abc OK\r\n'],
  ['a status code with a sign ("+20")', 'HTTP/1.1 +20 OK\r\n'],
  ['a status code run into its reason ("200OK")', 'HTTP/1.1 200OK\r\n'],
  ['two spaces before the status code', 'HTTP/1.1  200 OK\r\n'],
  ['a NUL in the reason phrase', 'HTTP/1.1 200 O\0K\r\n'],
  ['a garbage status line', 'garbage\r\n'],
  // Up to 4 empty lines before a status line are skipped (issue 16; faults-framing's
  // `status line:` cases); a line of whitespace is not empty, and a CR is no line end.
  ['a whitespace-only first line', ' \r\nHTTP/1.1 200 OK\r\n'],
  ['a bare CR before the status line', '\rHTTP/1.1 200 OK\r\n'],
  ['TLS bytes on a plain connection', '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n'],
  ['version HTTP/2.0', 'HTTP/2.0 200 OK\r\n'],
  ['version HTTP/1.10', 'HTTP/1.10 200 OK\r\n'],
  ['version HTTP/1.2', 'HTTP/1.2 200 OK\r\n'],
  ['version HTTP/0.9', 'HTTP/0.9 200 OK\r\n'],
  ['version HTTPS/1.1', 'HTTPS/1.1 200 OK\r\n'],
  ['a lowercase version http/1.1', 'http/1.1 200 OK\r\n'],
  ['version HTTP/1', 'HTTP/1 200 OK\r\n'],
];
for (const [name, line] of BAD_STATUS) {
  refusal(`status line: ${name}: refused (ERR_PROTOCOL, protocol-error)`, Buffer.from(`${line}Content-Length: 2\r\n\r\nok`, 'latin1'));
}

test('status line: a response with no status line at all (HTTP/0.9 style body), then FIN, is refused (ERR_PROTOCOL, read-error)', T, () =>
  hostile(first([{ send: 'hello world' }, { fin: true }]), {}, (c) => refused(c, 'ERR_PROTOCOL', 'read-error')),
);

test('status line: "HTTP/1.1 200" without a reason phrase, and an empty reason, are accepted and the connection reused', T, () =>
  hostile(
    [
      { read: 'request' },
      { send: 'HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok' },
      { read: 'request' },
      { send: 'HTTP/1.1 200 \r\nContent-Length: 5\r\n\r\nagain' },
      { stall: true },
    ],
    {},
    async (c) => {
      const res = await c.client.get(c.server.url);
      assert.equal(res.statusCode, 200);
      assert.equal(res.status, '200');
      assert.equal(await res.body.text(), 'ok');
      await reusedFor(c, 'again');
    },
  ),
);

// ---------------------------------------------------------------- 1xx responses

const EARLY_HINTS = 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n';

test('1xx: endless 103 responses hit the 100-response budget (ERR_PROTOCOL, protocol-error) instead of hanging', T, () =>
  hostile(first([{ trickle: EARLY_HINTS.repeat(5_000), chunk: 4096, everyMs: 1 }, { stall: true }]), {}, (c) => refused(c, 'ERR_PROTOCOL')),
);

test('1xx: with a got1xxResponse hook, endless 103s are still cut off: the hook sees exactly 100, then ERR_PROTOCOL', T, () =>
  hostile(first([{ trickle: EARLY_HINTS.repeat(5_000), chunk: 4096, everyMs: 1 }, { stall: true }]), {}, async (c) => {
    let hints = 0;
    await refused(c, 'ERR_PROTOCOL', 'protocol-error', { trace: { got1xxResponse: (code) => void (code === 103 && hints++) } });
    assert.equal(hints, 100);
  }),
);

test('1xx: exactly 100 103s and then the final response is within the budget: delivered, connection reused', T, () =>
  hostile(
    [{ read: 'request' }, { send: EARLY_HINTS.repeat(100) + ok('ok') }, { read: 'request' }, { send: ok('again') }, { stall: true }],
    {},
    async (c) => {
      const res = await c.client.get(c.server.url);
      assert.equal(res.statusCode, 200);
      assert.equal(await res.body.text(), 'ok');
      await reusedFor(c, 'again');
    },
  ),
);

test('1xx: without a got1xxResponse hook, 1xx header bytes count toward maxResponseHeaderBytes (ERR_HEADERS_TOO_LARGE, protocol-error)', T, () =>
  hostile(
    first([{ send: `HTTP/1.1 103 Early Hints\r\nLink: <${'a'.repeat(1000)}>\r\n\r\n`.repeat(5) + ok('ok') }, { stall: true }]),
    { maxResponseHeaderBytes: 4096 },
    (c) => refused(c, 'ERR_HEADERS_TOO_LARGE'),
  ),
);

test('1xx: an unrequested 100 Continue is skipped, the final response delivered, and the connection reused', T, () =>
  hostile(
    [
      { read: 'request' },
      { send: 'HTTP/1.1 100 Continue\r\n\r\n' + ok('ok') },
      { read: 'request' },
      { send: ok('again') },
      { stall: true },
    ],
    {},
    async (c) => {
      const seen: number[] = [];
      const res = await c.client.get(c.server.url, { trace: { got1xxResponse: (code) => void seen.push(code) } });
      assert.equal(res.statusCode, 200);
      assert.equal(await res.body.text(), 'ok');
      assert.deepEqual(seen, [100]);
      await reusedFor(c, 'again');
    },
  ),
);

test('1xx: a 1xx with a body-framing header (Content-Length: 4 and 4 bytes) is refused, not read as a body (ERR_PROTOCOL, protocol-error)', T, () =>
  // A 1xx has no content (RFC 9110 §15.2): the 4 bytes "EVIL" must be read as the start of the
  // next head, where they are not a status line.
  hostile(first([{ send: `HTTP/1.1 103 Early Hints\r\nContent-Length: 4\r\n\r\nEVIL${ok('ok')}` }, { stall: true }]), {}, (c) =>
    refused(c, 'ERR_PROTOCOL'),
  ),
);

test('1xx: an unrequested 101 Switching Protocols (the request had no Upgrade) is refused (ERR_PROTOCOL, protocol-error); what follows is never a response', T, () =>
  // RFC 9110 §15.2.2: a server MUST NOT switch to a protocol the request did not offer in
  // Upgrade. undici refuses this ("bad upgrade"); a caller who never asked for an upgrade does
  // not expect to own a raw socket.
  hostile(
    first([{ send: `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: evil\r\n\r\n${SMUGGLED}` }, { stall: true }]),
    {},
    async (c) => {
      let res: Response | null = null;
      try {
        await expectDiscarded(
          c,
          async () => {
            res = await c.client.get(c.server.url);
            return res.body.text();
          },
          'ERR_PROTOCOL',
          'protocol-error',
        );
      } finally {
        (res as Response | null)?.upgrade?.destroy();
      }
      const again = await c.client.get(c.server.url);
      assert.equal(await again.body.text(), 'c1');
      assert.equal(c.server.connections, 2);
    },
  ),
);
