// The Transport over raw loopback servers: exact request bytes, trace order, Go's retry
// table, framing that forbids reuse, and every way a connection can end.

import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Transport, Request, type HttpoolError, type ClientTrace } from '../src/index.js';
import { httpServer, rawServer, onRequests, until } from './support/servers.js';
import { faultServer } from './support/faults.js';

function transportFor(t: { after(fn: () => unknown): void }, opts: ConstructorParameters<typeof Transport>[0] = {}): Transport {
  const tr = new Transport(opts);
  t.after(() => tr.close());
  return tr;
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

test('writes exactly the request bytes Go would, on one connection for sequential requests', async (t) => {
  const heads: string[] = [];
  const srv = await rawServer((socket) => onRequests(socket, (head) => (heads.push(head), socket.write(OK))));
  t.after(() => srv.close());
  const tr = transportFor(t);
  const res = await tr.roundTrip(new Request('GET', `${srv.url}/a/b?q=1&r=%20`, { headers: { 'X-Trace': 'abc' } }));
  assert.equal(await res.body.text(), 'ok');
  const res2 = await tr.roundTrip(new Request('DELETE', `${srv.url}/x`, { headers: { 'Accept-Encoding': 'identity' } }));
  await res2.body.close();
  // Go: a User-Agent set to "" sends none at all (not an empty field, not the default).
  const res3 = await tr.roundTrip(new Request('GET', `${srv.url}/y`, { headers: { 'User-Agent': '', 'Accept-Encoding': 'identity' } }));
  await res3.body.close();
  assert.deepEqual(heads, [
    `GET /a/b?q=1&r=%20 HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nX-Trace: abc\r\nUser-Agent: httpool/0.1\r\nAccept-Encoding: gzip, deflate, br`,
    `DELETE /x HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nAccept-Encoding: identity\r\nUser-Agent: httpool/0.1`,
    `GET /y HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nAccept-Encoding: identity`,
  ]);
  assert.equal(srv.connections, 1);
});

test('POST without a body sends Content-Length: 0; a stream body goes chunked; a declared length is honoured', async (t) => {
  const seen: { head: string; body: string }[] = [];
  const srv = await httpServer((req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ head: JSON.stringify(req.headers), body });
      res.end('ok');
    });
  });
  t.after(() => srv.close());
  const tr = transportFor(t);
  await (await tr.roundTrip(new Request('POST', srv.url))).body.text();
  async function* gen() {
    yield Buffer.from('ab');
    yield Buffer.from('cd');
  }
  await (await tr.roundTrip(new Request('PUT', srv.url, { body: gen() }))).body.text();
  await (await tr.roundTrip(new Request('PUT', srv.url, { body: gen(), headers: { 'Content-Length': '4' } }))).body.text();
  assert.match(seen[0]!.head, /"content-length":"0"/);
  assert.match(seen[1]!.head, /"transfer-encoding":"chunked"/);
  assert.equal(seen[1]!.body, 'abcd');
  assert.match(seen[2]!.head, /"content-length":"4"/);
  assert.doesNotMatch(seen[2]!.head, /transfer-encoding/);
  assert.equal(seen[2]!.body, 'abcd');
});

test('a stream shorter than its declared Content-Length fails and never leaves a short request on a reused connection', async (t) => {
  const srv = await rawServer((socket) => onRequests(socket, () => socket.write(OK)));
  t.after(() => srv.close());
  const tr = transportFor(t);
  async function* short() {
    yield Buffer.from('ab');
  }
  await assert.rejects(
    tr.roundTrip(new Request('PUT', srv.url, { body: short(), headers: { 'Content-Length': '10' } })),
    (err: HttpoolError) => err.code === 'ERR_INVALID_BODY',
  );
  await until(() => (tr.stats().totals.closed['write-error'] ?? 0) === 1, 1_000, 'the connection closed');
  assert.equal(tr.stats().totals.idle, 0);
});

test('trace hooks fire in order, and gotConn reports reuse with idle time', async (t) => {
  const srv = await rawServer((socket) => onRequests(socket, () => socket.write(OK)));
  t.after(() => srv.close());
  const tr = transportFor(t);
  const events: string[] = [];
  const infos: { reused: boolean; wasIdle: boolean; idleTime: number; connId: number }[] = [];
  const trace: ClientTrace = {
    getConn: (hp) => events.push(`getConn ${hp}`),
    gotConn: (info) => (events.push('gotConn'), infos.push(info)),
    wroteHeaders: () => events.push('wroteHeaders'),
    wroteRequest: ({ err }) => events.push(`wroteRequest ${err}`),
    gotFirstResponseByte: () => events.push('gotFirstResponseByte'),
    putIdleConn: (err) => events.push(`putIdleConn ${err}`),
  };
  for (let i = 0; i < 2; i++) {
    const res = await tr.roundTrip(new Request('GET', srv.url, { trace }));
    await res.body.text();
    await new Promise((r) => setTimeout(r, 15));
  }
  const one = [`getConn 127.0.0.1:${srv.port}`, 'gotConn', 'wroteHeaders', 'wroteRequest null', 'gotFirstResponseByte', 'putIdleConn null'];
  assert.deepEqual(events, [...one, ...one]);
  assert.equal(infos[0]!.reused, false);
  assert.equal(infos[0]!.wasIdle, false);
  assert.equal(infos[1]!.reused, true);
  assert.equal(infos[1]!.wasIdle, true);
  assert.ok(infos[1]!.idleTime >= 10, `idle time ${infos[1]!.idleTime}`);
  assert.equal(infos[0]!.connId, infos[1]!.connId);
});

test('a throwing trace hook does not break the request', async (t) => {
  const srv = await rawServer((socket) => onRequests(socket, () => socket.write(OK)));
  t.after(() => srv.close());
  const tr = transportFor(t);
  const warned: string[] = [];
  const onW = (w: Error): void => void warned.push(w.message);
  process.on('warning', onW);
  t.after(() => process.off('warning', onW));
  const res = await tr.roundTrip(new Request('GET', srv.url, { trace: { gotConn: () => { throw new Error('boom'); } } }));
  assert.equal(await res.body.text(), 'ok');
  await until(() => warned.some((m) => m.includes('gotConn')), 1_000, 'warning');
});

// Go's retry table: which failures on a reused connection are sent again.
const retryCases: { name: string; method: string; headers?: Record<string, string>; body?: () => unknown; retried: boolean }[] = [
  { name: 'GET', method: 'GET', retried: true },
  { name: 'HEAD', method: 'HEAD', retried: true },
  { name: 'OPTIONS', method: 'OPTIONS', retried: true },
  { name: 'TRACE', method: 'TRACE', retried: true },
  { name: 'DELETE', method: 'DELETE', retried: false },
  { name: 'POST', method: 'POST', retried: false },
  { name: 'PUT with Idempotency-Key and bytes', method: 'PUT', headers: { 'Idempotency-Key': 'a' }, body: () => 'x', retried: true },
  { name: 'POST with X-Idempotency-Key', method: 'POST', headers: { 'X-Idempotency-Key': 'a' }, retried: true },
  {
    name: 'PUT with Idempotency-Key and a one-shot stream',
    method: 'PUT',
    headers: { 'Idempotency-Key': 'a' },
    body: () => (async function* () { yield Buffer.from('x'); })(),
    retried: false,
  },
];

for (const c of retryCases) {
  test(`retry table: ${c.name} on a reused connection closed before any response byte → ${c.retried ? 'retried' : 'error'}`, async (t) => {
    const srv = await rawServer((socket) => {
      let n = 0;
      onRequests(socket, () => {
        if (n++ === 0) socket.write(OK);
        else socket.destroy();
      });
    });
    t.after(() => srv.close());
    const tr = transportFor(t);
    await (await tr.roundTrip(new Request('GET', srv.url))).body.text();
    const init = { headers: c.headers ?? {}, body: c.body ? (c.body() as string) : null };
    const attempt = tr.roundTrip(new Request(c.method, srv.url, init));
    if (c.retried) {
      const res = await attempt;
      assert.equal(res.statusCode, 200);
      await res.body.close();
      assert.equal(srv.connections, 2);
    } else {
      await assert.rejects(attempt, (err: HttpoolError) => err.code === 'ERR_CONNECTION_CLOSED');
      assert.equal(srv.connections, 1);
    }
  });
}

test('a failure on a fresh connection is never retried', async (t) => {
  const srv = await rawServer((socket) => onRequests(socket, () => socket.destroy()));
  t.after(() => srv.close());
  const tr = transportFor(t);
  await assert.rejects(tr.roundTrip(new Request('GET', srv.url)), (err: HttpoolError) => err.code === 'ERR_CONNECTION_CLOSED');
  assert.equal(srv.connections, 1);
});

test('a failure after response bytes arrived is not retried, even for GET', async (t) => {
  const srv = await rawServer((socket) => {
    let n = 0;
    onRequests(socket, () => {
      if (n++ === 0) socket.write(OK);
      else socket.end('HTTP/1.1 200 OK\r\nContent-Le');
    });
  });
  t.after(() => srv.close());
  const tr = transportFor(t);
  await (await tr.roundTrip(new Request('GET', srv.url))).body.text();
  await assert.rejects(tr.roundTrip(new Request('GET', srv.url)), (err: HttpoolError) => err.code === 'ERR_PROTOCOL');
  assert.equal(srv.connections, 1);
});

const neverReused: { name: string; response: string; reason: string; body?: string; code?: string }[] = [
  { name: 'bytes beyond the declared body', response: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA', reason: 'protocol-error', body: 'ok' },
  { name: 'Connection: close', response: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok', reason: 'connection-close', body: 'ok' },
  { name: 'HTTP/1.0 without keep-alive', response: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok', reason: 'connection-close', body: 'ok' },
  { name: 'Content-Length with Transfer-Encoding', response: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', reason: 'protocol-error', code: 'ERR_PROTOCOL' },
  { name: 'differing duplicate Content-Length', response: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok', reason: 'protocol-error', code: 'ERR_PROTOCOL' },
  { name: 'obs-fold', response: 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 2\r\n\r\nok', reason: 'protocol-error', code: 'ERR_PROTOCOL' },
  { name: 'a bad chunk size', response: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n', reason: 'protocol-error', code: 'ERR_PROTOCOL' },
];

for (const c of neverReused) {
  test(`never reused after ${c.name} (closed as ${c.reason})`, async (t) => {
    const srv = await rawServer((socket) => onRequests(socket, () => socket.write(c.response)));
    t.after(() => srv.close());
    const tr = transportFor(t);
    const run = async (): Promise<string> => (await (await tr.roundTrip(new Request('GET', srv.url))).body.text());
    if (c.code !== undefined) await assert.rejects(run(), (err: HttpoolError) => err.code === c.code);
    else assert.equal(await run(), c.body);
    await until(() => tr.stats().totals.closed[c.reason as 'protocol-error'] === 1, 1_000, c.reason);
    assert.equal(tr.stats().totals.idle, 0);
    if (c.code === undefined) {
      assert.equal(await run(), c.body);
      assert.equal(srv.connections, 2);
    }
  });
}

test('a close-delimited body is read to EOF and the connection is not reused', async (t) => {
  const srv = await rawServer((socket) => onRequests(socket, () => socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the end')));
  t.after(() => srv.close());
  const tr = transportFor(t);
  const res = await tr.roundTrip(new Request('GET', srv.url));
  assert.equal(res.contentLength, -1);
  assert.equal(await res.body.text(), 'until the end');
  await until(() => tr.stats().totals.closed['connection-close'] === 1, 1_000, 'close');
});

test('HEAD, 204 and 304 have no body whatever they declare, and keep the connection', async (t) => {
  const srv = await rawServer((socket) =>
    onRequests(socket, (head) => {
      if (head.startsWith('HEAD')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
      else if (head.includes('/204')) socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      else socket.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n');
    }),
  );
  t.after(() => srv.close());
  const tr = transportFor(t);
  const head = await tr.roundTrip(new Request('HEAD', srv.url));
  assert.equal(head.contentLength, 1000);
  assert.equal((await head.body.bytes()).length, 0);
  assert.equal((await (await tr.roundTrip(new Request('GET', `${srv.url}/204`))).body.bytes()).length, 0);
  assert.equal((await (await tr.roundTrip(new Request('GET', `${srv.url}/304`))).body.bytes()).length, 0);
  assert.equal(srv.connections, 1);
});

test('1xx responses before the final one are skipped and reported to got1xxResponse', async (t) => {
  const srv = await rawServer((socket) =>
    onRequests(socket, () => socket.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n' + OK)),
  );
  t.after(() => srv.close());
  const tr = transportFor(t);
  const codes: number[] = [];
  const res = await tr.roundTrip(new Request('GET', srv.url, { trace: { got1xxResponse: (code) => void codes.push(code) } }));
  assert.equal(res.statusCode, 200);
  assert.equal(await res.body.text(), 'ok');
  assert.deepEqual(codes, [103, 103]);
});

test('an unsolicited response on an idle connection is never delivered to the next request', async (t) => {
  const srv = await rawServer((socket, i) =>
    onRequests(socket, () => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nc${i}`);
      if (i === 0) setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL'), 20);
    }),
  );
  t.after(() => srv.close());
  const tr = transportFor(t);
  assert.equal(await (await tr.roundTrip(new Request('GET', srv.url))).body.text(), 'c0');
  await until(() => tr.stats().totals.closed['protocol-error'] === 1, 1_000, 'the idle connection to be dropped');
  assert.equal(await (await tr.roundTrip(new Request('GET', srv.url))).body.text(), 'c1');
});

for (const version of ['1.1', '1.0']) {
  test(`an idle HTTP/${version} 408 closes the connection as server-closed`, async (t) => {
    const srv = await rawServer((socket) =>
      onRequests(socket, () => {
        socket.write(OK);
        setTimeout(() => socket.end(`HTTP/${version} 408 Request Timeout\r\nConnection: close\r\n\r\n`), 20);
      }),
    );
    t.after(() => srv.close());
    const tr = transportFor(t);
    await (await tr.roundTrip(new Request('GET', srv.url))).body.text();
    await until(() => tr.stats().totals.closed['server-closed'] === 1, 1_000, 'server-closed');
    assert.deepEqual(tr.stats().totals.closed, { 'server-closed': 1 });
  });
}

test('idleConnTimeout closes idle connections; closeIdleConnections closes the rest', async (t) => {
  const srv = await rawServer((socket) => onRequests(socket, () => socket.write(OK)));
  t.after(() => srv.close());
  const tr = transportFor(t, { idleConnTimeout: 100 });
  await (await tr.roundTrip(new Request('GET', srv.url))).body.text();
  await until(() => tr.stats().totals.closed['idle-timeout'] === 1, 2_000, 'idle-timeout');
  const tr2 = transportFor(t);
  await (await tr2.roundTrip(new Request('GET', srv.url))).body.text();
  tr2.closeIdleConnections();
  assert.equal(tr2.stats().totals.closed['idle-closed'], 1);
  assert.equal(tr2.stats().totals.idle, 0);
});

test('maxIdleConns across hosts evicts the least recently used idle connection', async (t) => {
  const servers = await Promise.all([0, 1, 2].map(() => rawServer((socket) => onRequests(socket, () => socket.write(OK)))));
  t.after(() => Promise.all(servers.map((s) => s.close())));
  const tr = transportFor(t, { maxIdleConns: 2 });
  for (const s of servers) await (await tr.roundTrip(new Request('GET', s.url))).body.text();
  const hosts = tr.stats().hosts;
  assert.equal(hosts[`http://127.0.0.1:${servers[0]!.port}`]!.closed['idle-pool-full'], 1, 'the oldest was evicted');
  assert.equal(hosts[`http://127.0.0.1:${servers[1]!.port}`]!.idle, 1);
  assert.equal(hosts[`http://127.0.0.1:${servers[2]!.port}`]!.idle, 1);
});

test('disableKeepAlives: one request per connection, Connection: close sent, reason keepalives-disabled', async (t) => {
  const heads: string[] = [];
  const srv = await rawServer((socket) => onRequests(socket, (h) => (heads.push(h), socket.write(OK))));
  t.after(() => srv.close());
  const tr = transportFor(t, { disableKeepAlives: true });
  for (let i = 0; i < 3; i++) await (await tr.roundTrip(new Request('GET', srv.url))).body.text();
  assert.equal(srv.connections, 3);
  assert.match(heads[0]!, /\r\nConnection: close/);
  assert.equal(tr.stats().totals.closed['keepalives-disabled'], 3);
});

test('close() fails requests in flight and waiting with ERR_TRANSPORT_CLOSED and refuses new ones', async (t) => {
  const srv = await rawServer(() => {}); // never answers
  t.after(() => srv.close());
  const tr = new Transport({ maxConnsPerHost: 1 });
  const inFlight = tr.roundTrip(new Request('GET', srv.url));
  const waiting = tr.roundTrip(new Request('GET', srv.url));
  await until(() => tr.stats().totals.waiting === 1 && tr.stats().totals.active === 1, 2_000, 'one active, one waiting');
  await tr.close();
  for (const p of [inFlight, waiting]) {
    await assert.rejects(p, (err: HttpoolError) => err.code === 'ERR_TRANSPORT_CLOSED');
  }
  await assert.rejects(tr.roundTrip(new Request('GET', srv.url)), (err: HttpoolError) => err.code === 'ERR_TRANSPORT_CLOSED');
  assert.equal(tr.stats().totals.closed['transport-closed'], 1);
});

test('stats are keyed by scheme://host:port and count requests, reuse and opens', async (t) => {
  const srv = await rawServer((socket) => onRequests(socket, () => socket.write(OK)));
  t.after(() => srv.close());
  const tr = transportFor(t);
  for (let i = 0; i < 5; i++) await (await tr.roundTrip(new Request('GET', srv.url))).body.text();
  const h = tr.stats().hosts[`http://127.0.0.1:${srv.port}`]!;
  assert.deepEqual(
    { active: h.active, idle: h.idle, dialing: h.dialing, waiting: h.waiting, requests: h.requests, reused: h.reused, opened: h.opened },
    { active: 0, idle: 1, dialing: 0, waiting: 0, requests: 5, reused: 4, opened: 1 },
  );
});

test('refused connections fail with ERR_CONNECT and leave nothing behind', async (t) => {
  const srv = await rawServer(() => {});
  const port = srv.port;
  await srv.close();
  const tr = transportFor(t);
  for (let i = 0; i < 20; i++) {
    await assert.rejects(tr.roundTrip(new Request('GET', `http://127.0.0.1:${port}/`)), (err: HttpoolError) => {
      assert.equal(err.code, 'ERR_CONNECT');
      assert.match(err.message, /ECONNREFUSED/);
      assert.ok(err.cause instanceof Error);
      return true;
    });
  }
  const s = tr.stats().totals;
  assert.equal(s.dialing + s.active + s.idle, 0);
});

test('unknown or invalid Transport options are refused with ERR_INVALID_OPTION', () => {
  assert.throws(() => new Transport({ maxIdleConns: -1 }), (err: HttpoolError) => err.code === 'ERR_INVALID_OPTION');
  assert.throws(() => new Transport({ bogus: 1 } as never), (err: HttpoolError) => err.code === 'ERR_INVALID_OPTION');
  assert.equal(new Transport({ maxIdleConnsPerHost: 0 }).options.maxIdleConnsPerHost, 100, 'zero means the default, as in Go');
  assert.equal(new Transport({ http2PingTimeout: 0 }).options.http2PingTimeout, 15_000, 'zero means the default, as in Go (its http2 PingTimeout)');
});

test('a response trickled in small pieces (heads, chunk lines and data split across reads) arrives intact, twice on one connection', async (t) => {
  const parts = ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Long: ', 'a'.repeat(300), '\r\n\r\n'];
  let body = '';
  for (let i = 0; i < 40; i++) {
    const data = `piece-${i}-` + String.fromCharCode(97 + (i % 26)).repeat(i * 7);
    body += data;
    parts.push(`${data.length.toString(16)}\r\n`, data, '\r\n');
  }
  parts.push('0\r\nX-Trailer: done\r\n\r\n');
  const wire = parts.join('');
  const srv = await rawServer((socket) =>
    onRequests(socket, () => {
      // Write in 7..29-byte slices with pauses so each slice is its own read.
      let pos = 0;
      let k = 0;
      const step = (): void => {
        if (pos >= wire.length || socket.destroyed) return;
        const len = 7 + ((k++ * 11) % 23);
        socket.write(wire.slice(pos, pos + len));
        pos += len;
        setTimeout(step, 1);
      };
      step();
    }),
  );
  t.after(() => srv.close());
  const tr = transportFor(t);
  for (let i = 0; i < 2; i++) {
    const res = await tr.roundTrip(new Request('GET', srv.url));
    assert.equal(res.headers.get('x-long'), 'a'.repeat(300));
    assert.equal(await res.body.text(), body);
    assert.equal(res.trailers.get('x-trailer'), 'done');
  }
  assert.equal(srv.connections, 1);
});

test('bodies held unread keep their own bytes while the connection reads the next responses', async (t) => {
  const bodies: Buffer[] = [];
  const srv = await rawServer((socket) =>
    onRequests(socket, () => {
      const n = bodies.length;
      // Distinct bodies of different sizes, some larger than one read.
      const body = Buffer.from(Array.from({ length: 200 + n * 997 }, (_, i) => (i * 31 + n * 7) & 0xff));
      bodies.push(body);
      socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    }),
  );
  t.after(() => srv.close());
  const tr = transportFor(t);
  const held = [];
  for (let i = 0; i < 30; i++) held.push(await tr.roundTrip(new Request('GET', srv.url, { headers: { 'Accept-Encoding': 'identity' } })));
  for (let i = 0; i < held.length; i++) {
    assert.deepEqual(Buffer.from(await held[i]!.body.bytes()), bodies[i], `body ${i} intact`);
  }
});

test('connections share one read buffer: responses trickled in pieces on 20 connections at once keep their own heads and bodies', async (t) => {
  // Every connection's reads land in the same process-wide buffer (dial.ts); each response
  // arrives in 7-byte pieces interleaved with the others', so a header line or body piece kept
  // as a view of that buffer would be overwritten by another connection's read.
  const srv = await rawServer((socket) =>
    onRequests(socket, (head) => {
      const id = /\/r(\d+)/.exec(head)![1]!;
      const body = `body-of-${id};`.repeat(40);
      const bytes = Buffer.from(`HTTP/1.1 200 OK\r\nX-Id: ${id}\r\nX-Pad: ${'p'.repeat(30)}${id}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      let pos = 0;
      const timer = setInterval(() => {
        socket.write(bytes.subarray(pos, pos + 7));
        pos += 7;
        if (pos >= bytes.length) clearInterval(timer);
      }, 1);
      socket.once('close', () => clearInterval(timer));
    }),
  );
  t.after(() => srv.close());
  const transport = new Transport({ proxy: null });
  t.after(() => transport.close());
  const results = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const res = await transport.roundTrip(new Request('GET', `${srv.url}/r${i}`));
      return { i, id: res.headers.get('x-id'), pad: res.headers.get('x-pad'), body: await res.body.text() };
    }),
  );
  assert.equal(srv.connections, 20);
  for (const r of results) {
    assert.equal(r.id, String(r.i));
    assert.equal(r.pad, `${'p'.repeat(30)}${r.i}`);
    assert.equal(r.body, `body-of-${r.i};`.repeat(40));
  }
});

test('bytes() of a large body of known length reads straight into its final buffer: every byte in place, and the connection serves the next request', async (t) => {
  const big = randomBytes(600 * 1024);
  const head = `HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`;
  const srv = await faultServer([
    { read: 'request' },
    { send: Buffer.concat([Buffer.from(head), big.subarray(0, 100_000)]) },
    { wait: 30 },
    { send: big.subarray(100_000, 300_000) },
    { wait: 30 },
    { send: big.subarray(300_000) },
    { read: 'request' },
    { send: 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond' },
    { stall: true },
  ]);
  t.after(() => srv.close());
  const transport = transportFor(t, { maxConnsPerHost: 1 });
  const first = await transport.roundTrip(new Request('GET', `${srv.url}/a`));
  await new Promise((r) => setTimeout(r, 10)); // part of the body is buffered before bytes() starts
  const body = await first.body.bytes();
  assert.equal(body.length, big.length);
  assert.ok(Buffer.from(body.buffer, body.byteOffset, body.byteLength).equals(big), 'every byte in place');
  const res2 = await transport.roundTrip(new Request('GET', `${srv.url}/b`));
  assert.equal(await res2.body.text(), 'second');
  assert.equal(srv.connections, 1, 'one connection served both');
  assert.equal(transport.stats().totals.reused, 1);
});

test('bytes() reading straight into its buffer stops at the body\'s end: bytes sent after it are never taken for body bytes, and the connection closes (protocol-error)', async (t) => {
  const big = randomBytes(300 * 1024);
  const srv = await faultServer([
    { read: 'request' },
    { send: `HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n` },
    { wait: 30 },
    { send: Buffer.concat([big, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra')]) },
    { stall: true },
  ]);
  t.after(() => srv.close());
  const transport = transportFor(t);
  const res = await transport.roundTrip(new Request('GET', srv.url));
  const body = await res.body.bytes();
  assert.equal(body.length, big.length);
  assert.ok(Buffer.from(body.buffer, body.byteOffset, body.byteLength).equals(big));
  await until(() => (transport.stats().totals.closed['protocol-error'] ?? 0) === 1, 2_000);
  assert.equal(transport.stats().totals.idle, 0);
});

test('a large body trickled in small pieces keeps every chunk intact: small reads into a reused buffer are copied out', async (t) => {
  const big = randomBytes(200 * 1024); // no period: an overwritten chunk cannot look right
  const srv = await faultServer([
    { read: 'request' },
    { send: `HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n` },
    { trickle: big, chunk: 4096, everyMs: 1 },
    { stall: true },
  ]);
  t.after(() => srv.close());
  const transport = transportFor(t);
  const res = await transport.roundTrip(new Request('GET', srv.url));
  const kept: Uint8Array[] = [];
  for await (const chunk of res.body) kept.push(chunk); // kept uncopied: a reused buffer would overwrite them
  assert.ok(kept.length > 10, `arrived in pieces (${kept.length})`);
  assert.ok(Buffer.concat(kept).equals(big), 'every chunk kept its own bytes');
});

test('bytes() collecting a large body fails when the connection ends short of it: never a short body, never a hang', async (t) => {
  const srv = await faultServer([
    { read: 'request' },
    { send: `HTTP/1.1 200 OK\r\nContent-Length: ${700 * 1024}\r\n\r\n${'x'.repeat(300 * 1024)}` },
    { wait: 50 },
    { fin: true },
  ]);
  t.after(() => srv.close());
  const transport = transportFor(t);
  const res = await transport.roundTrip(new Request('GET', srv.url));
  await assert.rejects(res.body.bytes(), (e: unknown) => (e as HttpoolError).code === 'ERR_PROTOCOL' || (e as HttpoolError).code === 'ERR_CONNECTION_CLOSED');
  assert.equal(transport.stats().totals.idle, 0);
});

test('unreplayableMaxIdle: a POST does not take a connection idle longer than the limit (it dials); a GET, a POST with an Idempotency-Key, or a limit of 0 reuse it', async () => {
  const srv = await httpServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const send = async (t: Transport, method: string, headers: Record<string, string> = {}) => {
    const res = await t.roundTrip(new Request(method, srv.url, { headers, body: method === 'POST' ? 'x' : null }));
    assert.equal(await res.body.text(), 'ok');
  };
  const tr = new Transport({ proxy: null, unreplayableMaxIdle: 100 });
  const plain = new Transport({ proxy: null, unreplayableMaxIdle: 0 });
  try {
    await send(tr, 'GET');
    await send(tr, 'POST'); // idle for less than 100 ms: reused
    assert.equal(srv.connections, 1);
    await sleep(150);
    await send(tr, 'POST', { 'idempotency-key': 'k1' }); // may be sent again: reuses
    assert.equal(srv.connections, 1);
    await sleep(150);
    await send(tr, 'POST'); // idle 150 ms: a new connection, and the stale one closed (idle-too-long)
    assert.equal(srv.connections, 2);
    await sleep(150);
    await send(tr, 'GET'); // the freshest idle one, as ever
    assert.equal(srv.connections, 2);
    const s = tr.stats().totals;
    assert.deepEqual([s.requests, s.reused, s.idle, s.closed['idle-too-long']], [5, 3, 1, 1]);
    // A client of POSTs only, each after the limit: one connection open at a time, never a pile.
    for (let i = 0; i < 3; i++) {
      await sleep(150);
      await send(tr, 'POST');
    }
    assert.equal(tr.stats().totals.idle, 1);
    assert.equal(tr.stats().totals.closed['idle-too-long'], 4);
    // 0: no limit, Go's rule.
    await send(plain, 'GET');
    await sleep(150);
    await send(plain, 'POST');
    assert.equal(plain.stats().totals.opened, 1);
  } finally {
    tr.close();
    plain.close();
    await srv.close();
  }
});
