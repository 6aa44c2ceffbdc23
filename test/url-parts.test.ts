// Requests keep their URL as parts taken from one WHATWG parse per distinct string
// (src/url-parts.ts) and build the URL object only when asked: what they send and what they
// report must be exactly what the URL class says.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Request, Transport } from '../src/index.js';
import { parseUrlParts, partsOf } from '../src/url-parts.js';
import { httpServer } from './support/servers.js';

test('URL parts are the URL class\'s own, for awkward inputs too', () => {
  const inputs = [
    'http://127.0.0.1:8080/a?b=1#frag',
    'HTTP://EXAMPLE.com:80/./x/../y?',
    'https://user:p%40ss@example.com/',
    'http://[::1]:8080',
    'http://example.com/caf\u00e9 au lait?q=\u00fc',
    'http://0x7f.1/',
    'https://example.com:443',
  ];
  for (const input of inputs) {
    assert.deepEqual(parseUrlParts(input), partsOf(new URL(input)), input);
    const req = new Request('GET', input);
    assert.equal(req.url.href, new URL(input).href, input);
    assert.strictEqual(req.url, req.url, 'built once');
  }
  assert.equal(parseUrlParts('http://h/').target, '/');
  assert.equal(parseUrlParts('http://h').target, '/');
});

test('a bad URL string is refused at construction, whether or not it was seen before', () => {
  for (let i = 0; i < 2; i++) {
    assert.throws(() => new Request('GET', 'http://exa mple.com/'), { code: 'ERR_INVALID_URL' });
    assert.throws(() => new Request('GET', 'http://example.com/\r\nX: y'), { code: 'ERR_INVALID_URL' });
  }
});

test('a URL object stays the caller\'s: a change made to it before sending is what goes on the wire', async (t) => {
  const srv = await httpServer((req, res) => res.end(req.url));
  t.after(() => srv.close());
  const transport = new Transport({ proxy: null });
  t.after(() => transport.close());
  const url = new URL(`${srv.url}/first`);
  const req = new Request('GET', url);
  assert.strictEqual(req.url, url);
  const res1 = await transport.roundTrip(req);
  assert.equal(await res1.body.text(), '/first');
  url.pathname = '/second';
  const res2 = await transport.roundTrip(req);
  assert.equal(await res2.body.text(), '/second');
});
