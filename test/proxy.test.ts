// Proxies, against the real programs: tinyproxy (HTTP forward and CONNECT, with and without
// Basic auth), nginx's stream module in front of tinyproxy (an https:// proxy), and dante
// (SOCKS5, with and without username/password). The origins are nginx and a Node server that
// records what reached it.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as https from 'node:https';
import { after, before, test, type TestContext } from 'node:test';
import { Client, envProxy, ProxyError, Transport, type TransportOptions } from '../src/index.js';
import { code } from './support/clients.js';
import { certificates, dante, havePeer, nginx, SOCKS_USER, tinyproxy, tlsFront, type Nginx, type ProxyPeer } from './support/peers.js';

let ng: Nginx;
let open: ProxyPeer;
let authed: ProxyPeer;
let socks: ProxyPeer;
let socksAuth: ProxyPeer;
const started: Array<{ stop(): Promise<void> }> = [];
let ready = false;

before(async () => {
  if (!['/usr/sbin/nginx', '/usr/bin/tinyproxy', '/usr/sbin/danted', '/usr/bin/openssl'].every((p) => existsSync(p))) return;
  started.push((ng = await nginx()));
  started.push((open = await tinyproxy()));
  started.push((authed = await tinyproxy({ user: 'alice', pass: 's3cret' })));
  started.push((socks = await dante(false)));
  started.push((socksAuth = await dante(true)));
  ready = true;
});

after(async () => {
  for (const p of started) await p.stop();
});

function peers(t: TestContext, ...extra: Array<'nginx-stream'>): boolean {
  if (!havePeer(t, 'nginx', 'tinyproxy', 'danted', 'openssl', ...extra)) return false;
  assert.ok(ready, 'peers started');
  return true;
}

function client(t: TestContext, proxy: string | null, opts: TransportOptions = {}) {
  const transport = new Transport({ tls: { ca: certificates().ca }, proxy: () => proxy, ...opts });
  t.after(() => transport.close());
  return { transport, client: new Client({ transport }) };
}

/** A TLS origin that records every connection and request head it gets. */
async function recordingOrigin(t: TestContext) {
  const c = certificates();
  const seen: Array<Record<string, string | string[] | undefined>> = [];
  let connections = 0;
  const server = https.createServer({ cert: readFileSync(c.serverCert), key: readFileSync(c.serverKey) }, (req, res) => {
    seen.push(req.headers);
    res.end('origin');
  });
  server.on('secureConnection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const port = (server.address() as { port: number }).port;
  return { url: `https://localhost:${port}`, seen, get connections() { return connections; } };
}

test('HTTP proxy (tinyproxy): http:// requests go in absolute form, and every target shares the proxy key', async (t) => {
  if (!peers(t)) return;
  const { transport, client: c } = client(t, open.url);
  const a = await c.get(`http://127.0.0.1:${ng.http}/echo-host?x=1`);
  assert.equal(await a.body.text(), '127.0.0.1');
  const b = await c.get(`http://localhost:${ng.http}/echo-host`);
  assert.equal(await b.body.text(), 'localhost');
  assert.match(open.log(), new RegExp(`Request \\(file descriptor \\d+\\): GET http://127\\.0\\.0\\.1:${ng.http}/echo-host\\?x=1 HTTP/1\\.1`));
  const keys = Object.keys(transport.stats().hosts);
  assert.deepEqual(keys, [`http://* via http://127.0.0.1:${open.port}`]);
  assert.equal(transport.stats().totals.requests >= 2, true);
});

test('CONNECT (tinyproxy): an https:// request tunnels, verifies the target, sends SNI, and the tunnel is reused', async (t) => {
  if (!peers(t)) return;
  const { transport, client: c } = client(t, open.url);
  const url = `https://localhost:${ng.https}`;
  const first = await c.get(`${url}/sni`);
  assert.equal(first.proto, 'HTTP/2.0', 'ALPN through the tunnel picks h2');
  assert.equal(await first.body.text(), 'localhost');
  assert.equal(await (await c.get(`${url}/hello`)).body.text(), 'hello');
  const key = `https://localhost:${ng.https} via http://127.0.0.1:${open.port}`;
  const s = transport.stats().hosts[key];
  assert.ok(s, `stats key ${key} in ${Object.keys(transport.stats().hosts).join(', ')}`);
  assert.equal(s.opened, 1);
  assert.equal(s.reused, 1);
  assert.match(open.log(), new RegExp(`Request \\(file descriptor \\d+\\): CONNECT localhost:${ng.https} HTTP/1\\.1`));
});

test('CONNECT verifies the target certificate through the tunnel: an untrusted target is ERR_TLS', async (t) => {
  if (!peers(t)) return;
  const { client: c } = client(t, open.url, { tls: { ca: certificates().otherCa } });
  await assert.rejects(c.get(`https://localhost:${ng.https}/hello`), code('ERR_TLS'));
});

test('proxy credentials from the URL: Proxy-Authorization on forward requests and on CONNECT', async (t) => {
  if (!peers(t)) return;
  const { client: c } = client(t, 'http://alice:s3cret@127.0.0.1:' + authed.port);
  assert.equal(await (await c.get(`http://127.0.0.1:${ng.http}/hello`)).body.text(), 'hello');
  assert.equal(await (await c.get(`https://localhost:${ng.https}/hello`)).body.text(), 'hello');
});

test("without credentials a forward request gets the proxy's 407 as its response (Go's behaviour)", async (t) => {
  if (!peers(t)) return;
  const { client: c } = client(t, authed.url);
  const res = await c.get(`http://127.0.0.1:${ng.http}/hello`);
  assert.equal(res.statusCode, 407);
  await res.body.close();
});

test('a refused CONNECT (407) is ERR_PROXY carrying the status, and no byte reaches the origin', async (t) => {
  if (!peers(t)) return;
  const origin = await recordingOrigin(t);
  for (const proxy of [authed.url, `http://alice:wrong@127.0.0.1:${authed.port}`]) {
    const { transport, client: c } = client(t, proxy);
    await assert.rejects(
      c.post(`${origin.url}/secret`, 'text/plain', 'password=hunter2'),
      code('ERR_PROXY', (e) => {
        assert.ok(e instanceof ProxyError);
        // tinyproxy answers 407 without credentials and 401 to wrong ones.
        assert.equal(e.statusCode, proxy === authed.url ? 407 : 401);
        assert.doesNotMatch(e.message, /wrong/, 'the password is not in the message');
      }),
    );
    assert.equal(transport.stats().totals.idle, 0);
  }
  assert.equal(origin.connections, 0);
  assert.equal(origin.seen.length, 0);
});

test('a CONNECT the proxy cannot open is ERR_PROXY with the proxy status (tinyproxy answers 500 or 502)', async (t) => {
  if (!peers(t)) return;
  const { client: c } = client(t, open.url);
  await assert.rejects(
    c.get('https://localhost:1/'),
    code('ERR_PROXY', (e) => {
      assert.ok(e instanceof ProxyError);
      assert.ok(e.statusCode === 500 || e.statusCode === 502 || e.statusCode === 503, `status ${e.statusCode}`);
    }),
  );
});

test("a caller's Proxy-Authorization never goes through a tunnel to the origin", async (t) => {
  if (!peers(t)) return;
  const origin = await recordingOrigin(t);
  const { client: c } = client(t, open.url);
  const res = await c.get(`${origin.url}/`, { headers: { 'Proxy-Authorization': 'Basic c2VjcmV0OnNlY3JldA==', 'X-Kept': '1' } });
  assert.equal(await res.body.text(), 'origin');
  assert.equal(origin.seen.length, 1);
  assert.equal(origin.seen[0]!['x-kept'], '1');
  assert.equal(origin.seen[0]!['proxy-authorization'], undefined);
});

test('an https:// proxy (TLS to nginx, tinyproxy behind it): forward and CONNECT both work inside TLS', async (t) => {
  if (!peers(t, 'nginx-stream')) return;
  const front = await tlsFront(open.port);
  t.after(() => front.stop());
  const { transport, client: c } = client(t, `https://localhost:${front.port}`);
  assert.equal(await (await c.get(`http://127.0.0.1:${ng.http}/hello`)).body.text(), 'hello');
  assert.equal(await (await c.get(`https://localhost:${ng.https}/sni`)).body.text(), 'localhost');
  assert.deepEqual(Object.keys(transport.stats().hosts).sort(), [
    `http://* via https://localhost:${front.port}`,
    `https://localhost:${ng.https} via https://localhost:${front.port}`,
  ]);
});

test('an https:// proxy whose certificate is not trusted is ERR_TLS before anything is sent', async (t) => {
  if (!peers(t, 'nginx-stream')) return;
  const front = await tlsFront(open.port);
  t.after(() => front.stop());
  const { client: c } = client(t, `https://localhost:${front.port}`, { tls: { ca: certificates().otherCa } });
  await assert.rejects(c.get(`http://127.0.0.1:${ng.http}/hello?through-untrusted-proxy`), code('ERR_TLS'));
  assert.doesNotMatch(open.log(), /through-untrusted-proxy/);
});

test('SOCKS5 (dante): socks5h hands the name to the proxy, for http:// and https:// targets', async (t) => {
  if (!peers(t)) return;
  const { transport, client: c } = client(t, socks.url.replace('socks5:', 'socks5h:'));
  assert.equal(await (await c.get(`http://localhost:${ng.http}/echo-host`)).body.text(), 'localhost');
  assert.equal(await (await c.get(`https://localhost:${ng.https}/sni`)).body.text(), 'localhost');
  assert.equal(await (await c.get(`https://localhost:${ng.https}/hello`)).body.text(), 'hello');
  const s = transport.stats().hosts[`https://localhost:${ng.https} via socks5h://127.0.0.1:${socks.port}`];
  assert.ok(s);
  assert.equal(s.reused, 1, 'the SOCKS tunnel is pooled like any connection');
});

test('socks5 resolves the name here (with the lookup option); socks5h leaves it to the proxy, which cannot', async (t) => {
  if (!peers(t)) return;
  const lookup: TransportOptions['lookup'] = (host, opts, cb) => {
    if (host !== 'origin.test') return cb(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), '', 4);
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    else cb(null, '127.0.0.1', 4);
  };
  const local = client(t, socks.url, { lookup });
  assert.equal(await (await local.client.get(`http://origin.test:${ng.http}/echo-host`)).body.text(), 'origin.test');
  const remote = client(t, socks.url.replace('socks5:', 'socks5h:'), { lookup });
  await assert.rejects(remote.client.get(`http://origin.test:${ng.http}/echo-host`), code('ERR_PROXY'));
});

test('SOCKS5 with username/password (dante against a system account): right, wrong and missing credentials', async (t) => {
  if (!peers(t)) return;
  const base = `127.0.0.1:${socksAuth.port}`;
  const ok = client(t, `socks5h://${SOCKS_USER.user}:${SOCKS_USER.pass}@${base}`);
  assert.equal(await (await ok.client.get(`http://localhost:${ng.http}/hello`)).body.text(), 'hello');
  const key = Object.keys(ok.transport.stats().hosts)[0]!;
  assert.doesNotMatch(key, new RegExp(SOCKS_USER.pass), 'no password in the stats key');
  for (const proxy of [`socks5h://${SOCKS_USER.user}:wrong@${base}`, `socks5h://${base}`]) {
    const bad = client(t, proxy);
    await assert.rejects(
      bad.client.get(`http://localhost:${ng.http}/hello`),
      code('ERR_PROXY', (e) => assert.doesNotMatch(e.message, /wrong/)),
    );
  }
});

test('proxyFromEnvironment rules against a real proxy: a name goes through it, loopback goes direct', async (t) => {
  if (!peers(t)) return;
  const transport = new Transport({ proxy: envProxy({ HTTP_PROXY: open.url }) });
  t.after(() => transport.close());
  const c = new Client({ transport });
  // tinyproxy cannot resolve this name: its own error page proves the request went to it.
  const res = await c.get('http://origin.invalid/');
  assert.ok(res.statusCode >= 500, `status ${res.statusCode}`);
  assert.match(res.headers.get('server') ?? '', /tinyproxy/i);
  await res.body.close();
  const direct = await c.get(`http://127.0.0.1:${ng.http}/hello`);
  assert.equal(await direct.body.text(), 'hello');
  assert.ok(transport.stats().hosts[`http://127.0.0.1:${ng.http}`], 'loopback went direct');
});
