// fetch's redirects as the Fetch standard's HTTP-redirect fetch (§4.4) has them, as
// src/client/fetch/redirect.ts implements them, each checked by what the loopback server(s)
// received: which method and body each status carries on, the limit of 20, what leaving the
// origin (scheme, host AND port) drops, how a raw-UTF-8 Location is read, the three redirect
// modes, stream bodies, and fragments. Where the Client (Go's rules) differs on the same
// exchange, it is asserted beside fetch, so both policies are pinned side by side.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Transport, HttpoolError, Request as HpRequest, createFetch } from '../src/index.js';
import { rawServer, onRequests } from './support/servers.js';
import { recordingServer, type Seen } from './support/recorder.js';
import { fetchSetup, fetchFailed } from './support/fetch.js';
import { within } from './support/within.js';




// =============================================================================================
// Method and body per status (§4.4 step 12)

const BODY_HEADERS = {
  'Content-Type': 'application/x-test',
  'Content-Language': 'de',
  'Content-Location': '/original',
  'Content-Encoding': 'identity',
};

test('method and body: 301/302 turn only POST into GET, 303 every method but HEAD, 307/308 keep both; a GET loses the body headers', async (t) => {
  // /r/<status> redirects to /dest; /dest answers. Every hop is recorded with its body.
  const srv = await recordingServer((req, res) => {
    const m = /^\/r\/(\d+)\//.exec(req.url ?? '');
    if (m !== null) res.writeHead(Number(m[1]), { Location: '/dest' }).end('moved');
    else res.end('done');
  });
  t.after(() => srv.close());
  const { f } = fetchSetup(t);

  type Want = 'keep' | 'GET';
  // What the standard asks for each status × method. HEAD never changes (and never has a body).
  const table: Record<number, Record<string, Want>> = {
    301: { POST: 'GET', PUT: 'keep', DELETE: 'keep', HEAD: 'keep' },
    302: { POST: 'GET', PUT: 'keep', DELETE: 'keep', HEAD: 'keep' },
    303: { POST: 'GET', PUT: 'GET', DELETE: 'GET', HEAD: 'keep' },
    307: { POST: 'keep', PUT: 'keep', DELETE: 'keep', HEAD: 'keep' },
    308: { POST: 'keep', PUT: 'keep', DELETE: 'keep', HEAD: 'keep' },
  };
  for (const [status, row] of Object.entries(table)) {
    for (const [method, want] of Object.entries(row)) {
      const label = `${method} answered ${status}`;
      const payload = method === 'HEAD' ? null : `payload ${method} ${status}`;
      const before = srv.seen.length;
      const res = await f(`${srv.url}/r/${status}/${method}`, {
        method,
        body: payload,
        headers: { ...BODY_HEADERS, 'X-Other': 'kept' },
      });
      assert.equal(res.status, 200, label);
      assert.equal(res.redirected, true, label);
      assert.equal(res.url, `${srv.url}/dest`, label);
      await res.arrayBuffer();

      const hops = srv.seen.slice(before);
      assert.deepEqual(
        hops.map((s) => `${s.method} ${s.url}`),
        [`${method} /r/${status}/${method}`, `${want === 'GET' ? 'GET' : method} /dest`],
        label,
      );
      // The first hop really carried the body and its headers: what the second lacks was dropped.
      assert.equal(hops[0]!.body.toString(), payload ?? '', label);
      assert.equal(hops[0]!.headers['content-type'], 'application/x-test', label);
      const dest = hops[1]!;
      assert.equal(dest.headers['x-other'], 'kept', `${label}: other headers go on`);
      if (want === 'GET') {
        assert.equal(dest.body.length, 0, `${label}: no body`);
        for (const name of ['content-type', 'content-language', 'content-location', 'content-encoding', 'content-length', 'transfer-encoding']) {
          assert.equal(dest.headers[name], undefined, `${label}: ${name} not sent on`);
        }
      } else {
        // Method AND body kept: a PUT answered 302 sends its body again, with its Content-Type.
        assert.equal(dest.body.toString(), payload ?? '', `${label}: the body again`);
        assert.equal(dest.headers['content-type'], 'application/x-test', label);
        assert.equal(dest.headers['content-language'], 'de', label);
        assert.equal(dest.headers['content-location'], '/original', label);
        assert.equal(dest.headers['content-encoding'], 'identity', label);
        if (payload !== null) assert.equal(dest.headers['content-length'], String(Buffer.byteLength(payload)), label);
      }
    }
  }
});

test('contrast: the Client (Go) turns a PUT answered 302 into a bodiless GET, where fetch resends the PUT', async (t) => {
  const srv = await recordingServer((req, res) => {
    if (req.url === '/put') res.writeHead(302, { Location: '/dest' }).end();
    else res.end('done');
  });
  t.after(() => srv.close());
  const { f, client } = fetchSetup(t);
  const viaFetch = await f(`${srv.url}/put`, { method: 'PUT', body: 'data', headers: { 'Content-Type': 'text/x-put' } });
  await viaFetch.text();
  const req = new HpRequest('PUT', `${srv.url}/put`, { body: 'data', headers: { 'Content-Type': 'text/x-put' } });
  const viaClient = await client.do(req);
  await viaClient.body.text();
  assert.deepEqual(
    srv.seen.map((s) => [s.method, s.url, s.body.toString(), s.headers['content-type']]),
    [
      ['PUT', '/put', 'data', 'text/x-put'],
      ['PUT', '/dest', 'data', 'text/x-put'], // fetch
      ['PUT', '/put', 'data', 'text/x-put'],
      ['GET', '/dest', '', undefined], // Client
    ],
  );
});

// =============================================================================================
// The limit (§4.4 step 5)

test('at most 20 redirects: a chain of 20 resolves (redirected, url of the last hop); 21 rejects ERR_TOO_MANY_REDIRECTS', async (t) => {
  // /chain/<length>/<n>: redirects to n+1 until n reaches length, then answers.
  const srv = await recordingServer((req, res) => {
    const [, , length, n] = (req.url ?? '').split('/').map((s) => Number(s));
    if (n! < length!) res.writeHead(302, { Location: `/chain/${length}/${n! + 1}` }).end();
    else res.end(`end ${n}`);
  });
  t.after(() => srv.close());
  const { f } = fetchSetup(t);

  const res = await within(f(`${srv.url}/chain/20/0`), 10_000, 'a chain of 20');
  assert.equal(res.status, 200);
  assert.equal(res.redirected, true);
  assert.equal(res.url, `${srv.url}/chain/20/20`);
  assert.equal(await res.text(), 'end 20');
  assert.equal(srv.seen.length, 21, 'the first request and 20 redirects');

  await assert.rejects(
    within(f(`${srv.url}/chain/21/0`), 10_000, 'a chain of 21'),
    fetchFailed('ERR_TOO_MANY_REDIRECTS'),
  );
  const long = srv.seen.slice(21);
  // The 21st redirect response arrived and was not followed: /chain/21/21 was never asked for.
  assert.equal(long.length, 21);
  assert.equal(long.at(-1)!.url, '/chain/21/20');
  assert.ok(!long.some((s) => s.url === '/chain/21/21'));
});

// =============================================================================================
// Credentials across origins (§4.4 step 13)

const CREDENTIALS = {
  Authorization: 'Bearer secret-token',
  Cookie: 'session=abc',
  'Proxy-Authorization': 'Basic cHJveHk6cHc=',
  'X-Plain': 'ordinary',
};

function credentialsOf(s: Seen) {
  return {
    authorization: s.headers['authorization'],
    cookie: s.headers['cookie'],
    proxyAuthorization: s.headers['proxy-authorization'],
    plain: s.headers['x-plain'],
  };
}

const ALL = { authorization: 'Bearer secret-token', cookie: 'session=abc', proxyAuthorization: 'Basic cHJveHk6cHc=', plain: 'ordinary' };
const NONE = { authorization: undefined, cookie: undefined, proxyAuthorization: undefined, plain: 'ordinary' };

test('cross-origin is scheme+host+port: a redirect to another port drops Authorization, Cookie, Proxy-Authorization for good; same origin keeps them; the Client (Go) keeps them', async (t) => {
  // Two servers on 127.0.0.1, different ports: a → b → back to a → on within a. The last hop
  // is same-origin: credentials rebuilt from the first request there would reappear.
  let bUrl = '';
  const a = await recordingServer((req, res) => {
    if (req.url === '/to-b') res.writeHead(302, { Location: `${bUrl}/b` }).end();
    else if (req.url === '/same') res.writeHead(302, { Location: '/final' }).end();
    else if (req.url === '/back') res.writeHead(302, { Location: '/home' }).end();
    else res.end('a');
  });
  t.after(() => a.close());
  const b = await recordingServer((_req, res) => res.writeHead(302, { Location: `${a.url}/back` }).end());
  t.after(() => b.close());
  bUrl = b.url;
  assert.notEqual(a.port, b.port);
  const { f, client } = fetchSetup(t);

  // Same origin: everything goes on.
  const same = await f(`${a.url}/same`, { headers: CREDENTIALS });
  assert.equal(same.url, `${a.url}/final`);
  await same.text();
  assert.deepEqual(
    a.seen.map((s) => [s.url, credentialsOf(s)]),
    [
      ['/same', ALL],
      ['/final', ALL],
    ],
  );

  // Another port is another origin: dropped there, and still dropped back on the first origin,
  // even on a same-origin hop there.
  const cross = await f(`${a.url}/to-b`, { headers: CREDENTIALS });
  assert.equal(cross.url, `${a.url}/home`);
  assert.equal(cross.redirected, true);
  await cross.text();
  assert.deepEqual(
    a.seen.slice(2).map((s) => [s.url, credentialsOf(s)]),
    [
      ['/to-b', ALL],
      ['/back', NONE],
      ['/home', NONE],
    ],
  );
  assert.deepEqual(
    b.seen.map((s) => [s.url, credentialsOf(s)]),
    [['/b', NONE]],
  );
  // fetch adds no Referer (Node's fetch has no referrer); the Client below does.
  assert.equal(b.seen[0]!.headers['referer'], undefined);

  // The Client, same chain: Go compares host names, and 127.0.0.1 is 127.0.0.1 on any port.
  const viaClient = await client.get(`${a.url}/to-b`, { headers: CREDENTIALS });
  assert.equal(viaClient.request.url.href, `${a.url}/home`);
  await viaClient.body.text();
  assert.deepEqual(
    b.seen.slice(1).map((s) => [s.url, credentialsOf(s)]),
    [['/b', ALL]],
  );
  assert.deepEqual(
    a.seen.slice(5).map((s) => [s.url, credentialsOf(s)]),
    [
      ['/to-b', ALL],
      ['/back', ALL],
      ['/home', ALL],
    ],
  );
  assert.equal(b.seen[1]!.headers['referer'], `${a.url}/to-b`);
});

// =============================================================================================
// Location bytes

test('a Location of raw UTF-8 bytes resolves to its percent-encoded UTF-8 (fetch and Client); bytes that are not UTF-8 are encoded one by one', async (t) => {
  const lines: string[] = [];
  // Raw, so the Location bytes are exactly these (no server library re-encodes them).
  const srv = await rawServer((socket) => {
    onRequests(socket, (head) => {
      const line = head.slice(0, head.indexOf('\r\n'));
      lines.push(line);
      const path = line.split(' ')[1];
      let location: Buffer | null = null;
      if (path === '/utf8') location = Buffer.concat([Buffer.from('/'), Buffer.from('안녕', 'utf8')]);
      else if (path === '/not-utf8') location = Buffer.from([0x2f, 0xff, 0x78]); // "/", 0xFF, "x"
      if (location !== null) {
        socket.write(Buffer.concat([Buffer.from('HTTP/1.1 302 Found\r\nLocation: '), location, Buffer.from('\r\nContent-Length: 0\r\n\r\n')]));
      } else {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(path!)}\r\n\r\n${path}`);
      }
    });
  });
  t.after(() => srv.close());
  const { f, client } = fetchSetup(t);
  const korean = '/%EC%95%88%EB%85%95';
  // Read as latin1 text and parsed as it is, the same bytes would become /%C3%AC%C2%95%C2%88...,
  // and 0xFF would become /%C3%BFx.

  const res = await f(`${srv.url}/utf8`);
  assert.equal(res.url, `${srv.url}${korean}`);
  assert.equal(await res.text(), korean);

  const viaClient = await client.get(`${srv.url}/utf8`);
  assert.equal(viaClient.request.url.href, `${srv.url}${korean}`);
  assert.equal(await viaClient.body.text(), korean);

  const bad = await f(`${srv.url}/not-utf8`);
  assert.equal(bad.url, `${srv.url}/%FFx`);
  assert.equal(await bad.text(), '/%FFx');

  const badClient = await client.get(`${srv.url}/not-utf8`);
  assert.equal(badClient.request.url.href, `${srv.url}/%FFx`);
  await badClient.body.text();

  assert.deepEqual(lines, [
    'GET /utf8 HTTP/1.1',
    `GET ${korean} HTTP/1.1`,
    'GET /utf8 HTTP/1.1',
    `GET ${korean} HTTP/1.1`,
    'GET /not-utf8 HTTP/1.1',
    'GET /%FFx HTTP/1.1',
    'GET /not-utf8 HTTP/1.1',
    'GET /%FFx HTTP/1.1',
  ]);
});

// =============================================================================================
// Redirect modes

const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

async function modeServer() {
  return recordingServer((req, res) => {
    const m = /^\/s\/(\d+)$/.exec(req.url ?? '');
    if (m !== null) res.writeHead(Number(m[1]), { Location: '/followed' }).end(`moved ${m[1]}`);
    else if (req.url === '/no-location') res.writeHead(302).end('no location here');
    else res.end('followed');
  });
}

test("redirect 'error' rejects ERR_REDIRECT ('unexpected redirect') on every redirect status, a 302 without Location included; nothing is followed", async (t) => {
  const srv = await modeServer();
  t.after(() => srv.close());
  const { f } = fetchSetup(t);
  const redirectError = fetchFailed('ERR_REDIRECT', (cause) => assert.equal(cause.message, 'unexpected redirect'));
  for (const status of REDIRECT_STATUSES) {
    await assert.rejects(f(`${srv.url}/s/${status}`, { redirect: 'error' }), redirectError, `status ${status}`);
  }
  // No Location: still a redirect status, still refused (the mode is checked before Location).
  await assert.rejects(f(`${srv.url}/no-location`, { redirect: 'error' }), redirectError, '302 without Location');
  assert.deepEqual(
    srv.seen.map((s) => s.url),
    [...REDIRECT_STATUSES.map((s) => `/s/${s}`), '/no-location'],
  );
});

test("redirect 'follow': a 3xx without Location is the answer, returned as it is", async (t) => {
  const srv = await modeServer();
  t.after(() => srv.close());
  const { f } = fetchSetup(t);
  const res = await f(`${srv.url}/no-location`);
  assert.equal(res.status, 302);
  assert.equal(res.redirected, false);
  assert.equal(res.url, `${srv.url}/no-location`);
  assert.equal(res.headers.get('location'), null);
  assert.equal(await res.text(), 'no location here');
  assert.deepEqual(
    srv.seen.map((s) => s.url),
    ['/no-location'],
  );
});

test("redirect 'manual': every redirect status comes back with its Location and body, nothing followed", async (t) => {
  const srv = await modeServer();
  t.after(() => srv.close());
  const { f } = fetchSetup(t);
  for (const status of REDIRECT_STATUSES) {
    const res = await f(`${srv.url}/s/${status}`, { redirect: 'manual' });
    assert.equal(res.status, status);
    assert.equal(res.headers.get('location'), '/followed', `status ${status}`);
    assert.equal(res.redirected, false);
    assert.equal(res.url, `${srv.url}/s/${status}`);
    assert.equal(await res.text(), `moved ${status}`);
  }
  assert.deepEqual(
    srv.seen.map((s) => s.url),
    REDIRECT_STATUSES.map((s) => `/s/${s}`),
  );
});

// =============================================================================================
// Stream bodies (§4.4 step 11)

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(Buffer.from(p));
      c.close();
    },
  });
}

test('a ReadableStream body answered 307 (or 301) rejects ERR_BODY_NOT_REPLAYABLE (it cannot be sent twice); answered 303 it is followed with a GET', async (t) => {
  const srv = await recordingServer((req, res) => {
    if (req.url === '/307') res.writeHead(307, { Location: '/dest' }).end();
    else if (req.url === '/301') res.writeHead(301, { Location: '/dest' }).end();
    else if (req.url === '/303') res.writeHead(303, { Location: '/dest' }).end();
    else res.end(`dest ${req.method}`);
  });
  t.after(() => srv.close());
  const { f } = fetchSetup(t);

  await assert.rejects(
    f(`${srv.url}/307`, { method: 'POST', body: streamOf('str', 'eam'), duplex: 'half' } as RequestInit),
    fetchFailed('ERR_BODY_NOT_REPLAYABLE'),
  );
  assert.deepEqual(
    srv.seen.map((s) => [s.method, s.url, s.body.toString()]),
    [['POST', '/307', 'stream']],
    'the stream went out once, and /dest was never asked for',
  );

  // §4.4 step 11 comes before step 12: a POST answered 301 would become a bodiless GET, yet a
  // stream body still fails it (only 303 is exempt).
  await assert.rejects(
    f(`${srv.url}/301`, { method: 'POST', body: streamOf('str', 'eam'), duplex: 'half' } as RequestInit),
    fetchFailed('ERR_BODY_NOT_REPLAYABLE'),
  );
  assert.deepEqual(
    srv.seen.slice(1).map((s) => [s.method, s.url]),
    [['POST', '/301']],
  );

  const res = await f(`${srv.url}/303`, { method: 'POST', body: streamOf('str', 'eam'), duplex: 'half' } as RequestInit);
  assert.equal(res.redirected, true);
  assert.equal(await res.text(), 'dest GET');
  const [first, second] = srv.seen.slice(2);
  assert.deepEqual([first!.method, first!.url, first!.body.toString()], ['POST', '/303', 'stream']);
  assert.deepEqual([second!.method, second!.url, second!.body.length], ['GET', '/dest', 0]);
  assert.equal(second!.headers['transfer-encoding'], undefined, 'no chunked framing for a body that is gone');
});

// =============================================================================================
// Fragments

test('fragments: response.url never has one (fetch strips it, also after a redirect), and no server sees one', async (t) => {
  const srv = await recordingServer((req, res) => {
    if (req.url === '/plain-location') res.writeHead(302, { Location: '/dest' }).end();
    else if (req.url === '/own-fragment') res.writeHead(302, { Location: '/dest2#theirs' }).end();
    else res.end(`at ${req.url}`);
  });
  t.after(() => srv.close());
  const { f } = fetchSetup(t);

  // §4.4: a Location without a fragment inherits the request's (#frag), but Response.url is
  // serialized without it.
  const a = await f(`${srv.url}/plain-location#frag`);
  assert.equal(a.redirected, true);
  assert.equal(a.url, `${srv.url}/dest`);
  assert.equal(await a.text(), 'at /dest');

  const b = await f(`${srv.url}/own-fragment#mine`);
  assert.equal(b.url, `${srv.url}/dest2`);
  assert.equal(await b.text(), 'at /dest2');

  assert.deepEqual(
    srv.seen.map((s) => s.url),
    ['/plain-location', '/dest', '/own-fragment', '/dest2'],
  );
  assert.ok(srv.seen.every((s) => !s.url.includes('#')), 'no fragment on the wire');
});
