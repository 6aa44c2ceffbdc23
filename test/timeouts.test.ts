// Timeouts (issue 14): per-call timeout and responseHeaderTimeout, bodyIdleTimeout over HTTP/1.1
// and HTTP/2 (backpressure does not count), err.timeout naming the limit that fired, and
// put/patch/delete. Servers trickle or stall on purpose; timings are margins, not exact sleeps.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import type * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client, Request, TimeoutError, Transport, type HttpoolError } from '../src/index.js';
import { httpServer, rawServer, onRequests, sleep } from './support/servers.js';
import { setup, code } from './support/clients.js';

/** An ERR_TIMEOUT predicate that also checks which limit fired. */
function timedOut(kind: string) {
  return code('ERR_TIMEOUT', (e: HttpoolError) => {
    assert.ok(e instanceof TimeoutError);
    assert.equal(e.timeout, kind, e.message);
  });
}

/** A raw server that answers each request with a head, then `count` chunks of `size` bytes every `every` ms. */
async function trickler(t: TestContext, count: number, size: number, every: number) {
  const srv = await rawServer((socket) => {
    onRequests(socket, () => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${count * size}\r\n\r\n`);
      let sent = 0;
      const timer = setInterval(() => {
        if (socket.destroyed) return clearInterval(timer);
        socket.write(Buffer.alloc(size, 0x61));
        if (++sent === count) clearInterval(timer);
      }, every);
      socket.on('close', () => clearInterval(timer));
    });
  });
  t.after(() => srv.close());
  return srv;
}

/** A raw server that sends a head and part of the body, then nothing. */
async function staller(t: TestContext) {
  const sockets: net.Socket[] = [];
  const srv = await rawServer((socket) => {
    sockets.push(socket);
    onRequests(socket, () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf'));
  });
  t.after(() => srv.close());
  return { srv, sockets };
}

test('a download that trickles longer than timeout allows completes with timeout: 0 and bodyIdleTimeout', async (t) => {
  const srv = await trickler(t, 12, 100, 40); // ~480 ms in all, never idle for more than ~40 ms
  const { client } = setup(t, { proxy: null }, { timeout: 200 });
  // The Client's own 200 ms kills it (so the trickle really outlasts it)…
  const first = await client.get(srv.url);
  await assert.rejects(first.body.text(), timedOut('client'));
  // …a call with no total limit but an idle one gets it all, through a helper and through do().
  const res = await client.get(srv.url, { timeout: 0, bodyIdleTimeout: 300 });
  assert.equal((await res.body.text()).length, 1200);
  const res2 = await client.do(new Request('GET', srv.url, { timeout: 0, bodyIdleTimeout: 300 }));
  assert.equal((await res2.body.bytes()).length, 1200);
});

test('a stalled body fails ERR_TIMEOUT (bodyIdle) after about the idle time; the connection closes for timeout', async (t) => {
  const { srv, sockets } = await staller(t);
  const { client, transport } = setup(t, { proxy: null }, { timeout: 0 });
  const res = await client.get(srv.url, { bodyIdleTimeout: 150 });
  const start = performance.now();
  await assert.rejects(res.body.text(), timedOut('bodyIdle'));
  const took = performance.now() - start;
  assert.ok(took >= 120 && took < 2_000, `failed after ${took} ms`);
  assert.equal(transport.stats().totals.closed['timeout'], 1);
  assert.equal(sockets.length, 1);
  // The Transport's option does the same, with no per-call field.
  const t2 = new Transport({ proxy: null, bodyIdleTimeout: 100 });
  t.after(() => t2.close());
  const res2 = await new Client({ transport: t2, timeout: 0 }).get(srv.url);
  await assert.rejects(res2.body.text(), timedOut('bodyIdle'));
  assert.equal(t2.stats().totals.closed['timeout'], 1);
  // A call's 0 turns the Transport's off: the stall is then the Client's timeout to catch.
  const res3 = await new Client({ transport: t2, timeout: 400 }).get(srv.url, { bodyIdleTimeout: 0 });
  await assert.rejects(res3.body.text(), timedOut('client'));
});

test('a caller that stops reading for longer than bodyIdleTimeout gets no timeout (backpressure stops the clock)', async (t) => {
  const size = 8 * 1024 * 1024; // far over the body's high-water mark and the socket buffers
  const srv = await rawServer((socket) => {
    onRequests(socket, () => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
      socket.write(Buffer.alloc(size, 0x62));
    });
  });
  t.after(() => srv.close());
  const { client } = setup(t, { proxy: null }, { timeout: 0 });
  const res = await client.get(srv.url, { bodyIdleTimeout: 100 });
  const it = res.body[Symbol.asyncIterator]();
  let got = (await it.next()).value!.length;
  await sleep(500); // five idle periods without reading: the body is paused, nothing arrives
  for (;;) {
    const r = await it.next();
    if (r.done === true) break;
    got += r.value.length;
  }
  assert.equal(got, size);
});

test('a per-call timeout overrides the Client’s: longer, shorter and 0', async (t) => {
  const srv = await httpServer((_req, res) => {
    setTimeout(() => res.end('late'), 300);
  });
  t.after(() => srv.close());
  const { transport } = setup(t, { proxy: null });
  const short = new Client({ transport, timeout: 100 });
  await assert.rejects(short.get(srv.url), timedOut('client'));
  assert.equal(await (await short.get(srv.url, { timeout: 5_000 })).body.text(), 'late');
  assert.equal(await (await short.get(srv.url, { timeout: 0 })).body.text(), 'late');
  const long = new Client({ transport, timeout: 5_000 });
  const start = performance.now();
  await assert.rejects(long.get(srv.url, { timeout: 100 }), timedOut('client'));
  assert.ok(performance.now() - start < 280, 'the call’s 100 ms, not the Client’s 5 s');
  // Carried on a Request through do(), and a bad value refused.
  await assert.rejects(long.do(new Request('GET', srv.url, { timeout: 100 })), timedOut('client'));
  await assert.rejects(long.get(srv.url, { timeout: -1 }), code('ERR_INVALID_OPTION'));
});

test('responseHeaderTimeout per call and per Transport say responseHeader; a call’s 0 lifts the Transport’s', async (t) => {
  const srv = await httpServer((_req, res) => {
    setTimeout(() => res.end('slow head'), 300);
  });
  t.after(() => srv.close());
  const { client } = setup(t, { proxy: null }, { timeout: 0 });
  await assert.rejects(client.get(srv.url, { responseHeaderTimeout: 100 }), timedOut('responseHeader'));
  const strict = setup(t, { proxy: null, responseHeaderTimeout: 100 }, { timeout: 0 });
  await assert.rejects(strict.client.get(srv.url), timedOut('responseHeader'));
  assert.equal(await (await strict.client.get(srv.url, { responseHeaderTimeout: 0 })).body.text(), 'slow head');
  assert.equal(strict.transport.stats().totals.closed['timeout'], 1);
});

test('a dial that never finishes fails ERR_TIMEOUT with err.timeout dial', async (t) => {
  const { client } = setup(t, { proxy: null, dialTimeout: 100, dial: () => new Promise(() => {}) }, { timeout: 0 });
  await assert.rejects(client.get('http://example.invalid/'), timedOut('dial'));
});

test('a TLS handshake the server never answers fails ERR_TIMEOUT with err.timeout tlsHandshake', async (t) => {
  const srv = await rawServer(() => {}); // accepts, reads the ClientHello, says nothing
  t.after(() => srv.close());
  const { client } = setup(t, { proxy: null, tlsHandshakeTimeout: 100 }, { timeout: 0 });
  await assert.rejects(client.get(`https://127.0.0.1:${srv.port}/`), timedOut('tlsHandshake'));
});

/** An h2c server (prior knowledge) whose handler decides every stream; closed after the test. */
async function h2Server(t: TestContext, onStream: (s: http2.ServerHttp2Stream, path: string) => void): Promise<string> {
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (s, headers) => {
    s.on('error', () => {});
    onStream(s, String(headers[':path']));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(
    () =>
      new Promise<void>((r) => {
        for (const s of sessions) s.destroy();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('HTTP/2: a stalled stream fails bodyIdle; a trickle completes; a paused reader is not timed out', async (t) => {
  const big = 8 * 1024 * 1024;
  const origin = await h2Server(t, (s, path) => {
    s.respond({ ':status': 200 });
    if (path === '/stall') s.write('part');
    else if (path === '/trickle') {
      let n = 0;
      const timer = setInterval(() => {
        if (s.destroyed || s.closed) return clearInterval(timer);
        s.write(Buffer.alloc(100, 0x63));
        if (++n === 10) {
          clearInterval(timer);
          s.end();
        }
      }, 40);
    } else s.end(Buffer.alloc(big, 0x64));
  });
  const { client } = setup(t, { proxy: null, unencryptedHTTP2: true }, { timeout: 200 });
  const stalled = await client.get(`${origin}/stall`, { timeout: 0, bodyIdleTimeout: 150 });
  assert.equal(stalled.proto, 'HTTP/2.0');
  const start = performance.now();
  await assert.rejects(stalled.body.text(), timedOut('bodyIdle'));
  const took = performance.now() - start;
  assert.ok(took >= 120 && took < 2_000, `failed after ${took} ms`);
  // The trickle (~400 ms) outlasts the Client's 200 ms; with timeout: 0 it completes.
  const slow = await client.get(`${origin}/trickle`, { timeout: 0, bodyIdleTimeout: 300 });
  assert.equal((await slow.body.text()).length, 1000);
  const paused = await client.get(`${origin}/big`, { timeout: 0, bodyIdleTimeout: 100 });
  const it = paused.body[Symbol.asyncIterator]();
  let got = (await it.next()).value!.length;
  await sleep(500); // five idle periods without reading: flow control holds the rest back
  for (;;) {
    const r = await it.next();
    if (r.done === true) break;
    got += r.value.length;
  }
  assert.equal(got, big);
});

test('put, patch and delete send their method, body and Content-Type', async (t) => {
  const seen: { method: string; type: string | undefined; body: string }[] = [];
  const srv = await httpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, type: req.headers['content-type'], body });
      res.end('ok');
    });
  });
  t.after(() => srv.close());
  const { client } = setup(t, { proxy: null });
  await (await client.put(srv.url, 'application/json', '{"a":1}')).body.close();
  await (await client.patch(srv.url, 'text/plain', 'patched', { headers: { 'x-a': '1' } })).body.close();
  await (await client.delete(srv.url)).body.close();
  assert.deepEqual(seen, [
    { method: 'PUT', type: 'application/json', body: '{"a":1}' },
    { method: 'PATCH', type: 'text/plain', body: 'patched' },
    { method: 'DELETE', type: undefined, body: '' },
  ]);
});
