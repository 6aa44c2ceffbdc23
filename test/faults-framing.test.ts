// Fault catalogue, wire framing: hostile servers that lie about where a response ends. Each case
// runs against a scripted raw TCP server (test/support/faults.ts) inside `hostile()`, which checks
// that nothing (descriptor, socket, timer) is left behind, and each checks what happens to the
// connection: refused responses fail with a stable code and the connection is closed for a
// stated reason; accepted ones say whether the connection was reused.
//
// Policies are those of docs/RELIABILITY.md and src/h1/parse.ts, src/h1/chunked.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Request, type CloseReason, type Response } from '../src/index.js';
import { expectDiscarded, first, hostile, ok, reusedFor, SMUGGLED, type CaseContext } from './support/catalogue.js';
import type { Step } from './support/faults.js';

const T = { timeout: 15_000 };

/** Opened by the test when the client has reached the state a gated script waits for. */
interface Gate {
  open: boolean;
}

/**
 * Like `first`, but connection 0 runs `pre`, then waits (polling every 5 ms, at most 3 s) until
 * the test opens `gate`, then runs `post`. The steps after `pre` are computed as the fault
 * server's loop reaches them (index getters), so the wait is not a guess at how long the
 * client takes: a server timer would let a slow client read "later" bytes together with
 * the response before them.
 */
function gated(gate: Gate, pre: Step[], post: Step[]) {
  return (i: number): Step[] => {
    if (i !== 0) return [{ read: 'request' }, { send: ok(`c${i}`) }, { stall: true }];
    const steps: Step[] = [{ read: 'request' }, ...pre];
    const base = steps.length;
    let openedAt = -1;
    for (let k = base; k < base + 600 + post.length; k++) {
      Object.defineProperty(steps, k, {
        enumerable: true,
        get: (): Step => {
          if (openedAt < 0 && gate.open) openedAt = k;
          if (openedAt < 0) return { wait: 5 };
          return post[k - openedAt] ?? { stall: true };
        },
      });
    }
    return steps;
  };
}

/**
 * The request fails with `code`, at the head (the call rejects) or in the body (the call
 * resolves, reading the body rejects); the connection is closed for `reason`, nothing idle or
 * active is left, and the request was sent once (no retry after response bytes arrived).
 */
async function refused(
  c: CaseContext,
  stage: 'head' | 'body',
  code: string,
  reason: CloseReason,
  method = 'GET',
): Promise<void> {
  let res: Response | null = null;
  await expectDiscarded(
    c,
    async () => {
      res = await c.client.do(new Request(method, c.server.url));
      return res.body.text();
    },
    code,
    reason,
  );
  assert.equal(res !== null, stage === 'body', stage === 'body' ? 'the head is delivered, then the body fails' : 'the call fails before any head is delivered');
  assert.equal(c.server.connections, 1, 'one connection');
  assert.equal(c.server.heads.length, 1, 'the request was not retried');
}

/**
 * The first connection is gone: a second request is answered by a new connection, correctly.
 * The wait for the close is bounded but not itself the assertion, so a client that kept the
 * connection shows what it then did: the next request reads the planted bytes, or hangs
 * (cut off after 2 s).
 */
async function freshFor(c: CaseContext, reason: CloseReason): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (c.transport.stats().totals.closed[reason] !== 1 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 2_000);
  try {
    const again = await c.client.get(c.server.url, { signal: ac.signal });
    assert.equal(await again.body.text(), 'c1', 'the next request is answered by its own response');
  } finally {
    clearTimeout(timer);
  }
  assert.equal(c.server.connections, 2, 'a new connection was dialed');
  const s = c.transport.stats().totals;
  assert.deepEqual(s.closed, { [reason]: 1 });
  assert.equal(s.reused, 0);
}

// The first socket a process opens allocates a descriptor Node keeps for good (lazy init);
// one ordinary exchange up front keeps it out of the first case's leak check.
// ---------------------------------------------------------------- Content-Length and Transfer-Encoding

test('framing: Content-Length and Transfer-Encoding together are refused (ERR_PROTOCOL, protocol-error)', T, () =>
  hostile(
    first([{ send: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' }, { stall: true }]),
    {},
    (c) => refused(c, 'head', 'ERR_PROTOCOL', 'protocol-error'),
  ),
);

test('framing: Transfer-Encoding before Content-Length: refused the same way (ERR_PROTOCOL, protocol-error)', T, () =>
  hostile(
    first([{ send: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n5\r\nhello\r\n0\r\n\r\n' }, { stall: true }]),
    {},
    (c) => refused(c, 'head', 'ERR_PROTOCOL', 'protocol-error'),
  ),
);

const BAD_LENGTHS: [string, string][] = [
  ['two differing Content-Length headers', 'Content-Length: 5\r\nContent-Length: 6\r\n'],
  ['a Content-Length list with differing values', 'Content-Length: 5, 6\r\n'],
  ['Content-Length "+5"', 'Content-Length: +5\r\n'],
  ['Content-Length "-1"', 'Content-Length: -1\r\n'],
  ['Content-Length in hex "0x5"', 'Content-Length: 0x5\r\n'],
  ['Content-Length of 20 digits', 'Content-Length: 12345678901234567890\r\n'],
  ['Content-Length of 16 digits (over the 15-digit limit)', 'Content-Length: 0000000000000005\r\n'],
  ['an empty Content-Length', 'Content-Length: \r\n'],
];
for (const [name, field] of BAD_LENGTHS) {
  test(`framing: ${name}: refused (ERR_PROTOCOL, protocol-error)`, T, () =>
    hostile(first([{ send: `HTTP/1.1 200 OK\r\n${field}\r\nhello!` }, { stall: true }]), {}, (c) =>
      refused(c, 'head', 'ERR_PROTOCOL', 'protocol-error'),
    ),
  );
}

test('framing: identical duplicate Content-Lengths ("5, 5" and a repeated header) are accepted and the connection reused', T, () =>
  hostile(
    [
      { read: 'request' },
      { send: 'HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\nhello' },
      { read: 'request' },
      { send: ok('again') },
      { stall: true },
    ],
    {},
    async (c) => {
      const res = await c.client.get(c.server.url);
      assert.equal(res.contentLength, 5);
      assert.equal(await res.body.text(), 'hello');
      await reusedFor(c, 'again');
    },
  ),
);

// ---------------------------------------------------------------- chunked

const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';

const BAD_CHUNKS: [string, string][] = [
  ['a chunk size that overflows (18 hex digits)', 'ffffffffffffffffff\r\nhello\r\n0\r\n\r\n'],
  ['a chunk size over 15 hex digits even when small (leading zeros)', '0000000000000005\r\nhello\r\n0\r\n\r\n'],
  ['a non-hex chunk size', 'zz\r\nhello\r\n0\r\n\r\n'],
  ['a negative chunk size', '-5\r\nhello\r\n0\r\n\r\n'],
  ['an empty chunk size line', '\r\nhello\r\n0\r\n\r\n'],
  ['a chunk size followed by junk (not an extension)', '5 x\r\nhello\r\n0\r\n\r\n'],
  ['chunk data not followed by CRLF', '5\r\nhelloXX0\r\n\r\n'],
  ['chunk data followed by CR and no LF', '5\r\nhello\rX0\r\n\r\n'],
  ['a chunk line ending in a bare CR', '5\rhello\r\n0\r\n\r\n'],
  ['a complete chunk-size line whose extensions exceed 4 KiB', `5;ext=${'e'.repeat(5000)}\r\nhello\r\n0\r\n\r\n`],
  ['a NUL in a chunk extension', '5;ext=a\0b\r\nhello\r\n0\r\n\r\n'],
];
for (const [name, body] of BAD_CHUNKS) {
  test(`chunked: ${name}: refused mid-body (ERR_PROTOCOL, protocol-error)`, T, () =>
    hostile(first([{ send: CHUNKED + body }, { stall: true }]), {}, (c) => refused(c, 'body', 'ERR_PROTOCOL', 'protocol-error')),
  );
}

test('chunked: an endless chunk extension (1 MiB, no line end, connection held open) hits the 4 KiB limit instead of buffering', T, () =>
  hostile(first([{ send: `${CHUNKED}5;ext=${'e'.repeat(1 << 20)}` }, { stall: true }]), {}, (c) =>
    refused(c, 'body', 'ERR_PROTOCOL', 'protocol-error'),
  ),
);

test('chunked: a body missing its last chunk, then FIN, is truncated (ERR_PROTOCOL, read-error), never a short body', T, () =>
  hostile(first([{ send: `${CHUNKED}5\r\nhello\r\n` }, { fin: true }]), {}, (c) => refused(c, 'body', 'ERR_PROTOCOL', 'read-error')),
);

test('chunked: FIN in the middle of chunk data is truncated (ERR_PROTOCOL, read-error)', T, () =>
  hostile(first([{ send: `${CHUNKED}a\r\nhello` }, { fin: true }]), {}, (c) => refused(c, 'body', 'ERR_PROTOCOL', 'read-error')),
);

// Chunk-size lines llhttp (Node's parser, strict by default) refuses, and bare LFs in chunked
// framing: disagreement about where a chunk ends is what response splitting and queue
// poisoning are made of, so each is refused mid-body, and the connection is never reused (the
// next request dials afresh and gets its own answer). RFC 9112 §7.1.
const STRICT_CHUNK_LINES: [string, string][] = [
  ['whitespace after the chunk size without an extension ("25  ")', `25  \r\n${'x'.repeat(0x25)}\r\n0\r\n\r\n`],
  ['a tab after the chunk size', '5\t\r\nhello\r\n0\r\n\r\n'],
  ['whitespace between the chunk size and an extension ("5 ;a=b")', '5 ;a=b\r\nhello\r\n0\r\n\r\n'],
  ['an empty chunk extension ("5;")', '5;\r\nhello\r\n0\r\n\r\n'],
  ['an empty extension after another ("5;a=b;")', '5;a=b;\r\nhello\r\n0\r\n\r\n'],
  ['an extension with an empty value ("5;a=")', '5;a=\r\nhello\r\n0\r\n\r\n'],
  ['an unbalanced quote in a chunk extension', '5;a="b\r\nhello\r\n0\r\n\r\n'],
  ['text after a quoted extension value', '5;a="b"c\r\nhello\r\n0\r\n\r\n'],
  ['whitespace inside a chunk extension ("5;a = b")', '5;a = b\r\nhello\r\n0\r\n\r\n'],
  ['an empty extension on the last chunk ("0;")', '5\r\nhello\r\n0;\r\n\r\n'],
  ['a bare LF after chunk data', `5\r\nhello\n0\r\n\r\n`],
  ['a chunk-size line ending in a bare LF', '5\nhello\r\n0\r\n\r\n'],
  ['a last chunk ending in a bare LF', '5\r\nhello\r\n0\n\r\n'],
  ['a trailer line ending in a bare LF', '5\r\nhello\r\n0\r\nX-T: 1\n\r\n'],
  ['a trailer section ending in a bare LF', '5\r\nhello\r\n0\r\n\n'],
];
for (const [name, body] of STRICT_CHUNK_LINES) {
  test(`chunked: ${name}: refused mid-body (ERR_PROTOCOL, protocol-error), never reused`, T, () =>
    hostile(first([{ send: CHUNKED + body }, { stall: true }]), {}, async (c) => {
      await refused(c, 'body', 'ERR_PROTOCOL', 'protocol-error');
      await freshFor(c, 'protocol-error');
    }),
  );
}

test('chunked: a bare LF after chunk data with a response planted behind it is refused; the planted response reaches nobody', T, () =>
  hostile(first([{ send: `${CHUNKED}5\r\nhello\n0\r\n\r\n${SMUGGLED}` }, { stall: true }]), {}, async (c) => {
    await refused(c, 'body', 'ERR_PROTOCOL', 'protocol-error');
    await freshFor(c, 'protocol-error');
  }),
);

test('chunked: extensions in the RFC 9112 §7.1.1 grammar (tokens, quoted strings with quoted-pairs) are accepted and the connection reused', T, () =>
  hostile(
    [
      { read: 'request' },
      { send: `${CHUNKED}5;a=b;flag\r\nhello\r\n6;q="x;\\"y\t z"\r\n world\r\n0;last\r\nX-T: 1\r\n\r\n` },
      { read: 'request' },
      { send: ok('again') },
      { stall: true },
    ],
    {},
    async (c) => {
      const res = await c.client.get(c.server.url);
      assert.equal(await res.body.text(), 'hello world');
      assert.equal(res.trailers.get('x-t'), '1');
      await reusedFor(c, 'again');
    },
  ),
);

test('chunked: trailers naming Content-Length or Transfer-Encoding are dropped, not applied; the connection is reused', T, () =>
  hostile(
    [
      { read: 'request' },
      {
        send:
          `${CHUNKED}5\r\nhello\r\n0\r\n` +
          'Content-Length: 99\r\nTransfer-Encoding: chunked\r\nConnection: close\r\nX-Sum: abc\r\n\r\n',
      },
      { read: 'request' },
      { send: ok('again') },
      { stall: true },
    ],
    {},
    async (c) => {
      const res = await c.client.get(c.server.url);
      assert.equal(await res.body.text(), 'hello');
      const tr = res.trailers;
      assert.equal(tr.get('x-sum'), 'abc');
      assert.equal(tr.get('content-length'), null);
      assert.equal(tr.get('transfer-encoding'), null);
      assert.equal(tr.get('connection'), null);
      await reusedFor(c, 'again');
    },
  ),
);

// ---------------------------------------------------------------- truncation

test('length: a body shorter than its Content-Length, then FIN, fails (ERR_PROTOCOL, read-error), never a short body', T, () =>
  hostile(first([{ send: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello' }, { fin: true }]), {}, (c) =>
    refused(c, 'body', 'ERR_PROTOCOL', 'read-error'),
  ),
);

test('length: a body shorter than its Content-Length, then RST, fails (ERR_READ, read-error), never a short body', T, () => {
  const gate: Gate = { open: false };
  return hostile(gated(gate, [{ send: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello' }], [{ rst: true }]), {}, async (c) => {
    const res = await c.client.get(c.server.url);
    gate.open = true; // the head is in; now the reset
    await expectDiscarded(c, () => res.body.text(), 'ERR_READ', 'read-error');
    assert.equal(c.server.heads.length, 1, 'the request was not retried');
  });
});

test('length: FIN inside the response head fails (ERR_PROTOCOL, read-error)', T, () =>
  hostile(first([{ send: 'HTTP/1.1 200 OK\r\nContent-Len' }, { fin: true }]), {}, (c) =>
    refused(c, 'head', 'ERR_PROTOCOL', 'read-error'),
  ),
);

// ---------------------------------------------------------------- bytes past the end

test('extra bytes: a response smuggled after a Content-Length body is not delivered; the first response is, and its connection closes (protocol-error)', T, () =>
  hostile(first([{ send: ok('ok') + SMUGGLED }, { stall: true }]), {}, async (c) => {
    const res = await c.client.get(c.server.url);
    assert.equal(await res.body.text(), 'ok');
    await freshFor(c, 'protocol-error');
  }),
);

test('extra bytes: a response smuggled after the last chunk is not delivered; the connection closes (protocol-error)', T, () =>
  hostile(first([{ send: `${CHUNKED}2\r\nok\r\n0\r\n\r\n${SMUGGLED}` }, { stall: true }]), {}, async (c) => {
    const res = await c.client.get(c.server.url);
    assert.equal(await res.body.text(), 'ok');
    await freshFor(c, 'protocol-error');
  }),
);

test('extra bytes: a body longer than its Content-Length is cut at the declared length; the connection closes (protocol-error)', T, () =>
  hostile(first([{ send: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello, and more' }, { stall: true }]), {}, async (c) => {
    const res = await c.client.get(c.server.url);
    assert.equal(await res.body.text(), 'hello');
    await freshFor(c, 'protocol-error');
  }),
);

// ---------------------------------------------------------------- responses that have no body

const NO_BODY: [string, string, string][] = [
  ['HEAD', 'HEAD', 'HTTP/1.1 200 OK'],
  ['204', 'GET', 'HTTP/1.1 204 No Content'],
  ['304', 'GET', 'HTTP/1.1 304 Not Modified'],
];
for (const [name, method, status] of NO_BODY) {
  test(`no body: a ${name} response sent with body bytes (a whole smuggled response) is delivered empty; the bytes are never the next response (protocol-error)`, T, () =>
    hostile(first([{ send: `${status}\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}` }, { stall: true }]), {}, async (c) => {
      const res = await c.client.do(new Request(method, c.server.url));
      assert.equal(res.status, status.slice(9));
      assert.equal(res.contentLength, method === 'HEAD' ? SMUGGLED.length : 0, 'HEAD keeps the declared length');
      assert.equal(await res.body.text(), '');
      await freshFor(c, 'protocol-error');
    }),
  );

  test(`no body: a ${name} response declaring Content-Length: 5 with no body bytes completes at once and its connection is reused`, T, () =>
    hostile(
      [{ read: 'request' }, { send: `${status}\r\nContent-Length: 5\r\n\r\n` }, { read: 'request' }, { send: ok('again') }, { stall: true }],
      {},
      async (c) => {
        const res = await c.client.do(new Request(method, c.server.url));
        assert.equal(await res.body.text(), '');
        await reusedFor(c, 'again');
      },
    ),
  );
}

test('no body: a 204 declaring Transfer-Encoding: chunked with a chunked body after it is delivered empty; the connection closes (protocol-error)', T, () =>
  hostile(
    first([{ send: `HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n` }, { stall: true }]),
    {},
    async (c) => {
      const res = await c.client.get(c.server.url);
      assert.equal(res.statusCode, 204);
      assert.equal(await res.body.text(), '');
      await freshFor(c, 'protocol-error');
    },
  ),
);

// ---------------------------------------------------------------- empty lines before a status line

test('status line: up to 4 empty lines (CRLF or LF, split across packets) before it are skipped, as llhttp does; the connection is reused', T, () =>
  hostile(
    [
      { read: 'request' },
      { send: '\r\n\r' },
      { wait: 20 },
      { send: '\n\n' },
      { wait: 20 },
      { send: '\r\n' + ok('hello') },
      { read: 'request' },
      { send: '\n' + ok('again') },
      { stall: true },
    ],
    {},
    async (c) => {
      const res = await c.client.get(c.server.url);
      assert.equal(await res.body.text(), 'hello');
      await reusedFor(c, 'again');
    },
  ),
);

test('status line: a 5th empty line before it is refused (ERR_PROTOCOL, protocol-error), never reused', T, () =>
  hostile(first([{ send: '\r\n\n\r\n\n\r\n' + ok('hello') }, { stall: true }]), {}, async (c) => {
    await refused(c, 'head', 'ERR_PROTOCOL', 'protocol-error');
    await freshFor(c, 'protocol-error');
  }),
);

test('status line: an endless run of empty lines is refused at the 5th, not read forever', T, () =>
  hostile(first([{ send: '\r\n'.repeat(10_000) }, { stall: true }]), {}, async (c) => {
    await refused(c, 'head', 'ERR_PROTOCOL', 'protocol-error');
    await freshFor(c, 'protocol-error');
  }),
);

// ---------------------------------------------------------------- the idle connection

/** After one good exchange the connection idles in the pool; then the server sends `later`. */
function idleCase(later: Step[], reason: CloseReason) {
  const gate: Gate = { open: false };
  return hostile(gated(gate, [{ send: ok('c0') }], later), {}, async (c) => {
    const res = await c.client.get(c.server.url);
    assert.equal(await res.body.text(), 'c0');
    assert.equal(c.transport.stats().totals.idle, 1, 'the connection is idle in the pool');
    gate.open = true;
    await freshFor(c, reason);
  });
}

test('idle: an unsolicited response written to an idle pooled connection is never delivered to the next request (protocol-error)', T, () =>
  idleCase([{ send: SMUGGLED }, { stall: true }], 'protocol-error'),
);

test('idle: a 408 Request Timeout on an idle connection, then FIN, closes it as server-closed; the next request succeeds on a new connection', T, () =>
  idleCase([{ send: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n' }, { fin: true }], 'server-closed'),
);

test('idle: a 408 on an idle connection whose server keeps it open is still closed (server-closed), never read as a response', T, () =>
  idleCase([{ send: 'HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n' }, { stall: true }], 'server-closed'),
);

test('idle: an HTTP/1.0 408 on an idle connection, then FIN, closes it as server-closed like HTTP/1.1\'s', T, () =>
  idleCase([{ send: 'HTTP/1.0 408 Request Timeout\r\nContent-Length: 0\r\n\r\n' }, { fin: true }], 'server-closed'),
);

test('idle: an HTTP/1.0 408 on an idle connection whose server keeps it open is closed (server-closed), never read as a response', T, () =>
  idleCase([{ send: 'HTTP/1.0 408 Request Timeout\r\n\r\n' }, { stall: true }], 'server-closed'),
);

test('idle: an empty line on an idle pooled connection closes it (protocol-error): empty lines are skipped only before an expected response', T, () =>
  idleCase([{ send: '\r\n' }, { stall: true }], 'protocol-error'),
);
