// startTestServer (httpool/testing), Go's httptest.NewServer/NewTLSServer: real loopback servers
// over HTTP/1.1, TLS with the package's fixed test certificate, and HTTP/2; srv.client trusts
// that certificate and nothing else trusts it; close() leaves no socket or timer behind, even
// with a request in flight.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { Client, HttpoolError, TlsError, Transport, createFetch } from '../src/index.js';
import { startTestServer, TEST_CERT } from '../src/testing/index.js';
import { assertReleased, resources } from './support/clean.js';

function code(err: unknown): string {
  return err instanceof HttpoolError ? err.code : `not an HttpoolError: ${String(err)}`;
}

/** TCP handles (sockets, servers) this process has open. */
function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((k) => k.startsWith('TCP')).length;
}

/** Echoes what the server saw: method, URL, HTTP version, a header and the body. */
const echo = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, version: req.httpVersion, x: req.headers['x-test'] ?? null, body }));
  });
};

interface Echo {
  method: string;
  url: string;
  version: string;
  x: string | null;
  body: string;
}

test('http: a loopback URL, srv.client reaches the handler, and close() leaves nothing', async () => {
  const before = resources();
  const tcp = tcpHandles();
  const srv = await startTestServer(echo);
  assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(srv.url, `http://127.0.0.1:${srv.port}`);
  assert.equal(srv.certificate, null);
  const res = await srv.client.post(`${srv.url}/p?q=1`, 'text/plain', 'hello', { headers: { 'x-test': 'yes' } });
  assert.equal(res.statusCode, 200);
  assert.equal(res.proto, 'HTTP/1.1');
  assert.deepEqual(await res.body.json<Echo>(), { method: 'POST', url: '/p?q=1', version: '1.1', x: 'yes', body: 'hello' });
  // The connection is kept: a second request reuses it.
  await (await srv.client.get(srv.url)).body.text();
  assert.equal(srv.transport.stats().totals.opened, 1);
  assert.equal(srv.transport.stats().totals.reused, 1);
  assert.ok(tcpHandles() > tcp);

  await srv.close();
  assert.equal(tcpHandles(), tcp, 'no socket or listener left once close() resolves');
  await assertReleased(before);
  await srv.close(); // twice is fine
  await assert.rejects(srv.client.get(srv.url), (e: unknown) => code(e) === 'ERR_TRANSPORT_CLOSED', "the client's transport is closed with it");
});

test('tls: https URL, srv.client trusts the test certificate; a plain Client does not (ERR_TLS)', async () => {
  const before = resources();
  const srv = await startTestServer(echo, { tls: true });
  try {
    assert.match(srv.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await srv.client.get(`${srv.url}/secure`);
    assert.equal(res.proto, 'HTTP/1.1', 'TLS without http2 is HTTP/1.1');
    assert.deepEqual(await res.body.json<Echo>(), { method: 'GET', url: '/secure', version: '1.1', x: null, body: '' });

    // Trusted by srv.client only: the default Transport (system roots) refuses it.
    await assert.rejects(new Client().get(srv.url), (e: unknown) => {
      assert.ok(e instanceof TlsError, `a TlsError, got ${String(e)}`);
      assert.equal(code(e), 'ERR_TLS');
      return true;
    });
    const own = new Transport();
    await assert.rejects(new Client({ transport: own }).get(srv.url), (e: unknown) => code(e) === 'ERR_TLS');
    await own.close();

    // srv.certificate is what the server presents: another Transport can trust it explicitly.
    assert.equal(srv.certificate, TEST_CERT);
    const trusting = new Transport({ tls: { ca: srv.certificate! } });
    const via = await new Client({ transport: trusting }).get(srv.url);
    assert.equal(via.statusCode, 200);
    await via.body.close();
    await trusting.close();

    // fetch over srv.client.
    const f = createFetch(srv.client);
    const fr = await f(`${srv.url}/fetched`, { method: 'PUT', body: 'b' });
    assert.deepEqual(await fr.json(), { method: 'PUT', url: '/fetched', version: '1.1', x: null, body: 'b' });
  } finally {
    await srv.close();
  }
  await assertReleased(before);
});

test('the fixed test certificate: EC P-256, valid to 2126, for 127.0.0.1, ::1, localhost and example.com', () => {
  const cert = new X509Certificate(TEST_CERT);
  assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.equal(new Date(cert.validTo).getUTCFullYear(), 2126);
  assert.ok(new Date(cert.validFrom) <= new Date(), 'valid already');
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(cert.checkIP('::1'), '::1');
  assert.equal(cert.checkHost('localhost'), 'localhost');
  assert.equal(cert.checkHost('example.com'), 'example.com');
  assert.equal(cert.checkHost('example.org'), undefined);
});

test('http2: srv.client negotiates h2 (res.proto HTTP/2.0, concurrent requests on one connection); HTTP/1.1 still served', async () => {
  const before = resources();
  const srv = await startTestServer(echo, { http2: true });
  try {
    assert.match(srv.url, /^https:\/\//, 'http2 implies TLS');
    const first = await srv.client.get(`${srv.url}/first`);
    assert.equal(first.proto, 'HTTP/2.0');
    assert.equal((await first.body.json<Echo>()).version, '2.0');
    const results = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const res = await srv.client.post(`${srv.url}/h2/${i}`, 'text/plain', `n${i}`, { headers: { 'x-test': String(i) } });
        return { proto: res.proto, body: await res.body.json<Echo>() };
      }),
    );
    for (const [i, r] of results.entries()) {
      assert.equal(r.proto, 'HTTP/2.0');
      assert.deepEqual(r.body, { method: 'POST', url: `/h2/${i + 1}`, version: '2.0', x: String(i + 1), body: `n${i + 1}` });
    }
    assert.equal(srv.transport.stats().totals.opened, 1, 'the later streams shared the first HTTP/2 connection');

    // allowHTTP1: a client that offers only http/1.1 gets HTTP/1.1 from the same handler.
    const h1 = new Transport({ forceAttemptHTTP2: false, tls: { ca: srv.certificate! } });
    const res = await new Client({ transport: h1 }).get(`${srv.url}/h1`);
    assert.equal(res.proto, 'HTTP/1.1');
    assert.equal((await res.body.json<Echo>()).version, '1.1');
    await h1.close();
  } finally {
    await srv.close();
  }
  await assertReleased(before);
});

test('close() with a request in flight (http, tls, http2): the request fails, nothing is left behind', async () => {
  for (const opts of [{}, { tls: true }, { http2: true }]) {
    const before = resources();
    const tcp = tcpHandles();
    let arrived!: () => void;
    const reached = new Promise<void>((r) => (arrived = r));
    const srv = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      arrived();
      // never ends
    }, opts);
    const res = await srv.client.get(srv.url);
    await reached;
    const failed = assert.rejects(res.body.text(), (e: unknown) => e instanceof HttpoolError, `the in-flight body fails (${JSON.stringify(opts)})`);
    await srv.close();
    await failed;
    assert.equal(tcpHandles(), tcp, `no socket or listener left once close() resolves (${JSON.stringify(opts)})`);
    await assertReleased(before);
  }
});

test('a handler that throws or rejects answers 500 naming the failure; `await using` closes the server', async () => {
  const before = resources();
  {
    await using srv = await startTestServer(async (req, res) => {
      if (req.url === '/sync') throw new Error('sync boom');
      await Promise.resolve();
      if (req.url === '/async') throw new Error('async boom');
      res.end('fine');
    });
    const sync = await srv.client.get(`${srv.url}/sync`);
    assert.equal(sync.statusCode, 500);
    assert.match(await sync.body.text(), /sync boom/);
    const asyncRes = await srv.client.get(`${srv.url}/async`);
    assert.equal(asyncRes.statusCode, 500);
    assert.match(await asyncRes.body.text(), /async boom/);
    assert.equal(await (await srv.client.get(`${srv.url}/ok`)).body.text(), 'fine');
  }
  await assertReleased(before);
});

test('options reach srv.client: its Transport options (tls merged with the test CA) and Client options', async () => {
  const before = resources();
  const srv = await startTestServer(echo, { tls: true, transport: { maxConnsPerHost: 1, tls: { rejectUnauthorized: true } }, client: { headers: { 'x-test': 'default' } } });
  try {
    assert.equal(srv.transport.options.maxConnsPerHost, 1);
    const bodies = await Promise.all([1, 2].map(async () => (await srv.client.get(srv.url)).body.json<Echo>()));
    assert.deepEqual(bodies.map((b) => b.x), ['default', 'default']);
    assert.equal(srv.transport.stats().totals.opened, 1, 'maxConnsPerHost 1: one connection');
  } finally {
    await srv.close();
  }
  await assertReleased(before);
});
