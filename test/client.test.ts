// The Client over real loopback sockets: what goes on the wire for each helper and body kind,
// transparent decoding, redirects, the Response API, errors, timeouts and the default client.
// Every assertion is on what a server actually received or what the caller actually got.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import * as net from 'node:net';
import {
  Client,
  Transport,
  Request,
  Headers,
  useLastResponse,
  defaultClient,
  get,
  head,
  post,
  postForm,
  type BodyInit,
} from '../src/index.js';
import { httpServer, rawServer, onRequests, until } from './support/servers.js';
import { setup, code } from './support/clients.js';
import { recordingServer, bytesServer, splitHead } from './support/recorder.js';
import { within } from './support/within.js';



/** How many times a header name occurs in node:http's rawHeaders. */
function rawCount(rawHeaders: string[], name: string): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === name.toLowerCase()) n++;
  return n;
}


/** A port nothing listens on (a server was there a moment ago). */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// =============================================================================================
// What goes on the wire

test('GET: exact request line and header set, with the defaults (Host, User-Agent, Accept-Encoding)', async (t) => {
  let answered = false;
  const srv = await bytesServer((socket, received) => {
    if (!answered && received.includes('\r\n\r\n')) {
      answered = true;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    }
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const res = await client.get(`${srv.url}/a/b?x=1&y=%20z`);
  assert.equal(await res.body.text(), 'ok');
  const req = splitHead(srv.received[0]!);
  assert.ok(req !== null);
  assert.equal(req.requestLine, 'GET /a/b?x=1&y=%20z HTTP/1.1');
  assert.deepEqual(
    [...req.headerLines].sort(),
    [`Host: 127.0.0.1:${srv.port}`, 'User-Agent: httpool/0.1', 'Accept-Encoding: gzip, deflate, br'].sort(),
  );
  assert.equal(req.rest.length, 0, 'a GET has no body bytes');
});

test('HEAD: method HEAD, no Accept-Encoding, and the declared Content-Length is not waited for', async (t) => {
  const srv = await recordingServer((req, res) => {
    if (req.method === 'HEAD') {
      res.setHeader('Content-Length', '5'); // what a GET would carry; no body follows
      res.end();
    } else res.end('ok');
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const res = await client.head(`${srv.url}/h`);
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers.get('content-length'), '5');
  assert.equal(await res.body.text(), '');
  assert.equal(srv.seen[0]!.method, 'HEAD');
  assert.equal(srv.seen[0]!.headers['accept-encoding'], undefined, 'no Accept-Encoding for HEAD');
  assert.equal(srv.seen[0]!.headers['user-agent'], 'httpool/0.1');
  // The connection is clean: the next request goes out on it.
  assert.equal(await (await client.get(`${srv.url}/next`)).body.text(), 'ok');
  assert.equal(srv.seen[1]!.conn, 0);
});

test('POST: method, the given Content-Type, Content-Length and the body bytes', async (t) => {
  const srv = await recordingServer();
  t.after(() => srv.close());
  const { client } = setup(t);
  const payload = JSON.stringify({ name: 'zoë', n: [1, 2, 3] });
  await (await client.post(`${srv.url}/p`, 'application/json', payload)).body.text();
  const s = srv.seen[0]!;
  assert.equal(s.method, 'POST');
  assert.equal(s.url, '/p');
  assert.equal(s.headers['content-type'], 'application/json');
  assert.equal(rawCount(s.rawHeaders, 'content-type'), 1);
  assert.equal(s.headers['content-length'], String(Buffer.byteLength(payload)));
  assert.equal(s.headers['transfer-encoding'], undefined);
  assert.equal(s.body.toString('utf8'), payload);
});

test('postForm: a record or URLSearchParams, form-encoded with its content type', async (t) => {
  const srv = await recordingServer();
  t.after(() => srv.close());
  const { client } = setup(t);
  await (await client.postForm(`${srv.url}/f`, { a: '1', b: 'x y&z' })).body.text();
  await (await client.postForm(`${srv.url}/f`, new URLSearchParams([['k', 'v'], ['k', 'w']]))).body.text();
  for (const s of srv.seen) {
    assert.equal(s.method, 'POST');
    assert.equal(s.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(s.headers['content-length'], String(s.body.length));
  }
  assert.equal(srv.seen[0]!.body.toString(), 'a=1&b=x+y%26z');
  assert.equal(srv.seen[1]!.body.toString(), 'k=v&k=w');
});

test('Accept-Encoding is not added when the caller set one or sent a Range, and the body is then left encoded', async (t) => {
  const plain = Buffer.from('compressible '.repeat(100));
  const gz = zlib.gzipSync(plain);
  const srv = await recordingServer((_req, res) => {
    res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': gz.length });
    res.end(gz);
  });
  t.after(() => srv.close());
  const { client } = setup(t);

  const own = await client.get(srv.url, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(srv.seen[0]!.headers['accept-encoding'], 'gzip');
  assert.equal(rawCount(srv.seen[0]!.rawHeaders, 'accept-encoding'), 1, 'not doubled');
  assert.equal(own.uncompressed, false);
  assert.equal(own.headers.get('content-encoding'), 'gzip');
  assert.equal(own.contentLength, gz.length);
  assert.deepEqual(Buffer.from(await own.body.bytes()), gz, 'the caller asked for gzip: it gets gzip');

  const ranged = await client.get(srv.url, { headers: { Range: 'bytes=0-' } });
  assert.equal(srv.seen[1]!.headers['accept-encoding'], undefined);
  assert.equal(srv.seen[1]!.headers['range'], 'bytes=0-');
  assert.equal(ranged.uncompressed, false);
  assert.deepEqual(Buffer.from(await ranged.body.bytes()), gz);
});

test('disableCompression: no Accept-Encoding is sent', async (t) => {
  const srv = await recordingServer();
  t.after(() => srv.close());
  const { client } = setup(t, { disableCompression: true });
  await (await client.get(srv.url)).body.text();
  assert.equal(srv.seen[0]!.headers['accept-encoding'], undefined);
});

test('a caller User-Agent replaces the default one', async (t) => {
  const srv = await recordingServer();
  t.after(() => srv.close());
  const { client } = setup(t);
  await (await client.get(srv.url, { headers: { 'user-agent': 'mine/1.0' } })).body.text();
  assert.equal(srv.seen[0]!.headers['user-agent'], 'mine/1.0');
  assert.equal(rawCount(srv.seen[0]!.rawHeaders, 'user-agent'), 1);
});

test('Client default headers are sent unless the request sets the same header', async (t) => {
  const srv = await recordingServer();
  t.after(() => srv.close());
  const { client } = setup(t, {}, { headers: { 'X-Team': 'core', 'User-Agent': 'client-ua/2' } });
  await (await client.get(srv.url)).body.text();
  await (await client.get(srv.url, { headers: { 'x-team': 'edge' } })).body.text();
  await (await client.do(new Request('DELETE', srv.url, { headers: new Headers([['User-Agent', 'req-ua']]) }))).body.text();
  const [a, b, c] = srv.seen;
  assert.equal(a!.headers['x-team'], 'core');
  assert.equal(a!.headers['user-agent'], 'client-ua/2');
  assert.equal(rawCount(a!.rawHeaders, 'user-agent'), 1);
  assert.equal(b!.headers['x-team'], 'edge');
  assert.equal(rawCount(b!.rawHeaders, 'x-team'), 1, 'the request\'s value replaces the default, not added to it');
  assert.equal(c!.method, 'DELETE');
  assert.equal(c!.headers['user-agent'], 'req-ua');
  assert.equal(c!.headers['x-team'], 'core');
});

// =============================================================================================
// Request bodies

test('every request body kind arrives intact, framed by length when known and chunked otherwise', async (t) => {
  const srv = await recordingServer((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const { client } = setup(t);

  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  const view = all.subarray(10, 200); // a view with an offset: only its bytes must go
  const text = 'héllo wörld ✓ 你好';

  async function* gen(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('one,');
    yield new Uint8Array([0x74, 0x77, 0x6f]); // "two"
    yield Buffer.alloc(0);
    yield Buffer.from(',three');
  }

  const cases: { name: string; body: () => BodyInit; expect: Buffer; framing: 'length' | 'chunked'; type?: string }[] = [
    { name: 'string (UTF-8)', body: () => text, expect: Buffer.from(text, 'utf8'), framing: 'length' },
    { name: 'Uint8Array view', body: () => view, expect: Buffer.from(view), framing: 'length' },
    { name: 'empty Uint8Array', body: () => new Uint8Array(0), expect: Buffer.alloc(0), framing: 'length' },
    {
      name: 'ArrayBuffer',
      body: () => all.buffer.slice(all.byteOffset + 5, all.byteOffset + 50),
      expect: all.subarray(5, 50),
      framing: 'length',
    },
    {
      name: 'URLSearchParams',
      body: () => new URLSearchParams({ q: 'a b', r: 'ü' }),
      expect: Buffer.from('q=a+b&r=%C3%BC'),
      framing: 'length',
      type: 'application/x-www-form-urlencoded',
    },
    {
      name: 'Blob',
      body: () => new Blob(['blob-', all.subarray(0, 20)], { type: 'application/x-thing' }),
      expect: Buffer.concat([Buffer.from('blob-'), all.subarray(0, 20)]),
      framing: 'length',
      type: 'application/x-thing',
    },
    {
      name: 'ReadableStream',
      body: () =>
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(Buffer.from('rs-1|'));
            c.enqueue(all.subarray(100, 110));
            c.close();
          },
        }),
      expect: Buffer.concat([Buffer.from('rs-1|'), all.subarray(100, 110)]),
      framing: 'chunked',
    },
    { name: 'AsyncIterable', body: () => gen(), expect: Buffer.from('one,two,three'), framing: 'chunked' },
    { name: 'function → string', body: () => () => 'from fn', expect: Buffer.from('from fn'), framing: 'length' },
    { name: 'function → AsyncIterable', body: () => () => gen(), expect: Buffer.from('one,two,three'), framing: 'chunked' },
  ];

  for (const c of cases) {
    await t.test(c.name, async () => {
      const before = srv.seen.length;
      const res = await client.do(new Request('PUT', `${srv.url}/body`, { body: c.body() }));
      assert.equal(await res.body.text(), 'ok');
      const s = srv.seen[before]!;
      assert.equal(s.method, 'PUT');
      assert.deepEqual(s.body, c.expect);
      if (c.framing === 'length') {
        assert.equal(s.headers['content-length'], String(c.expect.length));
        assert.equal(s.headers['transfer-encoding'], undefined);
      } else {
        assert.equal(s.headers['transfer-encoding'], 'chunked');
        assert.equal(s.headers['content-length'], undefined);
      }
      if (c.type !== undefined) assert.equal(s.headers['content-type'], c.type);
    });
  }
  assert.equal(srv.connections, 1, 'every body kind left the connection reusable');
});

test('a large streamed body (4 MiB in 64 KiB pieces) arrives intact, in order', async (t) => {
  const srv = await recordingServer((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const { client } = setup(t);
  const piece = (i: number): Buffer => Buffer.alloc(64 * 1024, i % 251);
  async function* big(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < 64; i++) yield piece(i);
  }
  const res = await client.post(`${srv.url}/big`, 'application/octet-stream', big());
  assert.equal(await res.body.text(), 'ok');
  const got = srv.seen[0]!.body;
  assert.equal(got.length, 64 * 64 * 1024);
  for (let i = 0; i < 64; i++) assert.deepEqual(got.subarray(i * 65536, (i + 1) * 65536), piece(i), `piece ${i}`);
});

test('a stream body goes out with Transfer-Encoding: chunked: exact bytes on the wire', async (t) => {
  let answered = false;
  const srv = await bytesServer((socket, received) => {
    if (!answered && received.toString('latin1').endsWith('0\r\n\r\n')) {
      answered = true;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    }
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(Buffer.from('ab'));
      c.enqueue(Buffer.from('cdefghijkl')); // 10 bytes: hex "a"
      c.close();
    },
  });
  const res = await client.post(`${srv.url}/up`, 'text/plain', body);
  assert.equal(res.statusCode, 200);
  const req = splitHead(srv.received[0]!);
  assert.ok(req !== null);
  assert.equal(req.requestLine, 'POST /up HTTP/1.1');
  assert.ok(req.headerLines.includes('Transfer-Encoding: chunked'), req.headerLines.join(' | '));
  assert.ok(req.headerLines.includes('Content-Type: text/plain'));
  assert.ok(!req.headerLines.some((l) => /^content-length:/i.test(l)));
  assert.equal(req.rest.toString('latin1'), '2\r\nab\r\na\r\ncdefghijkl\r\n0\r\n\r\n');
});

test('a function body is called again for a 307 redirect, and the body is sent on both hops', async (t) => {
  const srv = await recordingServer((req, res) => {
    if (req.url === '/start') {
      res.writeHead(307, { Location: '/next' });
      res.end();
    } else res.end('done');
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  let calls = 0;
  const res = await client.do(
    new Request('PUT', `${srv.url}/start`, {
      body: () => {
        calls++;
        return `payload-${'x'.repeat(10)}`;
      },
    }),
  );
  assert.equal(res.statusCode, 200);
  assert.equal(await res.body.text(), 'done');
  assert.equal(calls, 2, 'once for each hop');
  assert.deepEqual(
    srv.seen.map((s) => [s.method, s.url, s.body.toString()]),
    [
      ['PUT', '/start', 'payload-xxxxxxxxxx'],
      ['PUT', '/next', 'payload-xxxxxxxxxx'],
    ],
  );
  assert.equal(res.request.url.pathname, '/next');
});

test('a stream body on a 307 returns the 307 itself: the body cannot be sent again', async (t) => {
  const srv = await recordingServer((req, res) => {
    if (req.url === '/start') {
      res.writeHead(307, { Location: '/next' });
      res.end('go elsewhere');
    } else res.end('done');
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  async function* once(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('only-once');
  }
  const res = await client.post(`${srv.url}/start`, 'text/plain', once());
  assert.equal(res.statusCode, 307);
  assert.equal(res.headers.get('location'), '/next');
  assert.equal(await res.body.text(), 'go elsewhere');
  assert.equal(srv.seen.length, 1, 'the second hop was never sent');
  assert.equal(srv.seen[0]!.body.toString(), 'only-once');
});

// =============================================================================================
// Transparent decoding

for (const [coding, compress] of [
  ['gzip', zlib.gzipSync],
  ['deflate', zlib.deflateSync],
  ['br', zlib.brotliCompressSync],
] as const) {
  test(`transparent ${coding} decoding: Content-Encoding and Content-Length removed, uncompressed, contentLength -1`, async (t) => {
    const plain = Buffer.from(Array.from({ length: 2000 }, (_, i) => `line ${i}\n`).join(''));
    const wire = compress(plain);
    const srv = await recordingServer((_req, res) => {
      res.writeHead(200, { 'Content-Encoding': coding, 'Content-Length': wire.length, 'X-Other': 'kept' });
      res.end(wire);
    });
    t.after(() => srv.close());
    const { client } = setup(t);
    const res = await client.get(srv.url);
    assert.equal(srv.seen[0]!.headers['accept-encoding'], 'gzip, deflate, br');
    assert.equal(res.uncompressed, true);
    assert.equal(res.contentLength, -1);
    assert.equal(res.headers.has('content-encoding'), false);
    assert.equal(res.headers.has('content-length'), false);
    assert.equal(res.headers.get('x-other'), 'kept');
    assert.deepEqual(Buffer.from(await res.body.bytes()), plain);
    // The connection is reusable after a decoded body.
    await (await client.get(srv.url)).body.bytes();
    assert.equal(srv.connections, 1);
  });
}

test('a corrupt gzip body is an ERR_DECODE error, not a short body', async (t) => {
  const srv = await recordingServer((_req, res) => {
    const junk = Buffer.from('this is certainly not a gzip stream');
    res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': junk.length });
    res.end(junk);
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const res = await client.get(srv.url);
  assert.equal(res.statusCode, 200);
  await assert.rejects(res.body.text(), code('ERR_DECODE'));
});

test('a truncated gzip body is an ERR_DECODE error, not a short body', async (t) => {
  const plain = Buffer.from(Array.from({ length: 5000 }, (_, i) => `${i * 7919}`).join(','));
  const gz = zlib.gzipSync(plain);
  const half = gz.subarray(0, Math.floor(gz.length / 2));
  const srv = await recordingServer((_req, res) => {
    res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': half.length });
    res.end(half);
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const res = await client.get(srv.url);
  await assert.rejects(res.body.bytes(), code('ERR_DECODE'));
});

// =============================================================================================
// Redirects

function redirecting(status: number, extra: Record<string, string> = {}) {
  return recordingServer((req, res) => {
    if (req.url === '/from') {
      res.writeHead(status, { Location: '/to', ...extra });
      res.end('moved');
    } else {
      res.end(`final ${req.method}`);
    }
  });
}

for (const status of [301, 302, 303]) {
  test(`${status}: a POST becomes a GET without a body; res.request is the last hop`, async (t) => {
    const srv = await redirecting(status);
    t.after(() => srv.close());
    const { client } = setup(t);
    const res = await client.post(`${srv.url}/from`, 'text/plain', 'the-body');
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), 'final GET');
    const [first, second] = srv.seen;
    assert.equal(first!.method, 'POST');
    assert.equal(first!.body.toString(), 'the-body');
    assert.equal(second!.method, 'GET');
    assert.equal(second!.url, '/to');
    assert.equal(second!.body.length, 0);
    assert.equal(second!.headers['content-length'], undefined);
    assert.equal(second!.headers['transfer-encoding'], undefined);
    assert.equal(second!.headers['content-type'], undefined, 'the body\'s type went with the body');
    assert.equal(res.request.method, 'GET');
    assert.equal(res.request.url.href, `${srv.url}/to`);
    assert.equal(res.request.body, null);
  });

  test(`${status}: HEAD stays HEAD`, async (t) => {
    const srv = await redirecting(status);
    t.after(() => srv.close());
    const { client } = setup(t);
    const res = await client.head(`${srv.url}/from`);
    assert.equal(res.statusCode, 200);
    await res.body.text();
    assert.deepEqual(
      srv.seen.map((s) => [s.method, s.url]),
      [
        ['HEAD', '/from'],
        ['HEAD', '/to'],
      ],
    );
  });
}

for (const status of [307, 308]) {
  test(`${status}: method and body are kept`, async (t) => {
    const srv = await redirecting(status);
    t.after(() => srv.close());
    const { client } = setup(t);
    const res = await client.post(`${srv.url}/from`, 'application/json', '{"a":1}');
    assert.equal(await res.body.text(), 'final POST');
    const second = srv.seen[1]!;
    assert.equal(second.method, 'POST');
    assert.equal(second.url, '/to');
    assert.equal(second.body.toString(), '{"a":1}');
    assert.equal(second.headers['content-type'], 'application/json');
    assert.equal(second.headers['content-length'], '7');
    assert.equal(res.request.method, 'POST');
    assert.equal(res.request.url.pathname, '/to');
  });
}

test('a 3xx without Location is returned as it is', async (t) => {
  const srv = await recordingServer((_req, res) => {
    res.writeHead(302);
    res.end('nowhere');
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const res = await client.get(`${srv.url}/x`);
  assert.equal(res.statusCode, 302);
  assert.equal(await res.body.text(), 'nowhere');
  assert.equal(srv.seen.length, 1);
});

test('the default policy stops after 10 redirects with ERR_TOO_MANY_REDIRECTS', async (t) => {
  const srv = await recordingServer((req, res) => {
    const n = Number(req.url!.slice(3));
    res.writeHead(302, { Location: `/r/${n + 1}` });
    res.end();
  });
  t.after(() => srv.close());
  const { transport, client } = setup(t);
  await assert.rejects(
    within(client.get(`${srv.url}/r/0`), 5_000, 'the redirect chain to stop'),
    code('ERR_TOO_MANY_REDIRECTS', (e) => {
      assert.match(e.message, /10 redirects/);
      assert.ok(e.message.includes(`GET ${srv.url}/r/10`), e.message);
    }),
  );
  assert.equal(srv.seen.length, 10, 'ten requests went out, as in Go');
  assert.equal(transport.stats().totals.active, 0, 'the last 3xx body was closed');
});

test('checkRedirect sees the next request and the chain so far; useLastResponse returns the 3xx', async (t) => {
  const srv = await recordingServer((req, res) => {
    const n = Number(req.url!.slice(3));
    res.writeHead(302, { Location: `/r/${n + 1}` });
    res.end(`hop ${n}`);
  });
  t.after(() => srv.close());
  const calls: [string, string[]][] = [];
  const { client } = setup(t, {}, {
    checkRedirect: (req, via) => {
      calls.push([req.url.pathname, via.map((r) => r.url.pathname)]);
      if (via.length === 2) return useLastResponse;
    },
  });
  const res = await client.get(`${srv.url}/r/0`);
  assert.equal(res.statusCode, 302);
  assert.equal(res.headers.get('location'), '/r/2');
  assert.equal(await res.body.text(), 'hop 1');
  assert.equal(res.request.url.pathname, '/r/1');
  assert.deepEqual(calls, [
    ['/r/1', ['/r/0']],
    ['/r/2', ['/r/0', '/r/1']],
  ]);
  assert.equal(srv.seen.length, 2);
});

test('checkRedirect throwing stops the chain with that error', async (t) => {
  const srv = await redirecting(302);
  t.after(() => srv.close());
  const stop = new Error('no redirects here');
  const { transport, client } = setup(t, {}, {
    checkRedirect: () => {
      throw stop;
    },
  });
  await assert.rejects(client.get(`${srv.url}/from`), (e: unknown) => e === stop);
  assert.equal(srv.seen.length, 1);
  assert.equal(transport.stats().totals.active, 0);
});

test('redirects: Authorization and Cookie kept for the same host, dropped for another; Referer set', async (t) => {
  const srv = await recordingServer((req, res) => {
    if (req.url === '/one') {
      res.writeHead(302, { Location: '/two' });
      res.end();
    } else if (req.url === '/two') {
      res.writeHead(302, { Location: `http://localhost:${srv.port}/three` });
      res.end();
    } else res.end('there');
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const res = await client.get(`${srv.url}/one`, {
    headers: { Authorization: 'Bearer secret', Cookie: 'sid=42', 'X-Custom': 'kept' },
  });
  assert.equal(await res.body.text(), 'there');
  const [one, two, three] = srv.seen;
  assert.equal(one!.headers['authorization'], 'Bearer secret');
  assert.equal(one!.headers['referer'], undefined);

  assert.equal(two!.url, '/two');
  assert.equal(two!.headers['authorization'], 'Bearer secret', 'same host: kept');
  assert.equal(two!.headers['cookie'], 'sid=42');
  assert.equal(two!.headers['x-custom'], 'kept');
  assert.equal(two!.headers['referer'], `${srv.url}/one`);

  assert.equal(three!.url, '/three');
  assert.equal(three!.headers['host'], `localhost:${srv.port}`);
  assert.equal(three!.headers['authorization'], undefined, 'another host: dropped');
  assert.equal(three!.headers['cookie'], undefined);
  assert.equal(three!.headers['x-custom'], 'kept');
  assert.equal(three!.headers['referer'], `${srv.url}/two`);
  assert.equal(res.request.url.href, `http://localhost:${srv.port}/three`);
});

test('URL userinfo becomes Basic auth (percent-decoded); an explicit Authorization wins', async (t) => {
  const srv = await recordingServer();
  t.after(() => srv.close());
  const { client } = setup(t);
  const url = `http://alice:s3cr%3At%40@127.0.0.1:${srv.port}/private`;
  await (await client.get(url)).body.text();
  assert.equal(srv.seen[0]!.headers['authorization'], `Basic ${Buffer.from('alice:s3cr:t@').toString('base64')}`);
  assert.equal(srv.seen[0]!.url, '/private');
  await (await client.get(url, { headers: { Authorization: 'Bearer tok' } })).body.text();
  assert.equal(srv.seen[1]!.headers['authorization'], 'Bearer tok');
  assert.equal(rawCount(srv.seen[1]!.rawHeaders, 'authorization'), 1);
});

// =============================================================================================
// The Response

test('response: statusCode, status with the reason as sent, proto, case-insensitive headers, contentLength', async (t) => {
  const srv = await rawServer((socket) => {
    onRequests(socket, () => {
      socket.write(
        'HTTP/1.1 201 Created Here\r\nX-Multi: a\r\nx-multi: b\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
      );
    });
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const res = await client.get(srv.url);
  assert.equal(res.statusCode, 201);
  assert.equal(res.status, '201 Created Here');
  assert.equal(res.proto, 'HTTP/1.1');
  assert.equal(res.ok, true);
  assert.equal(res.headers.get('X-MULTI'), 'a');
  assert.deepEqual(res.headers.values('x-Multi'), ['a', 'b']);
  assert.equal(res.headers.has('CONTENT-type'), true);
  assert.equal(res.headers.has('x-missing'), false);
  assert.equal(res.headers.get('x-missing'), null);
  assert.deepEqual(res.headers.values('x-missing'), []);
  assert.equal(res.contentLength, 5);
  assert.equal(await res.body.text(), 'hello');
});

test('response: an HTTP/1.0 answer reports proto HTTP/1.0; a 404 is a response, not an error', async (t) => {
  const srv = await rawServer((socket) => {
    onRequests(socket, () => {
      socket.end('HTTP/1.0 404 Not Found\r\nContent-Length: 4\r\n\r\nnope');
    });
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const res = await client.get(srv.url);
  assert.equal(res.proto, 'HTTP/1.0');
  assert.equal(res.statusCode, 404);
  assert.equal(res.status, '404 Not Found');
  assert.equal(res.ok, false);
  assert.equal(await res.body.text(), 'nope');
});

test('response: trailers are available after a chunked body has been read', async (t) => {
  const srv = await httpServer((_req, res) => {
    res.writeHead(200, { Trailer: 'X-Checksum', 'Content-Type': 'text/plain' });
    res.write('abc');
    res.write('def');
    res.addTrailers({ 'X-Checksum': 'sum-123' });
    res.end();
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const res = await client.get(srv.url);
  assert.equal(res.contentLength, -1, 'chunked: length unknown');
  assert.equal(res.headers.get('transfer-encoding'), 'chunked');
  assert.equal(await res.body.text(), 'abcdef');
  assert.equal(res.trailers.get('x-checksum'), 'sum-123');
  assert.equal(res.trailers.get('X-CHECKSUM'), 'sum-123');
});

test('response body readers: text, json, bytes, stream(), for-await', async (t) => {
  const doc = { hello: 'wörld', list: [1, 2, 3] };
  const big = Buffer.alloc(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  const srv = await httpServer((req, res) => {
    if (req.url === '/big') res.end(big);
    else {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(doc));
    }
  });
  t.after(() => srv.close());
  const { client } = setup(t);

  assert.equal(await (await client.get(srv.url)).body.text(), JSON.stringify(doc));
  assert.deepEqual(await (await client.get(srv.url)).body.json(), doc);
  const bytes = await (await client.get(srv.url)).body.bytes();
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(Buffer.from(bytes).toString(), JSON.stringify(doc));

  // stream(): a web ReadableStream over a body larger than the buffer.
  const sres = await client.get(`${srv.url}/big`);
  const reader = sres.body.stream().getReader();
  const parts: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  assert.deepEqual(Buffer.concat(parts), big);

  // for await
  const ires = await client.get(`${srv.url}/big`);
  const chunks: Uint8Array[] = [];
  for await (const chunk of ires.body) {
    assert.ok(chunk instanceof Uint8Array);
    chunks.push(chunk);
  }
  assert.deepEqual(Buffer.concat(chunks), big);
  assert.equal(srv.connections, 1, 'every body read to the end gave the connection back');
});

test('reading a body twice fails with ERR_BODY_CONSUMED', async (t) => {
  const srv = await httpServer((_req, res) => res.end('once'));
  t.after(() => srv.close());
  const { client } = setup(t);

  const a = await client.get(srv.url);
  assert.equal(await a.body.text(), 'once');
  await assert.rejects(a.body.text(), code('ERR_BODY_CONSUMED'));
  await assert.rejects(a.body.json(), code('ERR_BODY_CONSUMED'));

  const b = await client.get(srv.url);
  await b.body.bytes();
  assert.throws(() => b.body.stream(), code('ERR_BODY_CONSUMED'));

  const c = await client.get(srv.url);
  await c.body.close();
  await assert.rejects(c.body.bytes(), code('ERR_BODY_CONSUMED'));
  await assert.rejects(
    (async () => {
      for await (const _ of c.body) void _;
    })(),
    code('ERR_BODY_CONSUMED'),
  );
});

test('await using: leaving the scope closes the body (a large unread remainder closes the connection)', async (t) => {
  const big = Buffer.alloc(4 << 20, 'z');
  const srv = await httpServer((_req, res) => res.end(big));
  t.after(() => srv.close());
  const { transport, client } = setup(t, { maxDrainBytes: 64 * 1024 });
  let kept: Awaited<ReturnType<Client['get']>> | null = null;
  {
    await using res = await client.get(srv.url);
    kept = res;
    assert.equal(res.statusCode, 200);
    assert.equal(transport.stats().totals.active, 1, 'the unread body holds its connection');
  }
  assert.equal(kept.body.used, true);
  assert.equal(transport.stats().totals.active, 0);
  assert.equal(transport.stats().totals.closed['body-not-drained'], 1);
  await assert.rejects(kept.body.text(), code('ERR_BODY_CONSUMED'));
});

test('await using: a small remainder is drained on disposal and the connection reused', async (t) => {
  const body = Buffer.alloc(400 * 1024, 'q'); // more than the body buffer holds, less than maxDrainBytes
  const srv = await httpServer((_req, res) => res.end(body));
  t.after(() => srv.close());
  const { transport, client } = setup(t, { maxDrainBytes: 1 << 20 });
  {
    await using res = await client.get(srv.url);
    assert.equal(res.statusCode, 200);
  }
  await until(() => transport.stats().totals.idle === 1, 2_000, 'the drained connection to go idle');
  await (await client.get(srv.url)).body.bytes();
  assert.equal(srv.connections, 1);
  assert.deepEqual(transport.stats().totals.closed, {});
});

// =============================================================================================
// Errors

test('refused connection: ERR_CONNECT, an HttpoolError naming method and URL, with the cause', async (t) => {
  const port = await deadPort();
  const { transport, client } = setup(t);
  const url = `http://127.0.0.1:${port}/x?y=1`;
  await assert.rejects(
    client.get(url),
    code('ERR_CONNECT', (e) => {
      assert.equal(e.method, 'GET');
      assert.equal(e.url, url);
      assert.ok(e.message.includes(`GET ${url}`), e.message);
      assert.ok(e.cause instanceof Error, 'the socket error is the cause');
      assert.equal((e.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    }),
  );
  const s = transport.stats().totals;
  assert.equal(s.opened, 0);
  assert.equal(s.dialing, 0);
  assert.equal(s.waiting, 0);
});

test('a password in the URL never appears in error messages', async (t) => {
  const port = await deadPort();
  const { client } = setup(t);
  await assert.rejects(
    client.get(`http://bob:hunter2@127.0.0.1:${port}/`),
    code('ERR_CONNECT', (e) => {
      assert.ok(!e.message.includes('hunter2'), e.message);
      assert.ok(!(e.url ?? '').includes('hunter2'));
    }),
  );
});

test('invalid method: ERR_INVALID_METHOD, nothing sent', async (t) => {
  const srv = await bytesServer();
  t.after(() => srv.close());
  const { client } = setup(t);
  for (const m of ['GE T', 'GET\r\nX: y', '', 'GÉT', 'PO(ST)']) {
    await assert.rejects(async () => client.do(new Request(m, srv.url)), code('ERR_INVALID_METHOD'));
  }
  assert.throws(() => new Request('BAD METHOD', srv.url), code('ERR_INVALID_METHOD'));
  assert.equal(srv.connections, 0);
});

test('URL with CR/LF (or TAB/NUL): ERR_INVALID_URL, no connection made', async (t) => {
  const srv = await bytesServer();
  t.after(() => srv.close());
  const { transport, client } = setup(t);
  for (const bad of [`${srv.url}/a\r\nX-Injected: 1`, `${srv.url}/a\nb`, `${srv.url}/a\tb`, `${srv.url}/a\0b`]) {
    await assert.rejects(async () => client.get(bad), code('ERR_INVALID_URL'));
  }
  assert.equal(transport.stats().totals.opened, 0);
  assert.equal(srv.connections, 0);
});

test('unsupported scheme: ERR_INVALID_URL naming the scheme, with method and URL', async (t) => {
  const { transport, client } = setup(t);
  await assert.rejects(
    async () => client.get('ftp://127.0.0.1/file'),
    code('ERR_INVALID_URL', (e) => {
      assert.match(e.message, /unsupported protocol scheme "ftp"/);
      assert.ok(e.message.includes('GET ftp://127.0.0.1/file'), e.message);
    }),
  );
  assert.equal(transport.stats().totals.opened, 0);
});

test('header value with CR/LF: ERR_INVALID_HEADER, and not a byte of the request reaches the server', async (t) => {
  const srv = await bytesServer((socket, received) => {
    if (received.includes('\r\n\r\n')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  await assert.rejects(
    async () => client.get(`${srv.url}/bad`, { headers: { 'X-Evil': 'a\r\nInjected: 1' } }),
    code('ERR_INVALID_HEADER', (e) => {
      assert.ok(e.message.includes(`GET ${srv.url}/bad`), e.message);
    }),
  );
  // A good request afterwards on the same client: whatever connection it uses, nothing of the
  // refused request came before it.
  const res = await client.get(`${srv.url}/good`);
  assert.equal(await res.body.text(), 'ok');
  const all = Buffer.concat(srv.received.filter((b) => b !== undefined)).toString('latin1');
  assert.ok(!all.includes('Evil') && !all.includes('Injected') && !all.includes('/bad'), JSON.stringify(all));
  assert.ok(all.startsWith('GET /good HTTP/1.1\r\n'), JSON.stringify(all));
});

test('an invalid header is refused before any connection is made (as Go validates before getConn)', async (t) => {
  const srv = await bytesServer();
  t.after(() => srv.close());
  const { transport, client } = setup(t);
  await assert.rejects(
    async () => client.get(srv.url, { headers: { 'X-Evil': 'a\r\nInjected: 1' } }),
    code('ERR_INVALID_HEADER'),
  );
  await assert.rejects(async () => client.get(srv.url, { headers: { 'Bad Name': 'v' } }), code('ERR_INVALID_HEADER'));
  assert.equal(transport.stats().totals.opened, 0, 'no connection was dialed for a request that cannot be sent');
  // Prove it on the server too: a connection from a fresh transport is the first it accepts.
  const probe = new Transport();
  t.after(() => probe.close());
  await assert.rejects(new Client({ transport: probe, timeout: 300 }).get(srv.url), code('ERR_TIMEOUT'));
  assert.equal(srv.connections, 1, 'only the probe connected');
});

test('input errors reject the returned promise rather than throwing synchronously', async (t) => {
  const { client } = setup(t);
  let p: Promise<unknown> | undefined;
  assert.doesNotThrow(() => {
    p = client.get('http://127.0.0.1:1/a\r\nb');
  }, 'client.get() with a bad URL must return a rejected promise');
  if (p !== undefined) await assert.rejects(p, code('ERR_INVALID_URL'));
});

// =============================================================================================
// Timeouts and aborts

test('Client timeout covers reading the body: a stalled body rejects with ERR_TIMEOUT within a margin', async (t) => {
  const srv = await rawServer((socket) => {
    onRequests(socket, () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..'));
  });
  t.after(() => srv.close());
  const { transport, client } = setup(t, {}, { timeout: 300 });
  const started = Date.now();
  const res = await client.get(`${srv.url}/slow-body`);
  assert.equal(res.statusCode, 200);
  assert.ok(Date.now() - started < 300, 'the head arrived before the timeout');
  await assert.rejects(within(res.body.text(), 3_000, 'the body read to time out'), code('ERR_TIMEOUT'));
  const took = Date.now() - started;
  assert.ok(took >= 250 && took < 2_000, `timed out after ~300 ms, took ${took}`);
  assert.equal(transport.stats().totals.closed['timeout'], 1);
  assert.equal(transport.stats().totals.active, 0);
});

test('errors while reading the body carry the request method and URL (API.md: every error)', async (t) => {
  const srv = await rawServer((socket) => {
    onRequests(socket, (headText) => {
      if (headText.startsWith('GET /slow-body')) {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..');
      } else {
        socket.write('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 9\r\n\r\nnot gzip!');
      }
    });
  });
  t.after(() => srv.close());
  const { client } = setup(t, {}, { timeout: 200 });
  const errors: unknown[] = [];
  const slow = await client.get(`${srv.url}/slow-body`);
  await within(slow.body.text(), 3_000, 'the body read to time out').catch((e: unknown) => errors.push(e));
  const corrupt = await client.get(`${srv.url}/corrupt`);
  await within(corrupt.body.text(), 3_000, 'the decode error').catch((e: unknown) => errors.push(e));
  assert.equal(errors.length, 2);
  const expected = [
    ['ERR_TIMEOUT', `${srv.url}/slow-body`],
    ['ERR_DECODE', `${srv.url}/corrupt`],
  ] as const;
  for (const [i, [c, url]] of expected.entries()) {
    code(c, (e) => {
      assert.equal(e.method, 'GET', `${c}: method`);
      assert.equal(e.url, url, `${c}: url`);
      assert.ok(e.message.includes(`GET ${url}`), `${c}: ${e.message}`);
    })(errors[i]);
  }
});

test('Client timeout before the response head: ERR_TIMEOUT with method and URL', async (t) => {
  const srv = await rawServer(() => {
    /* accepts, reads, never answers */
  });
  t.after(() => srv.close());
  const { client } = setup(t, {}, { timeout: 200 });
  const started = Date.now();
  await assert.rejects(
    within(client.get(`${srv.url}/never`), 3_000, 'the request to time out'),
    code('ERR_TIMEOUT', (e) => assert.ok(e.message.includes(`GET ${srv.url}/never`), e.message)),
  );
  const took = Date.now() - started;
  assert.ok(took >= 150 && took < 2_000, `took ${took}`);
});

test('an AbortSignal aborts a waiting request with ERR_ABORTED, and a body being read', async (t) => {
  let requests = 0;
  const srv = await rawServer((socket) => {
    onRequests(socket, (headText) => {
      requests++;
      if (headText.startsWith('GET /partial')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nsome');
    });
  });
  t.after(() => srv.close());
  const { transport, client } = setup(t);

  const ac = new AbortController();
  const p = client.get(`${srv.url}/hang`, { signal: ac.signal });
  await until(() => requests === 1, 2_000, 'the server to get the request');
  ac.abort();
  await assert.rejects(
    within(p, 3_000, 'the aborted request to reject'),
    code('ERR_ABORTED', (e) => assert.ok(e.message.includes(`GET ${srv.url}/hang`), e.message)),
  );
  assert.equal(transport.stats().totals.closed['aborted'], 1);

  const ac2 = new AbortController();
  const res = await client.get(`${srv.url}/partial`, { signal: ac2.signal });
  const reading = res.body.text();
  ac2.abort();
  await assert.rejects(within(reading, 3_000, 'the aborted body read to reject'), code('ERR_ABORTED'));
  assert.equal(transport.stats().totals.closed['aborted'], 2);
  assert.equal(transport.stats().totals.active, 0);
});

test('a signal aborted before the call rejects with ERR_ABORTED and sends nothing', async (t) => {
  const srv = await bytesServer();
  t.after(() => srv.close());
  const { client } = setup(t);
  await assert.rejects(within(client.get(srv.url, { signal: AbortSignal.abort() }), 3_000, 'the request'), code('ERR_ABORTED'));
  assert.ok(srv.received.every((b) => b === undefined || b.length === 0));
});

// =============================================================================================
// The default client

test('defaultClient helpers get/head/post/postForm work on the shared transport', async (t) => {
  const srv = await recordingServer((req, res) => res.end(`hi ${req.method}`));
  t.after(() => srv.close());
  t.after(() => (defaultClient.transport as Transport).closeIdleConnections());
  assert.ok(defaultClient instanceof Client);
  assert.ok(defaultClient.transport instanceof Transport);

  assert.equal(await (await get(`${srv.url}/g`)).body.text(), 'hi GET');
  const h = await head(`${srv.url}/h`);
  assert.equal(h.statusCode, 200);
  await h.body.close();
  assert.equal(await (await post(`${srv.url}/p`, 'text/plain', 'posted')).body.text(), 'hi POST');
  assert.equal(await (await postForm(`${srv.url}/f`, { a: 'b' })).body.text(), 'hi POST');
  assert.deepEqual(
    srv.seen.map((s) => [s.method, s.url, s.body.toString(), s.headers['content-type'] ?? null]),
    [
      ['GET', '/g', '', null],
      ['HEAD', '/h', '', null],
      ['POST', '/p', 'posted', 'text/plain'],
      ['POST', '/f', 'a=b', 'application/x-www-form-urlencoded'],
    ],
  );
  assert.equal(srv.connections, 1, 'the helpers share one pooled connection');
});

test('a new Client() per call shares the default transport: 20 calls, one connection', async (t) => {
  const srv = await httpServer((_req, res) => res.end('same'));
  t.after(() => srv.close());
  t.after(() => (defaultClient.transport as Transport).closeIdleConnections());
  for (let i = 0; i < 20; i++) {
    const client = new Client();
    assert.equal(client.transport, defaultClient.transport);
    assert.equal(await (await client.get(`${srv.url}/${i}`)).body.text(), 'same');
  }
  assert.equal(srv.connections, 1);
});
