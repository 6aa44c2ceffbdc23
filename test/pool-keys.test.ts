// Pool keys never mix what must not mix: scheme, host, port, proxy, and the proxy's
// credentials. Each case makes the pool hold an idle connection for one identity and checks
// that a request for the other does not ride it (curl's CVE-2022-27782 family is the warning).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test, type TestContext } from 'node:test';
import { Client, Transport, type TransportOptions } from '../src/index.js';
import { certificates, havePeer, nginx, tinyproxy, type Nginx, type ProxyPeer } from './support/peers.js';
import { httpServer } from './support/servers.js';

let ng: Nginx | null = null;
let proxy: ProxyPeer | null = null;

before(async () => {
  if (!existsSync('/usr/sbin/nginx') || !existsSync('/usr/bin/tinyproxy')) return;
  ng = await nginx();
  proxy = await tinyproxy();
});
after(async () => {
  await ng?.stop();
  await proxy?.stop();
});

function peers(t: TestContext): { ng: Nginx; proxy: ProxyPeer } | null {
  if (!havePeer(t, 'nginx', 'tinyproxy', 'openssl')) return null;
  assert.ok(ng && proxy, 'peers started');
  return { ng, proxy };
}

function setup(t: TestContext, opts: TransportOptions = {}) {
  const transport = new Transport({ tls: { ca: certificates().ca }, proxy: null, ...opts });
  t.after(() => transport.close());
  return { transport, client: new Client({ transport }) };
}

test('scheme: an http:// request never rides an idle https:// connection to the same host and port', async (t) => {
  const p = peers(t);
  if (p === null) return;
  const { transport, client } = setup(t);
  assert.equal(await (await client.get(`https://127.0.0.1:${p.ng.https}/hello`)).body.text(), 'hello');
  assert.equal(transport.stats().totals.idle, 1);
  const plain = await client.get(`http://127.0.0.1:${p.ng.https}/hello`);
  // nginx's own answer to plain HTTP on its TLS port proves this went out unencrypted, elsewhere.
  assert.equal(plain.statusCode, 400);
  assert.match(await plain.body.text(), /plain HTTP request was sent to HTTPS port/);
  const hosts = transport.stats().hosts;
  assert.equal(hosts[`https://127.0.0.1:${p.ng.https}`]?.opened, 1);
  assert.equal(hosts[`http://127.0.0.1:${p.ng.https}`]?.opened, 1);
});

test('host and port: a different name or port for the same address gets its own connection', async (t) => {
  const p = peers(t);
  if (p === null) return;
  const { transport, client } = setup(t);
  for (const url of [`https://localhost:${p.ng.https}/sni`, `https://127.0.0.1:${p.ng.https}/sni`, `https://localhost:${p.ng.tls13}/sni`]) {
    await (await client.get(url)).body.text();
  }
  assert.equal(await (await client.get(`https://localhost:${p.ng.https}/sni`)).body.text(), 'localhost', 'the name kept its own connection');
  const s = transport.stats();
  assert.equal(Object.keys(s.hosts).length, 3);
  assert.equal(s.totals.opened, 3);
  assert.equal(s.totals.reused, 1);
});

test('proxy: a proxied and a direct request to the same target never share a connection', async (t) => {
  const p = peers(t);
  if (p === null) return;
  let useProxy = true;
  const { transport, client } = setup(t, { proxy: () => (useProxy ? p.proxy.url : null) });
  const target = `https://localhost:${p.ng.https}/hello`;
  await (await client.get(target)).body.text();
  useProxy = false;
  await (await client.get(target)).body.text();
  const keys = Object.keys(transport.stats().hosts).sort();
  assert.deepEqual(keys, [`https://localhost:${p.ng.https}`, `https://localhost:${p.ng.https} via http://127.0.0.1:${p.proxy.port}`]);
  assert.equal(transport.stats().totals.opened, 2);
});

test('proxy credentials: two users of one proxy never share a connection, and no password appears in a key', async (t) => {
  // A forwarding endpoint that keeps its connections open and records, per connection, every
  // Proxy-Authorization it saw (tinyproxy closes after each forward request, hiding reuse).
  const byConn = new Map<number, Set<string>>();
  let next = 0;
  const ids = new WeakMap<object, number>();
  const srv = await httpServer((req, res) => {
    let id = ids.get(req.socket);
    if (id === undefined) ids.set(req.socket, (id = next++));
    const set = byConn.get(id) ?? new Set<string>();
    set.add(req.headers['proxy-authorization'] ?? '(none)');
    byConn.set(id, set);
    res.end(req.url);
  });
  t.after(() => srv.close());
  let turn = 0;
  const proxies = [`http://alice:pw-one@127.0.0.1:${srv.port}`, `http://alice:pw-two@127.0.0.1:${srv.port}`, `http://127.0.0.1:${srv.port}`];
  const { transport, client } = setup(t, { proxy: () => proxies[turn++ % 3]! });
  for (let i = 0; i < 9; i++) {
    const res = await client.get(`http://origin.example/${i}`);
    assert.equal(await res.body.text(), `http://origin.example/${i}`, 'absolute form');
  }
  assert.equal(byConn.size, 3, 'one connection per identity');
  for (const seen of byConn.values()) assert.equal(seen.size, 1, `one identity per connection: ${[...seen].join(' | ')}`);
  const keys = Object.keys(transport.stats().hosts);
  assert.equal(keys.length, 3);
  for (const k of keys) assert.doesNotMatch(k, /pw-one|pw-two/);
  assert.equal(transport.stats().totals.reused, 6);
});
