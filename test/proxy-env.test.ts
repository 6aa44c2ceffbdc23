// proxyFromEnvironment's rules, as a table (Go's httpproxy tests as the model): which variable
// applies to which scheme, upper- and lower-case names, CGI, loopback, and every NO_PROXY form.

import assert from 'node:assert/strict';
import test from 'node:test';
import { envProxy, InvalidRequestError, Request } from '../src/index.js';

function via(env: Record<string, string>, url: string): string | null {
  return envProxy(env)(new Request('GET', url))?.href ?? null;
}

const P = 'http://proxy.example:3128/';
const S = 'http://secure-proxy.example:3129/';

test('HTTP_PROXY serves http:// and HTTPS_PROXY serves https://, upper case first', () => {
  const env = { HTTP_PROXY: P, HTTPS_PROXY: S };
  assert.equal(via(env, 'http://a.example/'), P);
  assert.equal(via(env, 'https://a.example/'), S);
  assert.equal(via({ HTTP_PROXY: P }, 'https://a.example/'), null, 'no HTTPS_PROXY: https goes direct');
  assert.equal(via({ http_proxy: P }, 'http://a.example/'), P, 'lower case works');
  assert.equal(via({ HTTP_PROXY: P, http_proxy: S }, 'http://a.example/'), P, 'upper case wins');
  assert.equal(via({ https_proxy: S }, 'https://a.example/'), S);
});

test('a proxy value without a scheme is http://, and socks5/socks5h/https proxies are kept as given', () => {
  assert.equal(via({ HTTP_PROXY: 'proxy.example:3128' }, 'http://a.example/'), P);
  assert.equal(via({ HTTP_PROXY: 'socks5h://127.0.0.1:1080' }, 'http://a.example/'), 'socks5h://127.0.0.1:1080');
  assert.equal(via({ HTTPS_PROXY: 'https://p.example' }, 'https://a.example/'), 'https://p.example/');
  assert.throws(() => envProxy({ HTTP_PROXY: 'ftp://p.example' }), (e: unknown) => e instanceof InvalidRequestError && e.code === 'ERR_INVALID_OPTION');
});

test('under CGI (REQUEST_METHOD set) HTTP_PROXY is ignored: it may come from a client header (httpoxy)', () => {
  assert.equal(via({ HTTP_PROXY: P, REQUEST_METHOD: 'GET' }, 'http://a.example/'), null);
  assert.equal(via({ HTTPS_PROXY: S, REQUEST_METHOD: 'GET' }, 'https://a.example/'), S);
});

test('localhost and loopback addresses are never proxied, whatever NO_PROXY says', () => {
  const env = { HTTP_PROXY: P, HTTPS_PROXY: S };
  for (const u of ['http://localhost/', 'http://LOCALHOST:8080/', 'http://127.0.0.1/', 'http://127.1.2.3:9/', 'https://[::1]/', 'http://[::ffff:127.0.0.1]/']) {
    assert.equal(via(env, u), null, u);
  }
  assert.equal(via(env, 'http://localhost.example/'), P, 'only the name localhost itself');
});

const cases: Array<[noProxy: string, url: string, proxied: boolean]> = [
  ['*', 'http://a.example/', false],
  ['', 'http://a.example/', true],
  // domains: the name and its subdomains
  ['example.com', 'http://example.com/', false],
  ['example.com', 'http://www.example.com/', false],
  ['example.com', 'http://notexample.com/', true],
  ['example.com', 'http://example.com.evil/', true],
  // a leading dot or *. : subdomains only
  ['.example.com', 'http://example.com/', true],
  ['.example.com', 'http://www.example.com/', false],
  ['*.example.com', 'http://example.com/', true],
  ['*.example.com', 'http://a.b.example.com/', false],
  // case and spaces
  [' Example.COM , other.org', 'http://WWW.EXAMPLE.com/', false],
  [' Example.COM , other.org', 'http://other.org/', false],
  // ports
  ['example.com:8080', 'http://example.com:8080/', false],
  ['example.com:8080', 'http://example.com/', true],
  ['example.com:80', 'http://example.com/', false],
  ['example.com:443', 'https://example.com/', false],
  // IPs, with and without ports
  ['10.1.2.3', 'http://10.1.2.3/', false],
  ['10.1.2.3', 'http://10.1.2.4/', true],
  ['10.1.2.3:8080', 'http://10.1.2.3:8080/', false],
  ['10.1.2.3:8080', 'http://10.1.2.3:9090/', true],
  ['2001:db8::1', 'http://[2001:db8::1]/', false],
  ['[2001:db8::1]:8080', 'http://[2001:db8::1]:8080/', false],
  ['[2001:db8::1]:8080', 'http://[2001:db8::1]/', true],
  // CIDRs
  ['10.0.0.0/8', 'http://10.200.3.4/', false],
  ['10.0.0.0/8', 'http://11.0.0.1/', true],
  ['192.168.1.0/25', 'http://192.168.1.127/', false],
  ['192.168.1.0/25', 'http://192.168.1.128/', true],
  ['2001:db8::/32', 'http://[2001:db8:ffff::5]/', false],
  ['2001:db8::/32', 'http://[2001:db9::5]/', true],
  // a CIDR never matches a name, and a name never matches an IP
  ['10.0.0.0/8', 'http://ten.example/', true],
  ['example.com', 'http://10.0.0.1/', true],
  // entries that name no host are ignored
  [':80', 'http://a.example/', true],
];

for (const [noProxy, url, proxied] of cases) {
  test(`NO_PROXY=${JSON.stringify(noProxy)}: ${url} ${proxied ? 'goes through the proxy' : 'goes direct'}`, () => {
    const expect = proxied ? (url.startsWith('https') ? S : P) : null;
    assert.equal(via({ HTTP_PROXY: P, HTTPS_PROXY: S, NO_PROXY: noProxy }, url), expect);
    assert.equal(via({ http_proxy: P, https_proxy: S, no_proxy: noProxy }, url), expect, 'lower-case names');
  });
}
