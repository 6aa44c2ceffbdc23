// HTTP/2 on the same pool, against nginx and nghttpd: ALPN, one session carrying many streams,
// SETTINGS_MAX_CONCURRENT_STREAMS, maxConnsPerHost counting sessions, GOAWAY, PING health
// checks, prior-knowledge h2c, stats, close reasons, trace hooks, and the body rules (early
// close, dropped bodies) for streams.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, test, type TestContext } from 'node:test';
import { Client, Transport, type GotConnInfo, type Response, type TransportOptions } from '../src/index.js';
import { code } from './support/clients.js';
import { certificates, havePeer, nghttpd, nginx, type H2Peer, type Nginx } from './support/peers.js';
import { rawServer, until } from './support/servers.js';
import { hostileH2 } from './support/hostile-h2.js';
import { Setting } from '../src/h2/frames/types.js';
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

let ng: Nginx | null = null;

before(async () => {
  if (existsSync('/usr/sbin/nginx') && existsSync('/usr/bin/openssl')) ng = await nginx();
});
after(async () => {
  await ng?.stop();
});

function nginxPeer(t: TestContext): Nginx | null {
  if (!havePeer(t, 'nginx', 'openssl')) return null;
  assert.ok(ng, 'nginx started');
  return ng;
}

async function nghttp(t: TestContext, opts: { tls: boolean; maxStreams?: number }): Promise<H2Peer | null> {
  if (!havePeer(t, 'nghttpd', 'openssl')) return null;
  const p = await nghttpd(opts);
  t.after(() => p.stop());
  return p;
}

function setup(t: TestContext, opts: TransportOptions = {}) {
  const transport = new Transport({ tls: { ca: certificates().ca }, proxy: null, ...opts });
  t.after(() => transport.close());
  return { transport, client: new Client({ transport }) };
}

test('ALPN picks h2 with nginx: res.proto is HTTP/2.0 and 20 concurrent requests share one session', async (t) => {
  const n = nginxPeer(t);
  if (n === null) return;
  const { transport, client } = setup(t);
  const first = await client.get(`https://localhost:${n.https}/proto`);
  assert.equal(first.proto, 'HTTP/2.0');
  assert.equal(first.status, '200 OK');
  assert.equal(await first.body.text(), 'HTTP/2.0');
  const fields: string[] = [];
  const traced = await client.get(`https://localhost:${n.https}/hello`, {
    trace: { wroteHeaderField: (k, v) => fields.push(`${k}: ${v.join(',')}`) },
  });
  await traced.body.text();
  assert.ok(fields.includes(':method: GET') && fields.includes(`:authority: localhost:${n.https}`), fields.join(' | '));
  const got: GotConnInfo[] = [];
  const all = await Promise.all(
    Array.from({ length: 20 }, () => client.get(`https://localhost:${n.https}/hello`, { trace: { gotConn: (i) => got.push(i) } })),
  );
  for (const r of all) assert.equal(await r.body.text(), 'hello');
  const s = transport.stats().hosts[`https://localhost:${n.https}`]!;
  assert.equal(s.opened, 1, 'one session');
  assert.equal(s.requests, 22);
  assert.equal(s.reused, 21);
  assert.equal(got.length, 20);
  assert.ok(got.every((g) => g.reused && g.connId === got[0]!.connId), 'gotConn reports the shared, reused session');
  assert.equal(s.active + s.idle, 1);
});

test("the server's first frames are heard: 20 fresh sessions, none closes waiting for the server's SETTINGS (they can arrive while the dial finishes: dial.ts keeps them)", async (t) => {
  const n = nginxPeer(t);
  if (n === null) return;
  // Each session gives the server 250 ms to be heard from (http2PingTimeout bounds the wait for
  // its SETTINGS); a session whose SETTINGS were dropped closes as protocol-error.
  const transports = Array.from({ length: 20 }, () => new Transport({ tls: { ca: certificates().ca }, proxy: null, http2PingTimeout: 250 }));
  t.after(() => Promise.all(transports.map((tr) => tr.close())));
  const bodies = await Promise.all(transports.map(async (tr) => (await new Client({ transport: tr }).get(`https://localhost:${n.https}/hello`)).body.text()));
  assert.ok(bodies.every((b) => b === 'hello'));
  await new Promise((r) => setTimeout(r, 500));
  for (const tr of transports) {
    const s = tr.stats().totals;
    assert.deepEqual(s.closed, {}, 'no session closed');
    assert.equal(s.idle + s.active, 1, 'the session is still open');
  }
});

test('forceAttemptHTTP2: false keeps HTTP/1.1 with the same server; http:// never offers h2', async (t) => {
  const n = nginxPeer(t);
  if (n === null) return;
  const h1 = setup(t, { forceAttemptHTTP2: false });
  const res = await h1.client.get(`https://localhost:${n.https}/proto`);
  assert.equal(res.proto, 'HTTP/1.1');
  assert.equal(await res.body.text(), 'HTTP/1.1');
  const plain = setup(t);
  const r2 = await plain.client.get(`http://127.0.0.1:${n.http}/proto`);
  assert.equal(r2.proto, 'HTTP/1.1');
  await r2.body.close();
});

test('a 1 MiB body arrives whole over a stream, and HEAD keeps the declared length', async (t) => {
  const n = nginxPeer(t);
  if (n === null) return;
  const { client } = setup(t);
  const big = await client.get(`https://localhost:${n.https}/big`);
  const bytes = await big.body.bytes();
  assert.equal(bytes.length, 1 << 20);
  assert.ok(bytes.every((b) => b === 0x61));
  const head = await client.head(`https://localhost:${n.https}/big`);
  assert.equal(head.contentLength, 1 << 20);
  assert.equal((await head.body.bytes()).length, 0);
});

test('an early close resets its stream and the session carries on', async (t) => {
  const n = nginxPeer(t);
  if (n === null) return;
  const { transport, client } = setup(t);
  const closedEarly = await client.get(`https://localhost:${n.https}/big`);
  assert.equal(transport.stats().totals.active, 1);
  await closedEarly.body.close();
  assert.equal(transport.stats().totals.active, 0, 'the stream was freed at once, no drain needed');
  const again = await client.get(`https://localhost:${n.https}/hello`);
  assert.equal(await again.body.text(), 'hello');
  const s = transport.stats().totals;
  assert.equal(s.opened, 1, 'the session survived the reset');
  assert.deepEqual(s.closed, {});
});

test('a dropped body is collected and its stream reset, freeing the only stream for the next request (nghttpd -m 1)', async (t) => {
  const p = await nghttp(t, { tls: true, maxStreams: 1 });
  if (p === null) return;
  const { transport, client } = setup(t, { maxConnsPerHost: 1, warnOnLeakedBody: false });
  await (async function drop() {
    const r = await client.get(`${p.url}/huge`);
    assert.equal(r.statusCode, 200);
  })();
  assert.equal(transport.stats().totals.active, 1, 'the unread body holds the only stream');
  let done = false;
  const next = client.get(`${p.url}/hello`).then(async (r) => {
    done = true;
    return r.body.text();
  });
  await until(
    () => {
      gc();
      return done;
    },
    5_000,
    'the dropped body to be collected and its stream freed',
  );
  assert.equal(await next, 'hello');
  assert.equal(transport.stats().totals.opened, 1);
  assert.deepEqual(transport.stats().totals.closed, {});
});

test("SETTINGS_MAX_CONCURRENT_STREAMS is honoured: a full session makes the pool open another (nghttpd -m 1)", async (t) => {
  const p = await nghttp(t, { tls: true, maxStreams: 1 });
  if (p === null) return;
  const { transport, client } = setup(t);
  const warm = await client.get(`${p.url}/hello`);
  assert.equal(await warm.body.text(), 'hello');
  // A body larger than the stream's receive window (4 MiB), left unread, holds its stream open
  // (flow control), so the session is full.
  const held = await client.get(`${p.url}/huge`);
  const second = await client.get(`${p.url}/hello`);
  assert.equal(await second.body.text(), 'hello');
  assert.equal(transport.stats().totals.opened, 2, 'a second session for the second stream');
  assert.equal((await held.body.bytes()).length, 8 << 20);
});

test('maxConnsPerHost counts sessions: with one session full, the next request waits for a free stream', async (t) => {
  const p = await nghttp(t, { tls: true, maxStreams: 1 });
  if (p === null) return;
  const { transport, client } = setup(t, { maxConnsPerHost: 1 });
  await (await client.get(`${p.url}/hello`)).body.text();
  const held = await client.get(`${p.url}/huge`);
  let secondDone = false;
  const second = client.get(`${p.url}/hello`).then(async (r) => {
    secondDone = true;
    return r.body.text();
  });
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(secondDone, false, 'no stream free and no room for another session');
  assert.equal(transport.stats().totals.waiting, 1);
  await held.body.bytes();
  assert.equal(await second, 'hello');
  assert.equal(transport.stats().totals.opened, 1);
});

test('GOAWAY drains the session: nothing fails, later requests go to a new session, close reason goaway', async (t) => {
  const n = nginxPeer(t);
  if (n === null) return;
  const { transport, client } = setup(t);
  // nginx sends GOAWAY after 3 requests on a connection (keepalive_requests 3).
  for (let i = 0; i < 7; i++) {
    const r = await client.get(`https://localhost:${n.goaway}/hello`);
    assert.equal(await r.body.text(), 'hello');
  }
  await until(() => (transport.stats().totals.closed['goaway'] ?? 0) >= 2, 3000, 'two sessions closed by GOAWAY');
  const s = transport.stats().totals;
  assert.equal(s.opened, 3);
  assert.equal(s.requests, 7);
});

test('prior-knowledge h2c (unencryptedHTTP2) speaks HTTP/2 to an http:// origin (nghttpd --no-tls)', async (t) => {
  const p = await nghttp(t, { tls: false });
  if (p === null) return;
  const { transport, client } = setup(t, { unencryptedHTTP2: true });
  const r = await client.get(`${p.url}/hello`);
  assert.equal(r.proto, 'HTTP/2.0');
  assert.equal(await r.body.text(), 'hello');
  const r2 = await client.get(`${p.url}/hello`);
  await r2.body.text();
  assert.equal(transport.stats().totals.opened, 1);
});

test('an idle session is checked with PING: one that answers stays, one that does not closes as health-check-failed', async (t) => {
  const p = await nghttp(t, { tls: false });
  if (p === null) return;
  const healthy = setup(t, { unencryptedHTTP2: true, http2PingInterval: 50, http2PingTimeout: 500 });
  await (await healthy.client.get(`${p.url}/hello`)).body.text();
  await new Promise((r) => setTimeout(r, 400));
  assert.deepEqual(healthy.transport.stats().totals.closed, {}, 'several PINGs answered');
  assert.equal(healthy.transport.stats().totals.idle, 1);

  // A raw h2c peer that answers one request and then ignores everything, PINGs included.
  const SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
  const SETTINGS_ACK = Buffer.from([0, 0, 0, 4, 1, 0, 0, 0, 0]);
  const RESPONSE = Buffer.from([0, 0, 1, 1, 5, 0, 0, 0, 1, 0x88]); // HEADERS :status 200, END_STREAM
  const mute = await rawServer((socket) => {
    let answered = false;
    socket.write(SETTINGS);
    socket.on('data', () => {
      if (answered) return;
      answered = true;
      socket.write(Buffer.concat([SETTINGS_ACK, RESPONSE]));
    });
  });
  t.after(() => mute.close());
  const sick = setup(t, { unencryptedHTTP2: true, http2PingInterval: 50, http2PingTimeout: 150 });
  const r = await sick.client.get(mute.url);
  assert.equal(r.statusCode, 200);
  await r.body.text();
  await until(() => sick.transport.stats().totals.closed['health-check-failed'] === 1, 3000, 'health check closed the session');
  assert.equal(sick.transport.stats().totals.idle, 0);
});

test('a stream reset by the server is ERR_PROTOCOL for that request only', async (t) => {
  const RST = (id: number): Buffer => Buffer.from([0, 0, 4, 3, 0, 0, 0, 0, id, 0, 0, 0, 2]); // RST_STREAM INTERNAL_ERROR
  const SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
  const srv = await rawServer((socket) => {
    socket.write(SETTINGS);
    let preface = true;
    socket.on('data', (c: Buffer) => {
      // Skip the client preface, then answer each HEADERS frame by resetting its stream.
      let i = 0;
      if (preface) {
        preface = false;
        i = 24;
      }
      while (i + 9 <= c.length) {
        const len = (c[i]! << 16) | (c[i + 1]! << 8) | c[i + 2]!;
        const type = c[i + 3]!;
        const id = c.readUInt32BE(i + 5) & 0x7fffffff;
        if (type === 1 && id > 0) socket.write(RST(id));
        i += 9 + len;
      }
    });
  });
  t.after(() => srv.close());
  const { transport, client } = setup(t, { unencryptedHTTP2: true });
  await assert.rejects(client.get(srv.url), code('ERR_PROTOCOL'));
  await assert.rejects(client.get(srv.url), code('ERR_PROTOCOL'));
  assert.equal(transport.stats().totals.opened, 1, 'the session itself stayed usable');
});

test('transport.close() closes sessions with transport-closed, and a request in flight fails clearly', async (t) => {
  const p = await nghttp(t, { tls: true });
  if (p === null) return;
  const { transport, client } = setup(t);
  await (await client.get(`${p.url}/hello`)).body.text();
  const held = await client.get(`${p.url}/big`);
  await transport.close();
  await assert.rejects(held.body.bytes(), (e: unknown) => e instanceof Error && 'code' in e);
  assert.deepEqual(transport.stats().totals.closed, { 'transport-closed': 1 });
  await assert.rejects(client.get(`${p.url}/hello`), code('ERR_TRANSPORT_CLOSED'));
});

/** A raw h2c peer: SETTINGS first, then `answer(socket)` once the first request's frames arrive. */
async function rawH2(t: TestContext, answer: (socket: import('node:net').Socket) => void) {
  const srv = await rawServer((socket) => {
    socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
    let answered = false;
    socket.on('data', () => {
      if (answered) return;
      answered = true;
      socket.write(Buffer.from([0, 0, 0, 4, 1, 0, 0, 0, 0])); // SETTINGS ack
      answer(socket);
    });
  });
  t.after(() => srv.close());
  return srv;
}

// HEADERS on stream 1: :status 200 (static index 8) and content-length: 10 (literal, indexed name 28).
const HEADERS_CL10 = Buffer.from([0, 0, 6, 1, 4, 0, 0, 0, 1, 0x88, 0x0f, 0x0d, 0x02, 0x31, 0x30]);
const data = (payload: string, endStream: boolean): Buffer =>
  Buffer.concat([Buffer.from([0, 0, payload.length, 0, endStream ? 1 : 0, 0, 0, 0, 1]), Buffer.from(payload)]);

test('a session that dies mid-body fails the body: never a short body passed off as whole', async (t) => {
  const srv = await rawH2(t, (socket) => {
    socket.write(Buffer.concat([HEADERS_CL10, data('hello', false)]));
    setTimeout(() => socket.destroy(), 50);
  });
  const { transport, client } = setup(t, { unencryptedHTTP2: true });
  const res = await client.get(srv.url);
  assert.equal(res.contentLength, 10);
  await assert.rejects(res.body.bytes(), (e: unknown) => e instanceof Error && 'code' in e && e.code !== undefined);
  await until(() => transport.stats().totals.closed['server-closed'] === 1, 2000, 'the session closed as server-closed');
});

test('a body that ends short of its content-length is ERR_PROTOCOL (RFC 9113 §8.1.1)', async (t) => {
  const srv = await rawH2(t, (socket) => socket.write(Buffer.concat([HEADERS_CL10, data('hello', true)])));
  const { client } = setup(t, { unencryptedHTTP2: true });
  const res = await client.get(srv.url);
  await assert.rejects(res.body.text(), code('ERR_PROTOCOL'));
});

test('GOAWAY with streams in flight: streams the server never processed are retried on a new session, none fail', async (t) => {
  const n = nginxPeer(t);
  if (n === null) return;
  const { transport, client } = setup(t);
  const url = `https://localhost:${n.goaway}/hello`;
  await (await client.get(url)).body.text();
  // 12 at once on a session nginx ends after 3 requests: most streams are refused and go again.
  const bodies = await Promise.all(Array.from({ length: 12 }, () => client.get(url).then((r) => r.body.text())));
  assert.deepEqual(bodies, Array<string>(12).fill('hello'));
  const s = transport.stats().totals;
  assert.ok(s.requests > 13, `refused streams were sent again (${s.requests} attempts)`);
  assert.ok((s.closed['goaway'] ?? 0) >= 3, 'sessions ended by GOAWAY');
});

test('a server whose SETTINGS set no MAX_CONCURRENT_STREAMS gets more than 100 streams on one session (Go takes 1000; node:http2 servers say nothing)', async (t) => {
  const server = http2.createServer();
  const held: http2.ServerHttp2Stream[] = [];
  const N = 150;
  server.on('stream', (stream) => {
    held.push(stream);
    // Every stream is answered only once all N are open at once: impossible under a limit of 100.
    if (held.length === N) for (const s of held) s.respond({ ':status': 200 }, { endStream: true });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const transport = new Transport({ unencryptedHTTP2: true, proxy: null, maxConnsPerHost: 1 });
  t.after(async () => {
    await transport.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const client = new Client({ transport, timeout: 10_000 });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The first request brings the server's SETTINGS; it is answered on its own.
  server.once('stream', (s) => {
    held.length = 0;
    s.respond({ ':status': 200 }, { endStream: true });
  });
  assert.equal((await client.get(`${url}/first`)).statusCode, 200);
  const all = await Promise.all(Array.from({ length: N }, (_, i) => client.get(`${url}/${i}`)));
  assert.ok(all.every((r) => r.statusCode === 200));
  assert.equal(transport.stats().totals.opened, 1);
});

test("a request header list over the server's SETTINGS_MAX_HEADER_LIST_SIZE fails ERR_INVALID_HEADER before it is sent (Go: errRequestHeaderListSize); a smaller one goes", async (t) => {
  const srv = await hostileH2(async (peer) => {
    for (let n = 1; ; n++) {
      const sid = await peer.request(n, 5000).catch(() => 0);
      if (sid === 0) return;
      peer.respond(sid, [':status', '200'], 'ok');
    }
  }, { settings: [Setting.MAX_HEADER_LIST_SIZE, 400] });
  const transport = new Transport({ unencryptedHTTP2: true, proxy: null });
  t.after(async () => {
    await transport.close();
    await srv.close();
  });
  const client = new Client({ transport, timeout: 5000 });
  // The first request brings the server's SETTINGS (its list is well under 400).
  assert.equal(await (await client.get(`${srv.url}/a`)).body.text(), 'ok');
  await assert.rejects(client.get(`${srv.url}/b`, { headers: { 'x-big': 'v'.repeat(500) } }), code('ERR_INVALID_HEADER'));
  assert.equal(await (await client.get(`${srv.url}/c`, { headers: { 'x-small': 'v' } })).body.text(), 'ok');
  const peer = srv.peers[0]!;
  assert.equal(peer.count.headers, 2, 'the oversized request never reached the server');
  assert.equal(transport.stats().totals.opened, 1);
});
