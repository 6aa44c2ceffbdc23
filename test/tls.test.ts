// TLS against nginx: verification on by default, the `tls` option (CA, client certificate,
// servername, rejectUnauthorized, versions, ciphers), SNI, session resumption,
// tlsHandshakeTimeout, and a plain-HTTP port reached with https:// reported as such.

import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { ConnectionOptions } from 'node:tls';
import { Client, Transport, type TLSHandshakeInfo, type TransportOptions } from '../src/index.js';
import { code } from './support/clients.js';
import { certificates, havePeer, nginx, type Nginx } from './support/peers.js';
import { rawServer } from './support/servers.js';
import { existsSync } from 'node:fs';

let ng: Nginx | null = null;

before(async () => {
  if (existsSync('/usr/sbin/nginx') && existsSync('/usr/bin/openssl')) ng = await nginx();
});
after(async () => {
  await ng?.stop();
});

function peer(t: TestContext): Nginx | null {
  if (!havePeer(t, 'nginx', 'openssl')) return null;
  assert.ok(ng, 'nginx started');
  return ng;
}

function setup(t: TestContext, tls: ConnectionOptions, opts: TransportOptions = {}) {
  const transport = new Transport({ tls, proxy: null, ...opts });
  t.after(() => transport.close());
  return { transport, client: new Client({ transport }) };
}

async function text(c: Client, url: string, init: Parameters<Client['get']>[1] = {}): Promise<string> {
  return (await c.get(url, init)).body.text();
}

test('verification is on by default: a certificate from an unknown CA is ERR_TLS', async (t) => {
  const n = peer(t);
  if (n === null) return;
  const { client, transport } = setup(t, {});
  await assert.rejects(client.get(`https://localhost:${n.https}/hello`), code('ERR_TLS', (e) => assert.match(e.message, /certificate/i)));
  assert.equal(transport.stats().totals.idle, 0);
});

test('tls.ca trusts the test CA; ALPN agrees on h2 by default and on http/1.1 when HTTP/2 is off', async (t) => {
  const n = peer(t);
  if (n === null) return;
  const alpn: Array<string | null> = [];
  const trace = { tlsHandshakeDone: (info: TLSHandshakeInfo) => alpn.push(info.alpn) };
  const h2 = setup(t, { ca: certificates().ca });
  const res = await h2.client.get(`https://localhost:${n.https}/proto`, { trace });
  assert.equal(res.proto, 'HTTP/2.0');
  assert.equal(await res.body.text(), 'HTTP/2.0');
  const h1 = setup(t, { ca: certificates().ca }, { forceAttemptHTTP2: false });
  const res1 = await h1.client.get(`https://localhost:${n.https}/proto`, { trace });
  assert.equal(res1.proto, 'HTTP/1.1');
  assert.equal(await res1.body.text(), 'HTTP/1.1');
  assert.deepEqual(alpn, ['h2', 'http/1.1']);
});

test('rejectUnauthorized: false accepts the unknown certificate', async (t) => {
  const n = peer(t);
  if (n === null) return;
  const { client } = setup(t, { rejectUnauthorized: false });
  assert.equal(await text(client, `https://localhost:${n.https}/hello`), 'hello');
});

test('SNI: the host name is sent, an IP literal sends none', async (t) => {
  const n = peer(t);
  if (n === null) return;
  const { client } = setup(t, { ca: certificates().ca });
  assert.equal(await text(client, `https://localhost:${n.https}/sni`), 'localhost');
  assert.equal(await text(client, `https://127.0.0.1:${n.https}/sni`), '', 'no SNI for an IP (RFC 6066)');
});

test('tls.servername overrides SNI and the name checked, and a wrong one fails verification', async (t) => {
  const n = peer(t);
  if (n === null) return;
  const good = setup(t, { ca: certificates().ca, servername: 'test.httpool' });
  assert.equal(await text(good.client, `https://127.0.0.1:${n.https}/sni`), 'test.httpool');
  const bad = setup(t, { ca: certificates().ca, servername: 'wrong.example' });
  await assert.rejects(bad.client.get(`https://127.0.0.1:${n.https}/sni`), code('ERR_TLS', (e) => assert.match(e.message, /wrong\.example|altname/i)));
});

test('a client certificate (tls.cert/key) is presented when the server requires one', async (t) => {
  const n = peer(t);
  if (n === null) return;
  const c = certificates();
  const withCert = setup(t, { ca: c.ca, cert: c.clientCert, key: c.clientKey });
  assert.match(await text(withCert.client, `https://localhost:${n.mtls}/client`), /CN=httpool-client/);
  // nginx completes the handshake without one and answers 400 itself.
  const without = setup(t, { ca: c.ca });
  const res = await without.client.get(`https://localhost:${n.mtls}/client`);
  assert.equal(res.statusCode, 400);
  assert.match(await res.body.text(), /No required SSL certificate/);
});

test('minVersion/maxVersion: TLS 1.2 at most cannot reach a TLS 1.3-only server; 1.3 at least is used when asked', async (t) => {
  const n = peer(t);
  if (n === null) return;
  const c = certificates();
  const old = setup(t, { ca: c.ca, maxVersion: 'TLSv1.2' });
  await assert.rejects(old.client.get(`https://localhost:${n.tls13}/hello`), code('ERR_TLS'));
  assert.match(await text(old.client, `https://localhost:${n.https}/cipher`), /^TLSv1\.2 /);
  const modern = setup(t, { ca: c.ca, minVersion: 'TLSv1.3' });
  assert.match(await text(modern.client, `https://localhost:${n.tls13}/cipher`), /^TLSv1\.3 /);
});

test('tls.ciphers chooses the suite; a list the server cannot share is ERR_TLS', async (t) => {
  const n = peer(t);
  if (n === null) return;
  const c = certificates();
  const chosen = setup(t, { ca: c.ca, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' });
  assert.equal(await text(chosen.client, `https://localhost:${n.https}/cipher`), 'TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384');
  const none = setup(t, { ca: c.ca, maxVersion: 'TLSv1.2', ciphers: 'PSK-AES128-CBC-SHA' });
  await assert.rejects(none.client.get(`https://localhost:${n.https}/hello`), code('ERR_TLS'));
});

test('sessions are resumed: a second connection to the same server skips the full handshake', async (t) => {
  const n = peer(t);
  if (n === null) return;
  const { client, transport } = setup(t, { ca: certificates().ca });
  const seen: TLSHandshakeInfo[] = [];
  const trace = { tlsHandshakeDone: (info: TLSHandshakeInfo) => seen.push(info) };
  const url = `https://localhost:${n.https}/session`;
  assert.equal(await text(client, url, { trace }), '.');
  // TLS 1.3 tickets arrive after the handshake; give the first connection a moment to get one.
  await new Promise((r) => setTimeout(r, 50));
  transport.closeIdleConnections();
  assert.equal(await text(client, url, { trace }), 'r', 'nginx saw a reused session');
  assert.deepEqual(seen.map((s) => s.resumed), [false, true]);
  assert.equal(transport.stats().totals.opened, 2);
});

test('tlsHandshakeTimeout ends a handshake the server never answers: ERR_TIMEOUT, nothing left open', async (t) => {
  // Reads (so it notices the close) but never answers the ClientHello.
  const silent = await rawServer((s) => s.resume());
  t.after(() => silent.close());
  const { client, transport } = setup(t, {}, { tlsHandshakeTimeout: 300 });
  const started = Date.now();
  await assert.rejects(client.get(`https://127.0.0.1:${silent.port}/`), code('ERR_TIMEOUT', (e) => assert.match(e.message, /TLS handshake/)));
  const took = Date.now() - started;
  assert.ok(took >= 250 && took < 5000, `took ${took} ms`);
  assert.deepEqual(transport.stats().totals.active + transport.stats().totals.idle + transport.stats().totals.dialing, 0);
  const deadline = Date.now() + 2000;
  while (silent.open > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(silent.open, 0, 'the socket was closed');
});

test('an http:// port reached with https:// is reported as a plain-HTTP answer (ERR_TLS)', async (t) => {
  const n = peer(t);
  if (n === null) return;
  const { client } = setup(t, { ca: certificates().ca });
  await assert.rejects(client.get(`https://127.0.0.1:${n.http}/hello`), code('ERR_TLS', (e) => assert.match(e.message, /HTTP response to an HTTPS request/)));
});

test('the tls options are copied at construction: changing the object later cannot change pooled identity', async (t) => {
  const n = peer(t);
  if (n === null) return;
  const tls: ConnectionOptions = { ca: certificates().otherCa };
  const { client } = setup(t, tls);
  tls.rejectUnauthorized = false;
  tls.ca = certificates().ca;
  await assert.rejects(client.get(`https://localhost:${n.https}/hello`), code('ERR_TLS'));
});
