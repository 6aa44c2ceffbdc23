// Fault catalogue, request side: a caller (or the data it forwards) trying to put CR, LF or
// NUL into the request line or a header (request splitting / header injection), and framing
// headers that disagree. Every such request is refused with a typed error before a single byte
// is written: the fault server must see zero bytes, and zero connections (the head is built and
// validated before a connection is taken from the pool).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Headers, Request, type Transport } from '../src/index.js';
import { hostile, type CaseContext } from './support/catalogue.js';
import { code } from './support/clients.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const ANSWER = [{ read: 'request' }, { send: OK }] as const;

/** Nothing reached the server: no connection, no byte. */
function nothingSent(c: CaseContext): void {
  assert.equal(c.server.connections, 0, 'no connection was opened');
  assert.equal(c.server.received.reduce((n, b) => n + b.length, 0), 0, 'no byte was written');
  const s = c.transport.stats().totals;
  assert.equal(s.opened + s.dialing + s.active + s.idle, 0, 'the pool was never touched');
}

/** Sends `make()` (which may throw synchronously, as a constructor does) and expects `errCode`. */
async function refused(c: CaseContext, make: () => Promise<unknown>, errCode: string): Promise<void> {
  await assert.rejects(async () => make(), code(errCode));
}

/** The same request through the Transport directly, past the Client. */
function roundTrip(t: Transport, req: Request): Promise<unknown> {
  return t.roundTrip(req);
}

const BAD = { CR: '\r', LF: '\n', NUL: '\0', CRLF: '\r\n' } as const;

test('request: CR, LF or NUL in the method — ERR_INVALID_METHOD, nothing written', async () => {
  await hostile(ANSWER, {}, async (c) => {
    for (const ch of Object.values(BAD)) {
      const method = `GET${ch}X-Injected: 1${ch}`;
      // Refused when the Request is built…
      await refused(c, () => c.client.do(new Request(method, c.server.url)), 'ERR_INVALID_METHOD');
      // …and again by the writer, for a caller that changes it afterwards (plain JS).
      const req = new Request('GET', c.server.url);
      (req as unknown as { method: string }).method = method;
      await refused(c, () => c.client.do(req), 'ERR_INVALID_METHOD');
      await refused(c, () => roundTrip(c.transport, req), 'ERR_INVALID_METHOD');
    }
    nothingSent(c);
  });
});

test('request: CR, LF or NUL in the URL path or query — ERR_INVALID_URL, nothing written', async () => {
  await hostile(ANSWER, {}, async (c) => {
    for (const ch of Object.values(BAD)) {
      for (const url of [
        `${c.server.url}/a${ch}b`,
        `${c.server.url}/a${ch}X-Injected: 1`,
        `${c.server.url}/?q=1${ch}X-Injected: 1`,
        `${c.server.url}/p?q=${ch}`,
      ]) {
        await refused(c, () => c.client.get(url), 'ERR_INVALID_URL');
        await refused(c, () => c.client.do(new Request('GET', url)), 'ERR_INVALID_URL');
      }
    }
    nothingSent(c);
  });
});

test('request: a URL object whose path or query getters return CR/LF (getters redefined on the object) — refused by the writer with ERR_INVALID_URL, nothing written', async () => {
  /** A URL (instanceof URL holds) whose getter returns what plain JS code can make it return. */
  const lying = (base: string, prop: 'pathname' | 'search', value: string): URL => {
    const u = new URL(base);
    Object.defineProperty(u, prop, { get: () => value });
    return u;
  };
  await hostile(ANSWER, {}, async (c) => {
    for (const u of [
      lying(c.server.url, 'pathname', '/a HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET /b'),
      lying(c.server.url, 'search', '?q=\r\nX-Injected: 1'),
      lying(c.server.url, 'pathname', '/a\0b'),
    ]) {
      await refused(c, () => c.client.get(u), 'ERR_INVALID_URL');
      await refused(c, () => roundTrip(c.transport, new Request('GET', u)), 'ERR_INVALID_URL');
    }
    nothingSent(c);
  });
});

test('request: a plain URL object cannot carry raw CR, LF or NUL — WHATWG parsing strips or percent-encodes them (accepted, nothing raw on the wire)', async () => {
  await hostile(ANSWER, {}, async (c) => {
    // new URL() drops TAB/CR/LF and percent-encodes NUL before httpool sees the URL.
    const u = new URL(`${c.server.url}/a\r\nX-Injected:%201/\0?q=\r\n1`);
    const res = await c.client.get(u);
    assert.equal(await res.body.text(), 'ok');
    assert.equal(c.server.heads.length, 1);
    const head = c.server.heads[0]!;
    const requestLine = head.split('\r\n')[0]!;
    assert.equal(requestLine, 'GET /aX-Injected:%201/%00?q=1 HTTP/1.1');
    assert.doesNotMatch(head, /\r\nX-Injected/i);
    assert.doesNotMatch(c.server.received[0]!.toString('latin1'), /\0/);
  });
});

test('request: CR, LF or NUL in a header name — ERR_INVALID_HEADER, nothing written', async () => {
  await hostile(ANSWER, {}, async (c) => {
    for (const ch of Object.values(BAD)) {
      const name = `X-A${ch}X-Injected`;
      await refused(c, () => c.client.get(c.server.url, { headers: { [name]: 'v' } }), 'ERR_INVALID_HEADER');
      await refused(c, () => c.client.do(new Request('GET', c.server.url, { headers: [[name, 'v']] })), 'ERR_INVALID_HEADER');
      await refused(c, () => c.client.post(c.server.url, 'text/plain', 'body', { headers: new Headers().append(name, 'v') }), 'ERR_INVALID_HEADER');
    }
    // A name that ends in a colon would also split the line.
    await refused(c, () => c.client.get(c.server.url, { headers: { 'X-A: b\r\nX-Injected': 'v' } }), 'ERR_INVALID_HEADER');
    nothingSent(c);
  });
});

test('request: CR, LF or NUL in a header value — ERR_INVALID_HEADER, nothing written (per request, and from Client default headers)', async () => {
  await hostile(ANSWER, {}, async (c) => {
    for (const ch of Object.values(BAD)) {
      const value = `v${ch}X-Injected: 1`;
      await refused(c, () => c.client.get(c.server.url, { headers: { 'X-A': value } }), 'ERR_INVALID_HEADER');
      await refused(c, () => c.client.get(c.server.url, { headers: { 'X-A': ['fine', value] } }), 'ERR_INVALID_HEADER');
      await refused(c, () => c.client.post(c.server.url, `text/plain${ch}X-Injected: 1`, 'body'), 'ERR_INVALID_HEADER');
      const withDefaults = new Client({ transport: c.transport, headers: { 'X-Default': value } });
      await refused(c, () => withDefaults.get(c.server.url), 'ERR_INVALID_HEADER');
    }
    nothingSent(c);
  });
});

test('request: CR or LF in a Host header set by the caller — ERR_INVALID_HEADER, nothing written', async () => {
  await hostile(ANSWER, {}, async (c) => {
    for (const ch of Object.values(BAD)) {
      await refused(
        c,
        () => c.client.get(c.server.url, { headers: { Host: `evil.example${ch}X-Injected: 1` } }),
        'ERR_INVALID_HEADER',
      );
    }
    nothingSent(c);
  });
});

test('request: CR/LF in the Host taken from the URL (its host getter redefined) — ERR_INVALID_URL, nothing written', async () => {
  await hostile(ANSWER, {}, async (c) => {
    const u = new URL(c.server.url);
    Object.defineProperty(u, 'host', { get: () => `127.0.0.1:${c.server.port}\r\nX-Injected: 1` });
    await refused(c, () => c.client.get(u), 'ERR_INVALID_URL');
    nothingSent(c);
  });
});

test('request: a header value given as an object whose toString() returns CR/LF (a JS caller) — ERR_INVALID_HEADER, nothing written', async () => {
  await hostile(ANSWER, {}, async (c) => {
    const evil = { toString: () => 'v\r\nX-Injected: 1' } as unknown as string;
    await refused(c, () => c.client.get(c.server.url, { headers: { 'X-A': evil } }), 'ERR_INVALID_HEADER');
    await refused(c, () => c.client.get(c.server.url, { headers: { 'X-A': [evil] } }), 'ERR_INVALID_HEADER');
    await refused(c, () => c.client.get(c.server.url, { headers: [['X-A', evil]] }), 'ERR_INVALID_HEADER');
    await refused(c, () => c.client.get(c.server.url, { headers: new Headers().append('X-A', evil) }), 'ERR_INVALID_HEADER');
    // An object name too.
    const evilName = { toString: () => 'X-A\r\nX-Injected' } as unknown as string;
    await refused(c, () => c.client.get(c.server.url, { headers: new Headers().append(evilName, 'v') }), 'ERR_INVALID_HEADER');
    nothingSent(c);
  });
});

test('request: a header object whose toString() is harmless once and hostile afterwards — read once, the harmless value is what goes out', async () => {
  await hostile(ANSWER, {}, async (c) => {
    let calls = 0;
    const shifty = { toString: () => (calls++ === 0 ? 'harmless' : 'v\r\nX-Injected: 1') } as unknown as string;
    const res = await c.client.get(c.server.url, { headers: { 'X-A': shifty } });
    assert.equal(await res.body.text(), 'ok');
    assert.equal(calls, 1, 'the value was turned into a string exactly once');
    assert.match(c.server.heads[0]!, /\r\nX-A: harmless(\r\n|$)/);
    assert.doesNotMatch(c.server.heads[0]!, /X-Injected/);
  });
});

test('request: Content-Length and content-length both set by the caller with different values — ERR_INVALID_HEADER, nothing written', async () => {
  await hostile(ANSWER, {}, async (c) => {
    const headers: [string, string][] = [
      ['Content-Length', '5'],
      ['content-length', '6'],
    ];
    await refused(c, () => c.client.do(new Request('POST', c.server.url, { body: 'hello', headers })), 'ERR_INVALID_HEADER');
    await refused(c, () => c.client.do(new Request('POST', c.server.url, { body: 'hello!', headers })), 'ERR_INVALID_HEADER');
    // A single Content-Length that disagrees with the body.
    await refused(c, () => c.client.do(new Request('POST', c.server.url, { body: 'hello', headers: { 'Content-Length': '4' } })), 'ERR_INVALID_BODY');
    // A Content-Length smuggling a second value or a line break.
    await refused(c, () => c.client.do(new Request('POST', c.server.url, { body: 'hello', headers: { 'Content-Length': '5\r\nContent-Length: 0' } })), 'ERR_INVALID_HEADER');
    await refused(c, () => c.client.do(new Request('POST', c.server.url, { body: 'hello', headers: { 'Content-Length': '5, 0' } })), 'ERR_INVALID_HEADER');
    nothingSent(c);
  });
});

test('request: Content-Length and content-length both set by the caller with the same value — accepted, exactly one Content-Length on the wire, matching the body', async () => {
  await hostile(ANSWER, {}, async (c) => {
    const headers: [string, string][] = [
      ['Content-Length', '5'],
      ['content-length', '5'],
    ];
    const res = await c.client.do(new Request('POST', c.server.url, { body: 'hello', headers }));
    assert.equal(await res.body.text(), 'ok');
    const wire = c.server.received[0]!.toString('latin1');
    assert.equal(wire.match(/\r\ncontent-length:/gi)?.length, 1, 'one framing field');
    assert.match(wire, /\r\nContent-Length: 5\r\n\r\nhello$/);
  });
});
