// fetch over a Client (src/client/fetch/), over real loopback sockets: what reaches the server
// for each method, body kind and header shape; the standard Response the caller gets (headers,
// readers, redirect modes, errors, aborts); and the point of it all, that fetch code which checks
// the status and drops the body keeps its connection (seeds 000/001/003).

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as zlib from 'node:zlib';
import { Client, Transport, HttpoolError, defaultClient, fetch, createFetch, useLastResponse, type ClientOptions, type TransportOptions } from '../src/index.js';
import { httpServer, rawServer, onRequests, until } from './support/servers.js';
import { recordingServer } from './support/recorder.js';
import { within } from './support/within.js';
import { fetchFailed } from './support/fetch.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function setup(t: TestContext, opts: TransportOptions = {}, clientOpts: Omit<ClientOptions, 'transport'> = {}) {
  const transport = new Transport(opts);
  t.after(() => transport.close());
  return { transport, f: createFetch(new Client({ transport, ...clientOpts })) };
}



/** A raw server that answers every request `ok` and records each request line. */
async function lineServer() {
  const lines: string[] = [];
  const srv = await rawServer((socket) => {
    onRequests(socket, (head) => {
      const line = head.slice(0, head.indexOf('\r\n'));
      lines.push(line);
      socket.write(line.startsWith('HEAD ') ? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
  });
  return Object.assign(srv, { lines });
}

// =============================================================================================
// Requests

test('methods: default GET; the six standard ones upper-cased, PATCH (and others) sent as given', async (t) => {
  const srv = await lineServer();
  t.after(() => srv.close());
  const { f } = setup(t);
  const sent: [string | undefined, string][] = [
    [undefined, 'GET'],
    ['get', 'GET'],
    ['post', 'POST'],
    ['Put', 'PUT'],
    ['delete', 'DELETE'],
    ['options', 'OPTIONS'],
    ['head', 'HEAD'],
    ['patch', 'patch'],
    ['PATCH', 'PATCH'],
    ['PROPFIND', 'PROPFIND'],
  ];
  for (const [method] of sent) {
    const res = await f(`${srv.url}/m`, method === undefined ? {} : { method });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
  assert.deepEqual(
    srv.lines,
    sent.map(([, wire]) => `${wire} /m HTTP/1.1`),
  );
  assert.equal(srv.connections, 1);
});

test('invalid requests reject with TypeError and send nothing: CONNECT, GET/HEAD with a body, bad URL, bad header', async (t) => {
  const srv = await lineServer();
  t.after(() => srv.close());
  const { f } = setup(t);
  await assert.rejects(f(srv.url, { method: 'connect' }), TypeError);
  await assert.rejects(f(srv.url, { method: 'GET', body: 'x' }), TypeError);
  await assert.rejects(f(srv.url, { method: 'head', body: 'x' }), TypeError);
  await assert.rejects(f(srv.url, { redirect: 'sideways' as unknown as RequestInit['redirect'] }), TypeError);
  await assert.rejects(f(srv.url, { headers: { 'bad name': 'x' } }), TypeError);
  await assert.rejects(f('not a url'), (err: unknown) => {
    assert.ok(err instanceof TypeError);
    assert.ok(err.cause instanceof HttpoolError);
    assert.equal(err.cause.code, 'ERR_INVALID_URL');
    return true;
  });
  assert.equal(srv.connections, 0);
});

test('every body kind arrives intact, with the Content-Type fetch implies', async (t) => {
  const srv = await recordingServer();
  t.after(() => srv.close());
  const { f } = setup(t);
  const bytes = Uint8Array.from([0, 1, 2, 250, 255, 10, 13]);
  const backing = Uint8Array.from([9, 9, 1, 2, 3, 9]);
  const form = new FormData();
  form.append('field', 'value ✓');
  form.append('file', new Blob(['file-bytes'], { type: 'text/csv' }), 'a.csv');
  const cases: { name: string; body: () => NonNullable<RequestInit['body']>; want: Buffer; type: string | undefined }[] = [
    { name: 'string', body: () => 'héllo', want: Buffer.from('héllo'), type: 'text/plain;charset=UTF-8' },
    { name: 'ArrayBuffer', body: () => bytes.slice().buffer, want: Buffer.from(bytes), type: undefined },
    { name: 'Uint8Array view', body: () => backing.subarray(2, 5), want: Buffer.from([1, 2, 3]), type: undefined },
    { name: 'DataView', body: () => new DataView(backing.buffer, 2, 3), want: Buffer.from([1, 2, 3]), type: undefined },
    { name: 'Blob with type', body: () => new Blob(['{"a":1}'], { type: 'application/json' }), want: Buffer.from('{"a":1}'), type: 'application/json' },
    { name: 'Blob without type', body: () => new Blob([bytes]), want: Buffer.from(bytes), type: undefined },
    { name: 'URLSearchParams', body: () => new URLSearchParams({ a: '1 2', b: 'ü' }), want: Buffer.from('a=1+2&b=%C3%BC'), type: 'application/x-www-form-urlencoded;charset=UTF-8' },
    {
      name: 'ReadableStream',
      body: () =>
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(Buffer.from('str'));
            c.enqueue(Buffer.from('eam'));
            c.close();
          },
        }),
      want: Buffer.from('stream'),
      type: undefined,
    },
  ];
  for (const c of cases) {
    const res = await f(`${srv.url}/${c.name}`, { method: 'POST', body: c.body(), duplex: 'half' } as RequestInit);
    assert.equal(await res.text(), 'ok');
    const seen = srv.seen.at(-1)!;
    assert.equal(seen.method, 'POST', c.name);
    assert.deepEqual(seen.body, c.want, c.name);
    assert.equal(seen.headers['content-type'], c.type, c.name);
  }

  // FormData: the platform's multipart serialization, boundary in the Content-Type.
  await (await f(`${srv.url}/form`, { method: 'POST', body: form })).text();
  const seen = srv.seen.at(-1)!;
  const type = seen.headers['content-type'] ?? '';
  assert.match(type, /^multipart\/form-data; boundary=.+$/);
  assert.equal(seen.headers['content-length'], String(seen.body.length));
  // Parsed back by the platform: every field and the file arrived intact.
  const parsed = await new Response(seen.body, { headers: { 'content-type': type } }).formData();
  assert.equal(parsed.get('field'), 'value ✓');
  const file = parsed.get('file');
  assert.ok(file instanceof Blob);
  assert.equal((file as File).name, 'a.csv');
  assert.equal(file.type, 'text/csv');
  assert.equal(await file.text(), 'file-bytes');

  // The caller's Content-Type wins over the implied one.
  await (await f(srv.url, { method: 'POST', body: 'x', headers: { 'content-type': 'application/x-mine' } })).text();
  assert.equal(srv.seen.at(-1)!.headers['content-type'], 'application/x-mine');
  assert.equal(srv.connections, 1);
});

test('a buffer body is copied when fetch is called: changing it afterwards changes nothing sent', async (t) => {
  const srv = await recordingServer();
  t.after(() => srv.close());
  const { f } = setup(t);
  const buf = Uint8Array.from([1, 2, 3]);
  const p = f(srv.url, { method: 'PUT', body: buf });
  buf.fill(9);
  await (await p).text();
  assert.deepEqual(srv.seen[0]!.body, Buffer.from([1, 2, 3]));
});

test('a globalThis.Request input: method, URL, headers and body; init overrides each', async (t) => {
  const srv = await recordingServer();
  t.after(() => srv.close());
  const { f } = setup(t);
  const input = new Request(`${srv.url}/from-request?q=1`, { method: 'post', body: 'request-body', headers: { 'X-From': 'request' } });
  await (await f(input)).text();
  const a = srv.seen[0]!;
  assert.deepEqual([a.method, a.url, a.body.toString(), a.headers['x-from'], a.headers['content-type'], a.headers['content-length']], [
    'POST',
    '/from-request?q=1',
    'request-body',
    'request',
    'text/plain;charset=UTF-8',
    '12',
  ]);

  const input2 = new Request(`${srv.url}/second`, { method: 'POST', body: 'old', headers: { 'X-From': 'request' } });
  await (await f(input2, { method: 'put', body: 'new', headers: { 'X-Other': 'init' } })).text();
  const b = srv.seen[1]!;
  assert.deepEqual([b.method, b.url, b.body.toString(), b.headers['x-from'], b.headers['x-other']], ['PUT', '/second', 'new', undefined, 'init']);

  // A used Request cannot be sent again (fetch's rule), and a TypeError says so.
  const used = new Request(srv.url, { method: 'POST', body: 'once' });
  await used.text();
  await assert.rejects(f(used), TypeError);
  assert.equal(srv.seen.length, 2);
});

test('request headers in every HeadersInit shape reach the server; Accept defaults to */*', async (t) => {
  const srv = await recordingServer();
  t.after(() => srv.close());
  const { f } = setup(t, {}, { headers: { 'X-Client-Default': 'yes' } });
  const shapes: RequestInit['headers'][] = [
    new Headers({ 'X-A': '1', 'X-B': 'two' }),
    [
      ['X-A', '1'],
      ['X-B', 'two'],
    ],
    { 'X-A': '1', 'X-B': 'two' },
  ];
  for (const headers of shapes) await (await f(srv.url, { headers })).text();
  for (const s of srv.seen) {
    assert.equal(s.headers['x-a'], '1');
    assert.equal(s.headers['x-b'], 'two');
    assert.equal(s.headers['accept'], '*/*');
    assert.equal(s.headers['x-client-default'], 'yes', 'the Client\'s default headers apply to fetch too');
  }
  await (await f(srv.url, { headers: { Accept: 'application/json' } })).text();
  assert.equal(srv.seen.at(-1)!.headers['accept'], 'application/json');
  // An Accept among the Client's default headers beats fetch's */* default.
  const transport = new Transport();
  t.after(() => transport.close());
  const jsonClient = createFetch(new Client({ transport, headers: { Accept: 'application/x-client' } }));
  await (await jsonClient(srv.url)).text();
  assert.equal(srv.seen.at(-1)!.headers['accept'], 'application/x-client');
});

// =============================================================================================
// Responses

test('response: status, statusText, ok, headers with every Set-Cookie, url and redirected=false', async (t) => {
  const srv = await httpServer((_req, res) => {
    res.statusMessage = 'Made It';
    res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; HttpOnly']);
    res.setHeader('X-Multi', 'v');
    res.writeHead(201, { 'Content-Type': 'text/plain' });
    res.end('created');
  });
  t.after(() => srv.close());
  const { f } = setup(t);
  const res = await f(`${srv.url}/path?x=1#frag`);
  assert.ok(res instanceof Response);
  assert.equal(res.status, 201);
  assert.equal(res.statusText, 'Made It');
  assert.equal(res.ok, true);
  assert.deepEqual(res.headers.getSetCookie(), ['a=1; Path=/', 'b=2; HttpOnly']);
  assert.equal(res.headers.get('x-multi'), 'v');
  assert.equal(res.headers.get('content-type'), 'text/plain');
  assert.equal(res.url, `${srv.url}/path?x=1`, 'the URL without its fragment');
  assert.equal(res.redirected, false);
  assert.equal(await res.text(), 'created');
});

test('readers: text(), json(), arrayBuffer(), blob(), and the body stream chunk by chunk (1 MiB chunked)', async (t) => {
  const big = Buffer.alloc(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 8)) & 0xff;
  const srv = await httpServer((req, res) => {
    if (req.url === '/json') res.end(JSON.stringify({ a: [1, 'two'] }));
    else if (req.url === '/big') {
      // Chunked, in pieces, so the stream really is read as the bytes arrive.
      let off = 0;
      const next = (): void => {
        if (off >= big.length) return void res.end();
        res.write(big.subarray(off, off + 100_000));
        off += 100_000;
        setImmediate(next);
      };
      next();
    } else res.end('plain ✓');
  });
  t.after(() => srv.close());
  const { f } = setup(t);
  assert.equal(await (await f(`${srv.url}/t`)).text(), 'plain ✓');
  assert.deepEqual(await (await f(`${srv.url}/json`)).json(), { a: [1, 'two'] });
  assert.deepEqual(Buffer.from(await (await f(`${srv.url}/t`)).arrayBuffer()), Buffer.from('plain ✓'));
  assert.equal(await (await (await f(`${srv.url}/t`)).blob()).text(), 'plain ✓');

  const res = await f(`${srv.url}/big`);
  assert.ok(res.body !== null);
  const reader = res.body.getReader();
  const parts: Buffer[] = [];
  let reads = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    reads++;
    parts.push(Buffer.from(value as Uint8Array));
  }
  assert.ok(reads > 1, `read in pieces (${reads})`);
  assert.ok(Buffer.concat(parts).equals(big), 'the 1 MiB body arrived intact');
  assert.equal(srv.connections, 1);
});

test('HEAD, 204 and 304 have a null body and keep the connection', async (t) => {
  const srv = await httpServer((req, res) => {
    if (req.url === '/204') res.writeHead(204).end();
    else if (req.url === '/304') res.writeHead(304, { ETag: '"x"' }).end();
    else res.writeHead(200, { 'Content-Length': 5 }).end(req.method === 'HEAD' ? undefined : 'hello');
  });
  t.after(() => srv.close());
  const { f } = setup(t);
  const head = await f(`${srv.url}/h`, { method: 'HEAD' });
  assert.equal(head.body, null);
  assert.equal(head.headers.get('content-length'), '5');
  const noContent = await f(`${srv.url}/204`);
  assert.equal(noContent.status, 204);
  assert.equal(noContent.body, null);
  assert.equal(await noContent.text(), '');
  const notModified = await f(`${srv.url}/304`);
  assert.equal(notModified.status, 304);
  assert.equal(notModified.body, null);
  assert.equal(await (await f(`${srv.url}/h`)).text(), 'hello');
  assert.equal(srv.connections, 1);
});

test('a gzip response is decoded', async (t) => {
  const plain = Buffer.from(Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n'));
  const gz = zlib.gzipSync(plain);
  let acceptEncoding: string | undefined;
  const srv = await httpServer((req, res) => {
    acceptEncoding = req.headers['accept-encoding'];
    res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': gz.length });
    res.end(gz);
  });
  t.after(() => srv.close());
  const { f } = setup(t);
  const res = await f(srv.url);
  assert.match(acceptEncoding ?? '', /gzip/);
  assert.ok(gz.length < plain.length / 2, 'the wire really carried compressed bytes');
  assert.equal(await res.text(), plain.toString());
});

test('a status a standard Response cannot hold (600) rejects with TypeError, cause ERR_PROTOCOL', async (t) => {
  const srv = await rawServer((socket) => {
    onRequests(socket, () => socket.write('HTTP/1.1 600 Beyond\r\nContent-Length: 3\r\n\r\nodd'));
  });
  t.after(() => srv.close());
  const { f } = setup(t);
  await assert.rejects(f(srv.url), (err: unknown) => {
    assert.ok(fetchFailed('ERR_PROTOCOL')(err));
    assert.match(String((err as TypeError).cause), /status 600/);
    return true;
  });
});

test('a connection broken mid-body errors the body with TypeError("terminated"), the httpool error as cause', async (t) => {
  const srv = await rawServer((socket) => {
    onRequests(socket, () => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
      setTimeout(() => socket.destroy(), 20);
    });
  });
  t.after(() => srv.close());
  const { f } = setup(t);
  const res = await f(srv.url);
  await assert.rejects(within(res.text(), 3_000, 'the broken body'), (err: unknown) => {
    assert.ok(err instanceof TypeError, String(err));
    assert.equal(err.message, 'terminated');
    assert.ok(err.cause instanceof HttpoolError);
    return true;
  });
});

// =============================================================================================
// Redirects: the three modes against the same server

async function redirectServer() {
  return recordingServer((req, res) => {
    if (req.url === '/from') res.writeHead(302, { Location: '/to' }).end('moved');
    else res.end(`final ${req.method}`);
  });
}

test("redirect 'follow' (the default): the final response, redirected=true, url of the last hop", async (t) => {
  const srv = await redirectServer();
  t.after(() => srv.close());
  const { f } = setup(t);
  for (const init of [{}, { redirect: 'follow' as const }]) {
    const res = await f(`${srv.url}/from`, init);
    assert.equal(res.status, 200);
    assert.equal(res.redirected, true);
    assert.equal(res.url, `${srv.url}/to`);
    assert.equal(await res.text(), 'final GET');
  }
  assert.deepEqual(
    srv.seen.map((s) => s.url),
    ['/from', '/to', '/from', '/to'],
  );
  assert.equal(srv.connections, 1, 'the 3xx bodies were drained and their connection reused');
});

test("redirect 'manual': the 3xx itself with its Location, nothing followed", async (t) => {
  const srv = await redirectServer();
  t.after(() => srv.close());
  const { f } = setup(t);
  const res = await f(`${srv.url}/from`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), '/to');
  assert.equal(res.redirected, false);
  assert.equal(res.url, `${srv.url}/from`);
  assert.equal(await res.text(), 'moved');
  // A Request input's own redirect mode counts too.
  const viaRequest = await f(new Request(`${srv.url}/from`, { redirect: 'manual' }));
  assert.equal(viaRequest.status, 302);
  await viaRequest.body?.cancel();
  assert.deepEqual(
    srv.seen.map((s) => s.url),
    ['/from', '/from'],
  );
});

test("redirect 'error': rejects with TypeError when a redirect comes, nothing followed", async (t) => {
  const srv = await redirectServer();
  t.after(() => srv.close());
  const { f } = setup(t);
  await assert.rejects(f(`${srv.url}/from`, { redirect: 'error' }), (err: unknown) => {
    assert.ok(err instanceof TypeError);
    assert.equal(err.message, 'fetch failed');
    // The cause worded as Node's fetch words it, with httpool's code.
    assert.ok(err.cause instanceof HttpoolError);
    assert.equal(err.cause.code, 'ERR_REDIRECT');
    assert.equal(err.cause.message, 'unexpected redirect');
    return true;
  });
  // A response that is not a redirect is fine in 'error' mode.
  assert.equal(await (await f(`${srv.url}/to`, { redirect: 'error' })).text(), 'final GET');
  assert.deepEqual(
    srv.seen.map((s) => s.url),
    ['/from', '/to'],
  );
});

test("'follow' uses a checkRedirect the Client was given: useLastResponse returns the 3xx, a throw rejects with it as cause; Fetch's limit of 20 otherwise", async (t) => {
  const srv = await redirectServer();
  t.after(() => srv.close());
  const transport = new Transport();
  t.after(() => transport.close());
  const last = createFetch(new Client({ transport, checkRedirect: () => useLastResponse }));
  const res = await last(`${srv.url}/from`);
  assert.equal(res.status, 302);
  assert.equal(res.redirected, false);
  await res.text();
  const refusal = new Error('no redirects here');
  const refusing = createFetch(
    new Client({
      transport,
      checkRedirect: () => {
        throw refusal;
      },
    }),
  );
  await assert.rejects(refusing(`${srv.url}/from`), (err: unknown) => err instanceof TypeError && err.cause === refusal);
  // Go's default limit (10) gives way to Fetch's: the 21st redirect fails with ERR_TOO_MANY_REDIRECTS.
  const loop = await recordingServer((req, res) => res.writeHead(302, { Location: req.url === '/a' ? '/b' : '/a' }).end());
  t.after(() => loop.close());
  const { f } = setup(t);
  await assert.rejects(f(`${loop.url}/a`), fetchFailed('ERR_TOO_MANY_REDIRECTS'));
  assert.equal(loop.seen.length, 21);
});

// =============================================================================================
// Errors and aborts

async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('network error: TypeError("fetch failed") with the HttpoolError (ERR_CONNECT) as cause', async (t) => {
  const { f } = setup(t);
  const port = await deadPort();
  await assert.rejects(f(`http://127.0.0.1:${port}/`), fetchFailed('ERR_CONNECT'));
});

test('the Client timeout still applies: TypeError("fetch failed") with cause ERR_TIMEOUT', async (t) => {
  const srv = await rawServer(() => {});
  t.after(() => srv.close());
  const { f } = setup(t, {}, { timeout: 100 });
  await assert.rejects(within(f(srv.url), 3_000, 'the timed-out fetch'), fetchFailed('ERR_TIMEOUT'));
});

test('abort: rejects with the signal reason (AbortError) before, while waiting, and while reading the body', async (t) => {
  let requests = 0;
  const srv = await rawServer((socket) => {
    onRequests(socket, (head) => {
      requests++;
      if (head.startsWith('GET /partial')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nsome');
    });
  });
  t.after(() => srv.close());
  const { f } = setup(t);

  const pre = AbortSignal.abort();
  await assert.rejects(f(`${srv.url}/never`, { signal: pre }), (err: unknown) => err === pre.reason && (err as Error).name === 'AbortError');
  assert.equal(requests, 0);

  const ac = new AbortController();
  const waiting = f(`${srv.url}/hang`, { signal: ac.signal });
  await until(() => requests === 1, 2_000, 'the server to get the request');
  ac.abort();
  await assert.rejects(within(waiting, 3_000, 'the aborted fetch'), (err: unknown) => {
    assert.equal(err, ac.signal.reason);
    assert.ok(err instanceof DOMException);
    assert.equal(err.name, 'AbortError');
    return true;
  });

  // A custom reason is what the caller gets back; the Request input's signal counts too.
  const ac2 = new AbortController();
  const mine = new Error('my reason');
  const res = await f(new Request(`${srv.url}/partial`, { signal: ac2.signal }));
  const reading = res.text();
  ac2.abort(mine);
  await assert.rejects(within(reading, 3_000, 'the aborted body'), (err: unknown) => err === mine);
});

// =============================================================================================
// The point: fetch code that checks the status and drops the body keeps its connection

test('300 sequential fetches that read res.status and drop the response open one connection', async (t) => {
  const body = 'x'.repeat(200);
  const srv = await httpServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(body));
  t.after(() => srv.close());
  const { f, transport } = setup(t);
  for (let i = 0; i < 300; i++) {
    const res = await f(`${srv.url}/${i}`);
    assert.equal(res.status, 200);
    // dropped: never read, never cancelled
  }
  assert.equal(srv.connections, 1);
  const totals = transport.stats().totals;
  assert.equal(totals.requests, 300);
  assert.equal(totals.reused, 299);
});

test('cancelling the body stream of a 16 KiB response drains it and keeps the connection', async (t) => {
  const half = Buffer.alloc(8 * 1024, 'a');
  const srv = await httpServer((req, res) => {
    if (req.url === '/next') return void res.end('next');
    res.writeHead(200, { 'Content-Length': half.length * 2 });
    res.write(half);
    // The second half comes later: the cancel happens with the body still arriving.
    setTimeout(() => res.end(half), 100);
  });
  t.after(() => srv.close());
  const { f, transport } = setup(t);
  const res = await f(`${srv.url}/big`);
  assert.equal(res.status, 200);
  await res.body?.cancel();
  // cancel() resolves once the drain settled: the connection is already back in the pool.
  const host = transport.stats().totals;
  assert.equal(host.idle, 1, 'idle after cancel');
  assert.equal(host.active, 0);
  assert.equal(await (await f(`${srv.url}/next`)).text(), 'next');
  assert.equal(srv.connections, 1);
  assert.deepEqual(transport.stats().totals.closed, {});
});

test('a dropped Response whose body has not started arriving is released when collected (body-leaked)', async (t) => {
  // The head comes, the body never does: only garbage collection can free this connection, so
  // nothing (such as a read the stream started on its own) may keep the dropped body reachable.
  const srv = await rawServer((socket) => {
    onRequests(socket, () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n'));
  });
  t.after(() => srv.close());
  // (httpool's one-time leak warning is expected on stderr here.)
  const { f, transport } = setup(t);
  await (async () => {
    const res = await f(srv.url);
    assert.equal(res.status, 200);
  })();
  assert.equal(transport.stats().totals.active, 1, 'held by the unread body');
  await until(
    () => {
      gc();
      return (transport.stats().totals.closed['body-leaked'] ?? 0) === 1;
    },
    5_000,
    'the dropped body to be collected',
  );
  assert.equal(transport.stats().totals.active, 0);
});

// =============================================================================================
// The default fetch

test('fetch (the default) runs on defaultClient\'s shared transport and pools', async (t) => {
  const srv = await recordingServer((req, res) => res.end(`hi ${req.method}`));
  t.after(() => srv.close());
  t.after(() => (defaultClient.transport as Transport).closeIdleConnections());
  const before = (defaultClient.transport as Transport).stats().totals.requests;
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${srv.url}/d${i}`, { method: 'post', body: 'b' });
    assert.equal(res.status, 200);
  }
  assert.equal(await (await fetch(new URL(`${srv.url}/last`))).text(), 'hi GET');
  assert.equal((defaultClient.transport as Transport).stats().totals.requests - before, 6);
  assert.equal(srv.connections, 1);
  assert.deepEqual(srv.seen[0]!.body.toString(), 'b');
});
