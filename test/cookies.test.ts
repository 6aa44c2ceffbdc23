// The cookie jar (client layer): RFC 6265 rules as tough-cookie applies them with the settings
// src/client/cookies.ts chose, and the jar behind a Client over loopback sockets. Each test pins
// one setting: public suffixes refused, loopback hosts (localhost, 127.0.0.1, [::1]) working,
// Secure cookies only over https or to loopback, broken __Host-/__Secure- prefixes dropped.
// Redirect hops with a jar are in test/redirect.test.ts.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Transport, CookieJar, type CookieJarLike } from '../src/index.js';
import { recordingServer } from './support/recorder.js';

function setup(t: TestContext, jar: CookieJarLike) {
  const transport = new Transport();
  const client = new Client({ transport, jar });
  t.after(() => transport.close());
  return client;
}

/** A server that answers /set?c=<Set-Cookie> with that header, and anything else with "ok". */
function cookieServer() {
  return recordingServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const values = url.searchParams.getAll('c');
    if (values.length > 0) res.setHeader('Set-Cookie', values);
    res.end('ok');
  });
}

const set = (...cookies: string[]): string => `/set?${cookies.map((c) => `c=${encodeURIComponent(c)}`).join('&')}`;

test('CookieJar satisfies the Client\'s CookieJarLike and is exported from the package root', () => {
  const jar: CookieJarLike = new CookieJar();
  assert.equal(typeof jar.getCookieString, 'function');
  assert.equal(typeof jar.setCookie, 'function');
});

// =============================================================================================
// Loopback hosts

test('over 127.0.0.1: a cookie set by a response is sent back, to every port of that host, and not to localhost', async (t) => {
  const a = await cookieServer();
  const b = await cookieServer();
  t.after(() => a.close());
  t.after(() => b.close());
  const jar = new CookieJar();
  const client = setup(t, jar);
  await (await client.get(`${a.url}${set('sid=abc; Path=/; HttpOnly', 'theme=dark')}`)).body.close();
  await (await client.get(`${a.url}/again`)).body.close();
  await (await client.get(`${b.url}/other-port`)).body.close(); // RFC 6265 §8.5: cookies ignore ports
  await (await client.get(`http://localhost:${a.port}/other-host`)).body.close();
  assert.deepEqual(
    a.seen.map((s) => [s.url.split('?')[0], s.headers['cookie'] ?? '-']),
    [
      ['/set', '-'],
      ['/again', 'sid=abc; theme=dark'],
      ['/other-host', '-'], // localhost is another host, whatever it resolves to
    ],
  );
  assert.equal(b.seen[0]!.headers['cookie'], 'sid=abc; theme=dark');
});

test('over localhost: host-only and Domain=localhost cookies are stored and sent (special-use names allowed)', async (t) => {
  const srv = await cookieServer();
  t.after(() => srv.close());
  const jar = new CookieJar();
  const client = setup(t, jar);
  const base = `http://localhost:${srv.port}`;
  await (await client.get(`${base}${set('a=1', 'b=2; Domain=localhost')}`)).body.close();
  await (await client.get(`${base}/next`)).body.close();
  assert.equal(srv.seen[1]!.headers['cookie'], 'a=1; b=2');
  assert.equal(await jar.getCookieString(new URL(`${base}/`)), 'a=1; b=2');
  assert.equal(await jar.getCookieString(`http://127.0.0.1:${srv.port}/`), '');
});

test('[::1] is a host like any other', async () => {
  const jar = new CookieJar();
  assert.equal(await jar.setCookie('v6=1', 'http://[::1]:8080/'), true);
  assert.equal(await jar.getCookieString('http://[::1]:9090/x'), 'v6=1');
  assert.equal(await jar.getCookieString('http://127.0.0.1:8080/'), '');
});

// =============================================================================================
// Parsing and domains (RFC 6265 §5.2, §5.3 steps 5-6)

test('a Set-Cookie without a name=value pair or with an empty name is ignored (RFC 6265 §5.2, as Go does)', async () => {
  const jar = new CookieJar();
  for (const line of ['novalue', '=nameless', ' =x; Path=/', '']) {
    assert.equal(await jar.setCookie(line, 'http://example.com/'), false, JSON.stringify(line));
  }
  assert.equal(await jar.setCookie('empty=', 'http://example.com/'), true, 'an empty value is fine');
  assert.equal(await jar.getCookieString('http://example.com/'), 'empty=');
});

test('a Domain that is a public suffix, or not the setting host\'s domain, is refused', async () => {
  const jar = new CookieJar();
  const refused: [string, string][] = [
    ['a=1; Domain=com', 'http://example.com/'],
    ['b=1; Domain=.com', 'http://www.example.com/'],
    ['c=1; Domain=co.uk', 'http://shop.example.co.uk/'],
    ['d=1; Domain=github.io', 'http://someone.github.io/'], // a private-registry suffix
    ['e=1; Domain=other.com', 'http://example.com/'],
    ['f=1; Domain=sub.example.com', 'http://example.com/'], // a subdomain of the host, not a parent
  ];
  for (const [cookie, url] of refused) assert.equal(await jar.setCookie(cookie, url), false, `${cookie} from ${url}`);
  for (const url of ['http://example.com/', 'http://www.example.com/', 'http://shop.example.co.uk/', 'http://other.com/', 'http://sub.example.com/']) {
    assert.equal(await jar.getCookieString(url), '', url);
  }
});

test('Domain=example.com from www.example.com is sent to the whole domain; a host-only cookie to its host only', async () => {
  const jar = new CookieJar();
  assert.equal(await jar.setCookie('wide=1; Domain=example.com', 'http://www.example.com/'), true);
  assert.equal(await jar.setCookie('narrow=2', 'http://www.example.com/'), true);
  const table: [string, string][] = [
    ['http://www.example.com/', 'wide=1; narrow=2'],
    ['http://example.com/', 'wide=1'],
    ['http://api.example.com/', 'wide=1'],
    ['http://a.b.example.com/', 'wide=1'],
    ['http://notexample.com/', ''],
    ['http://example.org/', ''],
  ];
  for (const [url, want] of table) assert.equal(await jar.getCookieString(url), want, url);
});

test('Path scopes a cookie; the default path is the request path\'s directory (RFC 6265 §5.1.4)', async () => {
  const jar = new CookieJar();
  await jar.setCookie('api=1; Path=/api', 'http://example.com/');
  await jar.setCookie('dir=1', 'http://example.com/docs/page'); // default-path /docs
  const table: [string, string][] = [
    ['http://example.com/', ''],
    ['http://example.com/api', 'api=1'],
    ['http://example.com/api/v1', 'api=1'],
    ['http://example.com/apiary', ''],
    ['http://example.com/docs/other', 'dir=1'],
  ];
  for (const [url, want] of table) assert.equal(await jar.getCookieString(url), want, url);
});

// =============================================================================================
// Secure and prefixes

test('Secure: refused from plain http, kept from https and sent over https only', async () => {
  const jar = new CookieJar();
  assert.equal(await jar.setCookie('s=1; Secure', 'http://example.com/'), false, 'RFC 6265bis §5.7: not from an insecure origin');
  assert.equal(await jar.setCookie('s=2; Secure', 'https://example.com/'), true);
  assert.equal(await jar.getCookieString('https://example.com/'), 's=2');
  assert.equal(await jar.getCookieString('http://example.com/'), '');
});

test('Secure over http to loopback hosts: stored and sent, as browsers treat them as secure contexts', async (t) => {
  const jar = new CookieJar();
  for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080']) {
    assert.equal(await jar.setCookie(`s=${host.length}; Secure`, `http://${host}/`), true, host);
    assert.equal(await jar.getCookieString(`http://${host}/`), `s=${host.length}`, host);
  }
  // On the wire: a Secure cookie set by a 127.0.0.1 server comes back to it.
  const srv = await cookieServer();
  t.after(() => srv.close());
  const client = setup(t, new CookieJar());
  await (await client.get(`${srv.url}${set('tok=x; Secure; HttpOnly; SameSite=Strict')}`)).body.close();
  await (await client.get(`${srv.url}/next`)).body.close();
  assert.equal(srv.seen[1]!.headers['cookie'], 'tok=x');
});

test('__Secure- and __Host- cookies that break their rules are dropped silently (RFC 6265bis §4.1.3)', async () => {
  const jar = new CookieJar();
  const table: [string, string, boolean][] = [
    ['__Secure-a=1', 'https://example.com/', false], // no Secure
    ['__Secure-a=2; Secure', 'https://example.com/', true],
    ['__Host-b=1; Secure', 'https://example.com/x/y', false], // Path defaults to /x, not /
    ['__Host-b=2; Secure; Path=/; Domain=example.com', 'https://example.com/', false], // not host-only
    ['__Host-b=3; Path=/', 'https://example.com/', false], // no Secure
    ['__Host-b=4; Secure; Path=/', 'https://example.com/', true],
    ['__Host-c=1; Secure; Path=/', 'http://localhost:8080/', true], // loopback counts as secure
  ];
  for (const [cookie, url, stored] of table) assert.equal(await jar.setCookie(cookie, url), stored, `${cookie} from ${url}`);
  assert.equal(await jar.getCookieString('https://example.com/'), '__Secure-a=2; __Host-b=4');
});

// =============================================================================================
// Expiry, replacement, the small API

test('a cookie is replaced by name/domain/path, and removed by Max-Age=0 or a past Expires', async () => {
  const jar = new CookieJar();
  await jar.setCookie('a=1', 'http://example.com/');
  await jar.setCookie('b=1', 'http://example.com/');
  await jar.setCookie('a=2', 'http://example.com/');
  assert.equal(await jar.getCookieString('http://example.com/'), 'a=2; b=1');
  assert.equal(await jar.setCookie('a=gone; Max-Age=0', 'http://example.com/'), true);
  await jar.setCookie('b=gone; Expires=Thu, 01 Jan 1970 00:00:01 GMT', 'http://example.com/');
  assert.equal(await jar.getCookieString('http://example.com/'), '');
});

test('Max-Age counts from receipt, not from the last time the cookie was sent (RFC 6265 §5.2.2)', async () => {
  const jar = new CookieJar();
  await jar.setCookie('m=1; Max-Age=1', 'http://example.com/');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await jar.getCookieString('http://example.com/'), 'm=1', 'still alive at 0.5 s (and just sent)');
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(await jar.getCookieString('http://example.com/'), '', 'expired 1 s after receipt, though sent 0.8 s ago');
});

test('getCookies lists what would be sent, with its attributes; clear() forgets everything', async () => {
  const jar = new CookieJar();
  const before = Date.now();
  await jar.setCookie('sid=abc; Max-Age=3600; HttpOnly; Path=/', 'http://127.0.0.1:8080/login');
  await jar.setCookie('pref=x; Domain=example.com; Path=/app', 'https://www.example.com/');
  await jar.setCookie('bad=1; Domain=com', 'http://example.com/');
  const local = await jar.getCookies('http://127.0.0.1:9000/');
  assert.equal(local.length, 1);
  const [sid] = local;
  assert.deepEqual(
    { name: sid!.name, value: sid!.value, domain: sid!.domain, path: sid!.path, secure: sid!.secure, httpOnly: sid!.httpOnly },
    { name: 'sid', value: 'abc', domain: '127.0.0.1', path: '/', secure: false, httpOnly: true },
  );
  assert.ok(sid!.expires instanceof Date);
  const ms = sid!.expires.getTime() - before;
  assert.ok(ms > 3_590_000 && ms < 3_610_000, `expires in about an hour, got ${ms} ms`);
  assert.deepEqual(
    (await jar.getCookies(new URL('https://api.example.com/app/x'))).map((c) => [c.name, c.value, c.domain, c.path, c.expires]),
    [['pref', 'x', 'example.com', '/app', null]],
  );
  assert.deepEqual(await jar.getCookies('https://api.example.com/'), [], 'outside /app');
  await jar.clear();
  assert.deepEqual(await jar.getCookies('http://127.0.0.1:9000/'), []);
  assert.deepEqual(await jar.getCookies('https://api.example.com/app/x'), []);
});

test('refused cookies from a server do not fail the request; the acceptable ones on the same response are kept', async (t) => {
  const srv = await cookieServer();
  t.after(() => srv.close());
  const jar = new CookieJar();
  const client = setup(t, jar);
  const res = await client.get(`${srv.url}${set('bad=1; Domain=com', 'worse=1; Domain=example.org', 'sec=1; Secure; Domain=127.0.0.1', 'good=1')}`);
  assert.equal(await res.body.text(), 'ok');
  // Secure from 127.0.0.1 is accepted (loopback); the foreign domains are not.
  assert.equal(await jar.getCookieString(`${srv.url}/`), 'sec=1; good=1');
});
