// The rest of Go's Transport/Client surface that users meet (issue 13): the caller's Host
// (Go's Request.Host), a request's own Connection: close, request bodies closed when their
// request fails (Go's TestTransportClosesBodyOnError), transport.clone() and
// client.closeIdleConnections(), res.tls and the connection's addresses (Go's Response.TLS,
// GotConnInfo.Conn), and CONNECT refused before anything is written. Real loopback sockets;
// raw servers where the bytes on the wire are the point.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import {
  Client,
  HttpoolError,
  Request,
  Response,
  Transport,
  type ConnAddress,
  type GotConnInfo,
  type TransportOptions,
} from '../src/index.js';
import { startTestServer, TEST_CERT } from '../src/testing/index.js';
import { code } from './support/clients.js';
import { certificates, havePeer } from './support/peers.js';
import { faultServer } from './support/faults.js';
import { recordingServer } from './support/recorder.js';
import { closedPort, onRequests, rawServer, until } from './support/servers.js';
import { within } from './support/within.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

function transport(t: TestContext, opts: TransportOptions = {}): Transport {
  const tr = new Transport({ proxy: null, ...opts });
  t.after(() => tr.close());
  return tr;
}

/** A raw server answering OK to every request, recording each head. */
async function okServer(t: TestContext) {
  const heads: string[] = [];
  const srv = await rawServer((s) => onRequests(s, (head) => (heads.push(head), s.write(OK))));
  t.after(() => srv.close());
  return Object.assign(srv, { heads });
}

/** The header lines of a recorded head whose name is `name` (case-insensitive). */
function lines(head: string, name: string): string[] {
  return head.split('\r\n').slice(1).filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
}

/** A temporary file of `bytes` bytes, removed after the test. */
function tempFile(t: TestContext, bytes: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'httpool-go-surface-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'upload.bin');
  writeFileSync(path, Buffer.alloc(bytes, 0x61));
  return path;
}

/** A web stream that yields 16 KiB chunks for as long as it is read, recording its cancel. */
function endlessStream(): { stream: ReadableStream<Uint8Array>; cancelled: { reason: unknown } | null; pulls: () => number } {
  const state: { stream: ReadableStream<Uint8Array>; cancelled: { reason: unknown } | null; pulls: () => number } = {
    stream: null as unknown as ReadableStream<Uint8Array>,
    cancelled: null,
    pulls: () => pulls,
  };
  let pulls = 0;
  state.stream = new ReadableStream<Uint8Array>({
    pull(c) {
      pulls++;
      c.enqueue(new Uint8Array(16 * 1024).fill(0x62));
    },
    cancel(reason) {
      state.cancelled = { reason };
    },
  });
  return state;
}

/** A web stream that yields one chunk and then waits forever: only a cancel ends it. */
function stalledStream(): { stream: ReadableStream<Uint8Array>; cancelled: { reason: unknown } | null } {
  const state: { stream: ReadableStream<Uint8Array>; cancelled: { reason: unknown } | null } = {
    stream: null as unknown as ReadableStream<Uint8Array>,
    cancelled: null,
  };
  state.stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('first'));
    },
    pull: () => new Promise<void>(() => {}),
    cancel(reason) {
      state.cancelled = { reason };
    },
  });
  return state;
}

/** A raw server that reads the request head and then stops reading, so a large body backs up. */
async function stallAfterHead(t: TestContext) {
  let heads = 0;
  const srv = await rawServer((s: Socket) => {
    let buf = '';
    const onData = (c: Buffer): void => {
      buf += c.toString('latin1');
      if (buf.includes('\r\n\r\n')) {
        s.off('data', onData);
        s.pause();
        heads++;
      }
    };
    s.on('data', onData);
  });
  t.after(() => srv.close());
  return Object.assign(srv, { heads: () => heads });
}

// ---- 1. The caller's Host (Go's Request.Host) -------------------------------------------------

test('Host: a host field or a Host header is the Host written; the URL still picks the connection and the pool key (Go: Request.Host, reqWriteTests)', async (t) => {
  const srv = await okServer(t);
  const tr = transport(t);
  await (await tr.roundTrip(new Request('GET', `${srv.url}/a`, { host: 'virtual.example' }))).body.text();
  await (await tr.roundTrip(new Request('GET', `${srv.url}/b`, { headers: { host: 'api.example:8443', 'X-A': '1' } }))).body.text();
  // The field wins over a header, and the header is not written as well.
  await (await tr.roundTrip(new Request('GET', `${srv.url}/c`, { host: '[::1]:9', headers: { Host: 'ignored.example' } }))).body.text();
  await (await tr.roundTrip(new Request('GET', `${srv.url}/d`))).body.text();
  assert.deepEqual(
    srv.heads.map((h) => h.split('\r\n').slice(0, 2).join(' | ')),
    ['GET /a HTTP/1.1 | Host: virtual.example', 'GET /b HTTP/1.1 | Host: api.example:8443', 'GET /c HTTP/1.1 | Host: [::1]:9', `GET /d HTTP/1.1 | Host: 127.0.0.1:${srv.port}`],
  );
  for (const h of srv.heads) assert.equal(lines(h, 'host').length, 1, h);
  assert.equal(srv.connections, 1, 'one pooled connection served all four');
  assert.deepEqual(Object.keys(tr.stats().hosts), [`http://127.0.0.1:${srv.port}`]);
  const req = new Request('GET', srv.url, { host: 'virtual.example' });
  assert.equal(req.host, 'virtual.example');
  assert.equal(req.with({ method: 'HEAD' }).host, 'virtual.example', 'Request.with keeps it');
  assert.equal(req.with({ host: null }).host, null);
  assert.equal(new Request('GET', srv.url, { host: '' }).host, null, "'' is Go's zero value: the URL's host");
});

test('Host: CR/LF, spaces, a bad port, two Host headers are refused (ERR_INVALID_HEADER) with nothing written', async (t) => {
  const srv = await faultServer([{ read: 'request' }, { send: OK }]);
  t.after(() => srv.close());
  const tr = transport(t);
  for (const bad of ['evil.example\r\nX-Injected: 1', 'a b', 'host:port', 'a:1:2', 'a:70000', '[::1', 'a/b', '']) {
    if (bad !== '') assert.throws(() => new Request('GET', srv.url, { host: bad }), code('ERR_INVALID_HEADER'), bad);
    await assert.rejects(tr.roundTrip(new Request('GET', srv.url, { headers: { Host: bad } })), code('ERR_INVALID_HEADER'), bad);
  }
  await assert.rejects(
    tr.roundTrip(new Request('GET', srv.url, { headers: [['Host', 'a.example'], ['Host', 'b.example']] })),
    code('ERR_INVALID_HEADER', (e) => assert.match(e.message, /more than one Host/)),
  );
  assert.equal(srv.connections, 0, 'no connection was opened');
  assert.equal(tr.stats().totals.opened, 0);
});

test('Host over HTTP/2 is :authority (TLS h2 with the test certificate); the certificate is still checked against the URL', async (t) => {
  const srv = await startTestServer((req, res) => {
    const r = req as unknown as { authority: string; headers: Record<string, string | undefined> };
    res.end(JSON.stringify({ authority: r.authority, host: r.headers['host'] ?? null }));
  }, { http2: true });
  t.after(() => srv.close());
  const res = await srv.client.do(new Request('GET', `${srv.url}/`, { host: 'virtual.example:8443' }));
  assert.equal(res.proto, 'HTTP/2.0');
  assert.deepEqual(await res.body.json(), { authority: 'virtual.example:8443', host: null });
  const viaHeader = await srv.client.get(`${srv.url}/`, { headers: { Host: 'other.example' } });
  assert.deepEqual(await viaHeader.body.json(), { authority: 'other.example', host: null });
});

test('Host through redirects: kept through a relative Location, cleared on an absolute one (Go: TestClientCopyHostOnRedirect, issue 22233)', async (t) => {
  const srv = await recordingServer((req, res) => {
    if (req.url === '/a') res.writeHead(302, { Location: '/b' }).end();
    else if (req.url === '/b') res.writeHead(302, { Location: `http://localhost:${srv.port}/c` }).end();
    else if (req.url === '/c') res.writeHead(302, { Location: '/d' }).end();
    else res.end('done');
  });
  t.after(() => srv.close());
  const tr = transport(t);
  const client = new Client({ transport: tr });
  for (const init of [{ host: 'virtual.example' }, { headers: { Host: 'virtual.example' } }]) {
    srv.seen.length = 0;
    const res = await client.do(new Request('GET', `${srv.url}/a`, init));
    assert.equal(await res.body.text(), 'done');
    assert.deepEqual(
      srv.seen.map((s) => `${s.url} ${s.headers.host}`),
      ['/a virtual.example', '/b virtual.example', `/c localhost:${srv.port}`, `/d localhost:${srv.port}`],
    );
    for (const s of srv.seen) assert.equal(s.rawHeaders.filter((_, i) => i % 2 === 0 && s.rawHeaders[i]!.toLowerCase() === 'host').length, 1);
    assert.equal(res.request.host, null);
  }
});

// ---- 2. Connection: close ----------------------------------------------------------------------

test("Connection: close on the request closes the connection after it, though the server keeps it open (Go: TestTransportConnectionCloseOnRequest)", async (t) => {
  const srv = await okServer(t);
  const tr = transport(t);
  const key = `http://127.0.0.1:${srv.port}`;
  await (await tr.roundTrip(new Request('GET', srv.url, { headers: { Connection: 'close' } }))).body.text();
  await until(() => tr.stats().hosts[key]!.closed['connection-close'] === 1, 2_000, 'the connection to close');
  assert.equal(tr.stats().hosts[key]!.idle, 0, 'not pooled');
  // A token among others counts as well (Go's hasToken).
  await (await tr.roundTrip(new Request('GET', srv.url, { headers: { Connection: 'keep-alive, Close' } }))).body.text();
  await until(() => tr.stats().hosts[key]!.closed['connection-close'] === 2, 2_000, 'the second connection to close');
  await (await tr.roundTrip(new Request('GET', srv.url))).body.text();
  assert.equal(srv.connections, 3, 'each request after a Connection: close dialed anew');
  assert.equal(tr.stats().hosts[key]!.idle, 1, 'an ordinary request is pooled');
  assert.equal(srv.heads.filter((h) => lines(h, 'connection').length === 1).length, 2);
});

test('disableKeepAlives: Connection: close written once, also when the caller set it (Go: TestTransportConnectionCloseOnRequestDisableKeepAlive)', async (t) => {
  const srv = await okServer(t);
  const tr = transport(t, { disableKeepAlives: true });
  await (await tr.roundTrip(new Request('GET', srv.url, { headers: { Connection: 'close' } }))).body.text();
  await (await tr.roundTrip(new Request('GET', srv.url, { headers: { connection: 'CLOSE' } }))).body.text();
  await (await tr.roundTrip(new Request('GET', srv.url))).body.text();
  assert.deepEqual(srv.heads.map((h) => lines(h, 'connection')), [['Connection: close'], ['connection: CLOSE'], ['Connection: close']]);
  assert.equal(tr.stats().totals.closed['keepalives-disabled'], 3);
});

// ---- 3. Request bodies closed when the request fails -------------------------------------------

test('a file stream body is closed when the dial fails (Go: TestTransportClosesBodyOnError)', async (t) => {
  const port = await closedPort();
  const tr = transport(t);
  const file = createReadStream(tempFile(t, 64 * 1024));
  const closed = once(file, 'close');
  await assert.rejects(tr.roundTrip(new Request('POST', `http://127.0.0.1:${port}/`, { body: file })), code('ERR_CONNECT'));
  await closed;
  assert.equal(file.destroyed, true);
  assert.equal(file.bytesRead, 0, 'closed without being read');
  // A web stream nobody read yet is cancelled with the error; used up, it cannot be sent again.
  const web = endlessStream();
  await assert.rejects(new Client({ transport: tr }).post(`http://127.0.0.1:${port}/`, 'text/plain', web.stream), code('ERR_CONNECT'));
  assert.ok(web.cancelled !== null, 'cancel ran');
  assert.equal((web.cancelled.reason as HttpoolError).code, 'ERR_CONNECT');
  assert.throws(() => new Request('POST', `http://127.0.0.1:${port}/`, { body: web.stream }), code('ERR_BODY_NOT_REPLAYABLE'));
});

test('a file stream body is closed when the caller aborts mid-send, before the file is read to its end', async (t) => {
  const srv = await stallAfterHead(t);
  const tr = transport(t);
  const size = 64 * 1024 * 1024; // far more than the loopback socket buffers take
  const file = createReadStream(tempFile(t, size));
  const closed = once(file, 'close');
  const ac = new AbortController();
  const sent = tr.roundTrip(new Request('PUT', srv.url, { body: file, signal: ac.signal }));
  await until(() => srv.heads() === 1 && file.bytesRead > 0, 5_000, 'the upload to start');
  ac.abort();
  await assert.rejects(sent, code('ERR_ABORTED'));
  await closed;
  assert.ok(file.bytesRead < size, `closed at ${file.bytesRead} of ${size} bytes`);
  assert.equal(tr.stats().totals.closed['aborted'], 1);
});

test("a ReadableStream body's cancel runs on abort, on the Client's timeout, and on a connection reset mid-body; not when the request succeeds", async (t) => {
  const stall = await stallAfterHead(t);
  const tr = transport(t);
  const aborted = endlessStream();
  const ac = new AbortController();
  const p = tr.roundTrip(new Request('PUT', stall.url, { body: aborted.stream, signal: ac.signal }));
  await until(() => stall.heads() === 1 && aborted.pulls() > 1, 5_000, 'the upload to start');
  ac.abort();
  await assert.rejects(p, code('ERR_ABORTED'));
  await until(() => aborted.cancelled !== null, 2_000, 'cancel');
  assert.equal((aborted.cancelled!.reason as HttpoolError).code, 'ERR_ABORTED');

  const timed = endlessStream();
  const client = new Client({ transport: tr, timeout: 300 });
  await assert.rejects(client.post(stall.url, 'application/octet-stream', timed.stream), code('ERR_TIMEOUT'));
  await until(() => timed.cancelled !== null, 2_000, 'cancel on timeout');

  // The server reads the head and resets: the body fails while being written.
  const reset = await faultServer([{ read: 'head' }, { rst: true }]);
  t.after(() => reset.close());
  const broken = endlessStream();
  await assert.rejects(tr.roundTrip(new Request('PUT', reset.url, { body: broken.stream })), (e: unknown) => e instanceof HttpoolError);
  await until(() => broken.cancelled !== null, 2_000, 'cancel on reset');

  // Success: the stream ends by itself and is never cancelled.
  const ok = await okServer(t);
  let cancelled = false;
  let n = 0;
  const finite = new ReadableStream<Uint8Array>({
    pull(c) {
      if (n++ < 3) c.enqueue(new TextEncoder().encode('abc'));
      else c.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  const res = await tr.roundTrip(new Request('PUT', ok.url, { body: finite }));
  assert.equal(await res.body.text(), 'ok');
  assert.equal(cancelled, false);
});

test('an async iterable body gets return() when a header refuses the request after the body was opened; a generator body when its connection breaks', async (t) => {
  const srv = await faultServer([{ read: 'head' }, { rst: true }]);
  t.after(() => srv.close());
  const tr = transport(t);
  let finished = 0;
  async function* endless(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        yield new Uint8Array(16 * 1024);
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      finished++;
    }
  }
  // Transfer-Encoding other than chunked is refused after open(), before any dial.
  const refusedBody = endless();
  await refusedBody.next(); // started: its finally block is live
  await assert.rejects(
    tr.roundTrip(new Request('POST', srv.url, { body: refusedBody, headers: { 'Transfer-Encoding': 'gzip' } })),
    code('ERR_INVALID_HEADER'),
  );
  await until(() => finished === 1, 2_000, "the refused body's finally");
  assert.equal(srv.connections, 0);
  await assert.rejects(tr.roundTrip(new Request('POST', srv.url, { body: endless() })), (e: unknown) => e instanceof HttpoolError);
  await until(() => finished === 2, 2_000, "the broken upload's finally");
});

test('after the response head: an upload cut short by a complete response, or by a reset while the response body arrives, is cancelled even while it waits for its producer', async (t) => {
  const tr = transport(t);
  // The server answers in full without reading the body: the rest of the upload is never sent.
  const early = await faultServer([{ read: 'head' }, { send: OK }]);
  t.after(() => early.close());
  const cut = stalledStream();
  const res = await tr.roundTrip(new Request('PUT', early.url, { body: cut.stream }));
  assert.equal(await res.body.text(), 'ok');
  await until(() => cut.cancelled !== null, 2_000, 'cancel after the early response');
  await until(() => tr.stats().totals.closed['request-incomplete'] === 1, 2_000, 'request-incomplete');
  // The head arrives, then the connection resets while both bodies are under way.
  const reset = await faultServer([{ read: 'head' }, { send: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n' }, { wait: 20 }, { rst: true }]);
  t.after(() => reset.close());
  const broken = stalledStream();
  const res2 = await tr.roundTrip(new Request('PUT', reset.url, { body: broken.stream }));
  await assert.rejects(res2.body.text(), (e: unknown) => e instanceof HttpoolError);
  await until(() => broken.cancelled !== null, 2_000, 'cancel after the reset');
});

test('retry: the failed attempt on a dead reused connection has its stream closed; the retried attempt, which succeeds, does not', async (t) => {
  // Connection 0 answers a GET, then resets as the PUT's head arrives; connection 1 answers.
  const srv = await faultServer((i) =>
    i === 0 ? [{ read: 'request' }, { send: OK }, { read: 'head' }, { rst: true }] : [{ read: 'request' }, { send: OK }],
  );
  t.after(() => srv.close());
  const tr = transport(t);
  await (await tr.roundTrip(new Request('GET', srv.url))).body.text();
  const streams: ReturnType<typeof endlessStream>[] = [];
  const body = (): ReadableStream<Uint8Array> => {
    if (streams.length === 0) {
      const s = endlessStream(); // the first attempt never ends: only its failure stops it
      streams.push(s);
      return s.stream;
    }
    const chunks = ['x', 'y'];
    const s = { stream: new ReadableStream<Uint8Array>({ pull: (c) => (chunks.length > 0 ? c.enqueue(new TextEncoder().encode(chunks.shift()!)) : c.close()), cancel: (reason) => void (s.cancelled = { reason }) }), cancelled: null as { reason: unknown } | null, pulls: () => 0 };
    streams.push(s);
    return s.stream;
  };
  const res = await tr.roundTrip(new Request('PUT', srv.url, { body, headers: { 'Idempotency-Key': 'k1' } }));
  assert.equal(await res.body.text(), 'ok');
  assert.equal(streams.length, 2, 'the body was produced again for the retry');
  await until(() => streams[0]!.cancelled !== null, 2_000, "the failed attempt's cancel");
  assert.equal(streams[1]!.cancelled, null, 'the successful attempt is not cancelled');
  assert.equal(srv.connections, 2);
});

// ---- 4. clone() and closeIdleConnections() -----------------------------------------------------

test('transport.clone(): the same options, its own pool, stats and connections (Go: TestTransportClone)', async (t) => {
  const srv = await okServer(t);
  const a = transport(t, { maxIdleConnsPerHost: 3, idleConnTimeout: 12_345, disableCompression: true, tls: { servername: 'x.example' } });
  const b = a.clone();
  t.after(() => b.close());
  assert.notEqual(b, a);
  assert.deepEqual(b.options, a.options);
  assert.notEqual(b.options.tls, a.options.tls, 'tls options copied, not shared');
  await (await a.roundTrip(new Request('GET', srv.url))).body.text();
  assert.equal(b.stats().totals.opened, 0, 'nothing of a shows in b');
  await (await b.roundTrip(new Request('GET', srv.url))).body.text();
  assert.equal(srv.connections, 2, 'b dialed its own connection');
  await a.close();
  assert.equal(b.stats().totals.idle, 1, "closing a leaves b's connection");
  await (await b.roundTrip(new Request('GET', srv.url))).body.text();
  assert.equal(b.stats().totals.reused, 1);
  assert.equal(srv.heads.every((h) => lines(h, 'accept-encoding').length === 0), true, 'disableCompression carried over');
});

test('client.closeIdleConnections() closes the transport\'s idle connections; a RoundTripper without the method is left alone (Go: Client.CloseIdleConnections)', async (t) => {
  const srv = await okServer(t);
  const tr = transport(t);
  const client = new Client({ transport: tr });
  await (await client.get(srv.url)).body.text();
  assert.equal(tr.stats().totals.idle, 1);
  client.closeIdleConnections();
  assert.equal(tr.stats().totals.idle, 0);
  assert.equal(tr.stats().totals.closed['idle-closed'], 1);
  await (await client.get(srv.url)).body.text();
  assert.equal(srv.connections, 2, 'the next request dialed anew');
  const bare = new Client({ transport: { roundTrip: async () => Response.from({ body: 'x' }) } });
  assert.doesNotThrow(() => bare.closeIdleConnections());
});

// ---- 5. res.tls and the connection's addresses -------------------------------------------------

function assertLoopback(addr: ConnAddress | null, port?: number): void {
  assert.ok(addr !== null, 'an address');
  assert.equal(addr.address, '127.0.0.1');
  assert.equal(addr.family, 'IPv4');
  assert.ok(Number.isInteger(addr.port) && addr.port > 0);
  if (port !== undefined) assert.equal(addr.port, port);
}

test('res.tls over https (Go: Response.TLS): protocol, cipher, ALPN, the certificate, resumption; addresses on res and in gotConn', async (t) => {
  const srv = await startTestServer((_req, res) => void res.end('ok'), { tls: true });
  t.after(() => srv.close());
  const got: GotConnInfo[] = [];
  const res = await srv.client.get(srv.url, { trace: { gotConn: (i) => got.push(i) } });
  assert.equal(await res.body.text(), 'ok');
  const tls = res.tls;
  assert.ok(tls !== null);
  assert.match(tls.protocol ?? '', /^TLSv1\.[23]$/);
  assert.match(tls.cipher ?? '', /^TLS_/);
  assert.equal(tls.alpnProtocol, 'http/1.1');
  assert.equal(tls.servername, null, 'no SNI for an IP literal');
  assert.equal(tls.resumed, false);
  assert.equal(tls.peerCertificates.length, 1);
  assert.ok(tls.peerCertificates[0] instanceof X509Certificate);
  assert.equal(tls.peerCertificates[0]!.fingerprint256, new X509Certificate(TEST_CERT).fingerprint256);
  assert.equal(res.tls, tls, 'built once');
  assertLoopback(res.remoteAddress, srv.port);
  assertLoopback(res.localAddress);
  assert.notEqual(res.localAddress!.port, srv.port);
  assert.equal(got.length, 1);
  assert.deepEqual(got[0]!.remoteAddress, res.remoteAddress);
  assert.deepEqual(got[0]!.localAddress, res.localAddress);
  // Still there once the connection is gone.
  await srv.transport.close();
  assert.equal(res.tls?.protocol, tls.protocol);
  assertLoopback(res.remoteAddress, srv.port);
});

test('a second TLS connection resumes the session: res.tls.resumed', async (t) => {
  const srv = await startTestServer((_req, res) => void res.end('ok'), { tls: true });
  t.after(() => srv.close());
  const first = await srv.client.get(srv.url);
  await first.body.text();
  srv.client.closeIdleConnections();
  const second = await srv.client.get(srv.url);
  await second.body.text();
  assert.equal(srv.transport.stats().totals.opened, 2);
  assert.equal(first.tls?.resumed, false);
  assert.equal(second.tls?.resumed, true);
});

test('res.tls.peerCertificates is the chain the server sent, leaf first; servername is the SNI sent for a host name', async (t) => {
  if (!havePeer(t, 'openssl')) return;
  const c = certificates();
  const leafPem = readFileSync(c.serverCert);
  const server = https.createServer({ cert: Buffer.concat([leafPem, c.ca]), key: readFileSync(c.serverKey) }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const tr = transport(t, { tls: { ca: c.ca } });
  const res = await tr.roundTrip(new Request('GET', `https://localhost:${(server.address() as AddressInfo).port}/`));
  assert.equal(await res.body.text(), 'ok');
  const tls = res.tls!;
  assert.equal(tls.servername, 'localhost');
  assert.deepEqual(
    tls.peerCertificates.map((x) => x.fingerprint256),
    [new X509Certificate(leafPem).fingerprint256, new X509Certificate(c.ca).fingerprint256],
  );
  assert.ok(tls.peerCertificates[0]!.checkIssued(tls.peerCertificates[1]!));
});

test('res.tls over HTTP/2 (the session socket): ALPN h2; addresses on res and in gotConn', async (t) => {
  const srv = await startTestServer((_req, res) => void res.end('ok'), { http2: true });
  t.after(() => srv.close());
  const got: GotConnInfo[] = [];
  const trace = { gotConn: (i: GotConnInfo) => got.push(i) };
  const res = await srv.client.get(srv.url, { trace });
  assert.equal(await res.body.text(), 'ok');
  assert.equal(res.proto, 'HTTP/2.0');
  assert.equal(res.tls?.alpnProtocol, 'h2');
  assert.equal(res.tls?.peerCertificates[0]?.fingerprint256, new X509Certificate(TEST_CERT).fingerprint256);
  assertLoopback(res.remoteAddress, srv.port);
  const again = await srv.client.get(srv.url, { trace });
  await again.body.text();
  assert.deepEqual(got.map((g) => g.reused), [false, true]);
  assert.deepEqual(got[1]!.localAddress, res.localAddress, 'the same session, the same addresses');
  assert.deepEqual(again.localAddress, res.localAddress);
});

test('over http:// res.tls is null and the addresses are there; a response made by hand has none', async (t) => {
  const srv = await okServer(t);
  const tr = transport(t);
  const got: GotConnInfo[] = [];
  const res = await tr.roundTrip(new Request('GET', srv.url, { trace: { gotConn: (i) => got.push(i) } }));
  await res.body.text();
  assert.equal(res.tls, null);
  assertLoopback(res.remoteAddress, srv.port);
  assertLoopback(res.localAddress);
  assert.deepEqual(got[0]!.remoteAddress, res.remoteAddress);
  const byHand = Response.from({ body: 'x' });
  assert.equal(byHand.tls, null);
  assert.equal(byHand.localAddress, null);
  assert.equal(byHand.remoteAddress, null);
});

// ---- 6. CONNECT --------------------------------------------------------------------------------

test('CONNECT given to the Transport or the Client is refused (ERR_INVALID_METHOD), nothing written, its body closed', async (t) => {
  const srv = await faultServer([{ read: 'request' }, { send: OK }]);
  t.after(() => srv.close());
  const tr = transport(t);
  const client = new Client({ transport: tr });
  await assert.rejects(
    tr.roundTrip(new Request('CONNECT', srv.url)),
    code('ERR_INVALID_METHOD', (e) => {
      assert.match(e.message, /CONNECT/);
      assert.match(e.message, /proxy/);
      assert.equal(e.method, 'CONNECT');
    }),
  );
  const web = endlessStream();
  await assert.rejects(client.do(new Request('CONNECT', `${srv.url}/`, { body: web.stream })), code('ERR_INVALID_METHOD'));
  assert.ok(web.cancelled !== null, 'the body was cancelled');
  await assert.rejects(client.do(new Request('connect', srv.url)), code('ERR_INVALID_METHOD'));
  // A file stream that was never opened for sending is closed as well (Go closes Request.Body on every error).
  const file = createReadStream(tempFile(t, 1024));
  await assert.rejects(tr.roundTrip(new Request('CONNECT', srv.url, { body: file })), code('ERR_INVALID_METHOD'));
  await once(file, 'close');
  assert.equal(file.bytesRead, 0);
  assert.equal(srv.connections, 0, 'no connection');
  assert.equal(srv.received.length, 0, 'no byte');
  assert.equal(tr.stats().totals.opened, 0);
});

test('HTTP/2: Connection: close on a request retires its session once its streams end, and the next request opens a new one (Go: cc.doNotReuse for isConnectionCloseRequest)', async (t) => {
  const srv = await startTestServer((_req, res) => void res.end('ok'), { http2: true });
  t.after(() => srv.close());
  const key = `${srv.url}`;
  const first = await srv.client.get(`${srv.url}/a`);
  assert.equal(first.proto, 'HTTP/2.0');
  await first.body.text();
  const closing = await srv.client.get(`${srv.url}/b`, { headers: { Connection: 'close' } });
  assert.equal(closing.proto, 'HTTP/2.0');
  assert.equal(await closing.body.text(), 'ok');
  const stats = () => srv.client.transport instanceof Transport ? srv.client.transport.stats().hosts[key]! : null;
  await until(() => stats()?.closed['connection-close'] === 1, 2_000, 'the session to close');
  const after = await srv.client.get(`${srv.url}/c`);
  await after.body.text();
  assert.equal(stats()!.opened, 2, 'a new session for the request after it');
  assert.equal(stats()!.reused, 1, 'the Connection: close request itself still rode the open session');
});

test('HTTP/2: a streamed body the server answers before it ends is closed, also while it waits for its producer, and a file stream too (Go: TestTransportClosesBodyOnError)', async (t) => {
  const srv = await startTestServer((_req, res) => {
    res.statusCode = 401;
    res.end('no');
  }, { http2: true });
  t.after(() => srv.close());
  // A producer that gives one chunk and then never another: the writer waits on it, so only
  // the exchange's end can cancel it.
  const stalled = stalledStream();
  const res = await srv.client.post(`${srv.url}/upload`, 'application/octet-stream', stalled.stream);
  assert.equal(res.statusCode, 401);
  assert.equal(await res.body.text(), 'no');
  await until(() => stalled.cancelled !== null, 3_000, 'the stalled body to be cancelled');
  assert.equal((stalled.cancelled!.reason as HttpoolError).code, 'ERR_CONNECTION_CLOSED');
  // Far larger than the stream's flow-control window: the upload is still going when the 401 comes.
  const file = createReadStream(tempFile(t, 8 << 20));
  const closed = once(file, 'close');
  const again = await srv.client.post(`${srv.url}/upload`, 'application/octet-stream', file);
  assert.equal(again.statusCode, 401);
  await again.body.text();
  await within(closed, 3_000, 'the file stream to close');
  assert.ok(file.bytesRead < 8 << 20, `closed before being read to its end (${file.bytesRead} bytes read)`);
});

test('Expect: 100-continue over HTTP/1.1: a wait100Continue hook that aborts the request leaves no timer behind', async (t) => {
  const srv = await rawServer(() => {}); // reads nothing, never answers: the body waits for 100 Continue
  t.after(() => srv.close());
  const tr = transport(t, { expectContinueTimeout: 30_000 });
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const ac = new AbortController();
  const req = new Request('POST', srv.url, {
    headers: { Expect: '100-continue' },
    body: 'payload',
    signal: ac.signal,
    trace: { wait100Continue: () => ac.abort() },
  });
  await assert.rejects(tr.roundTrip(req));
  await tr.close();
  await until(() => timers() <= before, 2_000, 'the 100-continue timer to be cleared');
});
