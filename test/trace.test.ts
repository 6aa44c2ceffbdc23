// The whole trace (Go's httptrace.ClientTrace), its diagnostics_channel twin, Expect:
// 100-continue in its four outcomes, and the 1xx limits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dc from 'node:diagnostics_channel';
import { Client, Transport, Request, type ClientTrace, type HttpoolError } from '../src/index.js';
import { traceFor } from '../src/trace.js';
import { rawServer, onRequests, until } from './support/servers.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/** A trace that records every hook by name, with errors reduced to their presence. */
function recorder(): { trace: ClientTrace; events: string[] } {
  const events: string[] = [];
  const names: (keyof ClientTrace)[] = [
    'getConn', 'gotConn', 'putIdleConn', 'dnsStart', 'dnsDone', 'connectStart', 'connectDone',
    'tlsHandshakeStart', 'tlsHandshakeDone', 'wroteHeaderField', 'wroteHeaders', 'wroteRequest',
    'gotFirstResponseByte', 'got100Continue', 'got1xxResponse', 'wait100Continue',
  ];
  const trace: Record<string, (...a: unknown[]) => void> = {};
  for (const n of names) trace[n] = () => void events.push(n);
  return { trace: trace as ClientTrace, events };
}

function setup(t: { after(fn: () => unknown): void }, opts: ConstructorParameters<typeof Transport>[0] = {}) {
  const transport = new Transport(opts);
  t.after(() => transport.close());
  return { transport, client: new Client({ transport, timeout: 10_000 }) };
}

test('trace order on a fresh connection to a name, then on the reused connection', async (t) => {
  const srv = await rawServer((s) => onRequests(s, () => s.write(OK)));
  t.after(() => srv.close());
  const { client } = setup(t);
  const { trace, events } = recorder();
  const url = `http://localhost:${srv.port}/`;
  await (await client.get(url, { trace })).body.text();
  const fields = ['wroteHeaderField', 'wroteHeaderField', 'wroteHeaderField'];
  assert.deepEqual(events, [
    'getConn', 'dnsStart', 'dnsDone', 'connectStart', 'connectDone', 'gotConn',
    ...fields, 'wroteHeaders', 'wroteRequest', 'gotFirstResponseByte', 'putIdleConn',
  ]);
  events.length = 0;
  await (await client.get(url, { trace })).body.text();
  assert.deepEqual(events, ['getConn', 'gotConn', ...fields, 'wroteHeaders', 'wroteRequest', 'gotFirstResponseByte', 'putIdleConn']);
});

test('connectStart and connectDone report a failed attempt with its error', async (t) => {
  const srv = await rawServer(() => {});
  const port = srv.port;
  await srv.close();
  const { client } = setup(t);
  const done: (Error | null)[] = [];
  const addrs: string[] = [];
  await assert.rejects(
    client.get(`http://127.0.0.1:${port}/`, {
      trace: { connectStart: (_n, a) => void addrs.push(a), connectDone: (_n, _a, err) => void done.push(err) },
    }),
    (err: HttpoolError) => err.code === 'ERR_CONNECT',
  );
  assert.deepEqual(addrs, [`127.0.0.1:${port}`]);
  assert.equal(done.length, 1);
  assert.match(String(done[0]), /ECONNREFUSED/);
});

test('wroteHeaderField reports each field as written, Host and framing included', async (t) => {
  const srv = await rawServer((s) => onRequests(s, () => s.write(OK)));
  t.after(() => srv.close());
  const { client } = setup(t);
  const fields: string[] = [];
  await (
    await client.post(srv.url, 'text/plain', 'hello', { trace: { wroteHeaderField: (k, v) => void fields.push(`${k}=${v.join()}`) } })
  ).body.text();
  assert.deepEqual(fields, [
    `Host=127.0.0.1:${srv.port}`,
    'Content-Type=text/plain',
    'User-Agent=httpool/0.1',
    'Accept-Encoding=gzip, deflate, br',
    'Content-Length=5',
  ]);
});

test('the same events are published on httpool:* diagnostics channels, with the request', async (t) => {
  const srv = await rawServer((s) => onRequests(s, () => s.write(OK)));
  t.after(() => srv.close());
  const { client, transport } = setup(t);
  const seen: string[] = [];
  const onGot = (m: unknown): void => {
    const msg = m as { request: Request; info: { reused: boolean } };
    seen.push(`gotConn ${msg.request.method} reused=${msg.info.reused}`);
  };
  const onClosed = (m: unknown): void => void seen.push(`closed ${(m as { reason: string }).reason}`);
  dc.subscribe('httpool:gotConn', onGot);
  dc.subscribe('httpool:connectionClosed', onClosed);
  t.after(() => {
    dc.unsubscribe('httpool:gotConn', onGot);
    dc.unsubscribe('httpool:connectionClosed', onClosed);
  });
  await (await client.get(srv.url)).body.text();
  await (await client.do(new Request('DELETE', srv.url))).body.text();
  transport.closeIdleConnections();
  assert.deepEqual(seen, ['gotConn GET reused=false', 'gotConn DELETE reused=true', 'closed idle-closed']);
});

test('nobody listening: no trace context is built', (t) => {
  const req = new Request('GET', 'http://127.0.0.1:1/');
  assert.equal(traceFor(req), null);
  const fn = (): void => {};
  dc.subscribe('httpool:wroteHeaders', fn);
  t.after(() => dc.unsubscribe('httpool:wroteHeaders', fn));
  assert.notEqual(traceFor(req), null);
});

/** A server that reads the head, then follows `script` before reading any body. */
function expectServer(script: (socket: import('node:net').Socket, bodyArrived: () => boolean) => void) {
  return rawServer((socket) => {
    let buf = '';
    let headDone = false;
    let gotBody = false;
    socket.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      if (!headDone && buf.includes('\r\n\r\n')) {
        headDone = true;
        if (buf.length > buf.indexOf('\r\n\r\n') + 4) gotBody = true;
        script(socket, () => gotBody);
      } else if (headDone) {
        gotBody = true;
      }
    });
  });
}

test('100-continue: the body waits for 100 Continue, then goes', async (t) => {
  let bodyBefore100 = true;
  const srv = await expectServer((socket, bodyArrived) => {
    setTimeout(() => {
      bodyBefore100 = bodyArrived();
      socket.write('HTTP/1.1 100 Continue\r\n\r\n');
      const wait = setInterval(() => {
        if (bodyArrived()) {
          clearInterval(wait);
          socket.write(OK);
        }
      }, 5);
    }, 100);
  });
  t.after(() => srv.close());
  const { client } = setup(t, { expectContinueTimeout: 5_000 });
  const { trace, events } = recorder();
  const res = await client.do(new Request('PUT', srv.url, { body: 'payload', headers: { Expect: '100-continue' }, trace }));
  assert.equal(await res.body.text(), 'ok');
  assert.equal(bodyBefore100, false, 'no body byte before 100 Continue');
  assert.ok(events.indexOf('wait100Continue') < events.indexOf('got100Continue'));
  assert.ok(events.indexOf('got100Continue') < events.indexOf('wroteRequest'));
});

test('100-continue: without an answer the body goes after expectContinueTimeout', async (t) => {
  let waited = 0;
  const started = Date.now();
  const srv = await expectServer((socket, bodyArrived) => {
    const wait = setInterval(() => {
      if (bodyArrived()) {
        clearInterval(wait);
        waited = Date.now() - started;
        socket.write(OK);
      }
    }, 5);
  });
  t.after(() => srv.close());
  const { client } = setup(t, { expectContinueTimeout: 150 });
  const res = await client.do(new Request('PUT', srv.url, { body: 'payload', headers: { Expect: '100-continue' } }));
  assert.equal(await res.body.text(), 'ok');
  assert.ok(waited >= 120 && waited < 2_000, `body sent after ~150 ms, took ${waited}`);
});

test('100-continue: a final response with Connection: close skips the body and closes', async (t) => {
  let bodyArrivedAtAll = false;
  const srv = await expectServer((socket, bodyArrived) => {
    socket.write('HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    setTimeout(() => {
      bodyArrivedAtAll = bodyArrived();
      socket.end();
    }, 100);
  });
  t.after(() => srv.close());
  const { client, transport } = setup(t, { expectContinueTimeout: 5_000 });
  const res = await client.do(new Request('PUT', srv.url, { body: 'payload', headers: { Expect: '100-continue' } }));
  assert.equal(res.statusCode, 417);
  await res.body.close();
  await until(() => transport.stats().totals.closed['connection-close'] === 1, 2_000, 'close');
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(bodyArrivedAtAll, false, 'the body was never sent');
});

test('100-continue: a final keep-alive response without 100 gets the body anyway, and the connection is reused', async (t) => {
  const srv = await rawServer((socket) => {
    let buf = Buffer.alloc(0);
    let answered = 0;
    socket.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      // First request: answer as soon as the head is in; later ones: ordinary.
      const text = buf.toString('latin1');
      if (answered === 0 && text.includes('\r\n\r\n')) {
        answered++;
        socket.write('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      }
      if (answered === 1 && text.includes('payload') && text.lastIndexOf('GET ') > 0) {
        answered++;
        socket.write(OK);
      }
    });
  });
  t.after(() => srv.close());
  const { client } = setup(t, { expectContinueTimeout: 5_000 });
  const res = await client.do(new Request('PUT', srv.url, { body: 'payload', headers: { Expect: '100-continue' } }));
  assert.equal(res.statusCode, 401);
  await res.body.text();
  const next = await client.get(srv.url);
  assert.equal(await next.body.text(), 'ok');
  assert.equal(srv.connections, 1, 'the body kept the connection in step, so it was reused');
});

test('1xx heads count toward maxResponseHeaderBytes unless got1xxResponse is set', async (t) => {
  const hint = `HTTP/1.1 103 Early Hints\r\nLink: <${'x'.repeat(900)}>\r\n\r\n`;
  const srv = await rawServer((s) => onRequests(s, () => s.write(hint.repeat(8) + OK)));
  t.after(() => srv.close());
  const { client } = setup(t, { maxResponseHeaderBytes: 4096 });
  await assert.rejects(client.get(srv.url), (err: HttpoolError) => err.code === 'ERR_HEADERS_TOO_LARGE');
  let hints = 0;
  const res = await client.get(srv.url, { trace: { got1xxResponse: () => void hints++ } });
  assert.equal(await res.body.text(), 'ok');
  assert.equal(hints, 8);
});

test('101 Switching Protocols is final and hands the socket to the caller, bytes after the head included', async (t) => {
  const srv = await rawServer((socket) => {
    let upgraded = false;
    socket.on('data', (c: Buffer) => {
      if (!upgraded) {
        upgraded = true;
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nHELLO;');
        return;
      }
      socket.write(c); // the new protocol: echo
    });
  });
  t.after(() => srv.close());
  const { client, transport } = setup(t);
  const res = await client.get(srv.url, { headers: { Connection: 'Upgrade', Upgrade: 'echo' } });
  assert.equal(res.statusCode, 101);
  const duplex = res.upgrade;
  assert.ok(duplex !== null, 'a 101 response carries the connection');
  let got = '';
  duplex.on('data', (c: Buffer) => (got += c.toString()));
  await until(() => got === 'HELLO;', 2_000, 'the bytes that followed the 101 head');
  duplex.write('ping');
  await until(() => got === 'HELLO;ping', 2_000, 'the echo over the upgraded connection');
  const s = transport.stats().totals;
  assert.equal(s.closed['upgraded'], 1, 'the connection left the pool as upgraded');
  assert.equal(s.active + s.idle, 0);
  duplex.destroy();
  const again = await client.get(srv.url, { headers: { Connection: 'Upgrade', Upgrade: 'echo' } });
  assert.equal(again.statusCode, 101, 'a later request dials a new connection');
  again.upgrade?.destroy();
  assert.equal(srv.connections, 2);
});

test('connectStart and connectDone fire for every attempt when a name has several addresses', async (t) => {
  const srv = await rawServer((s) => onRequests(s, () => s.write(OK)));
  t.after(() => srv.close());
  // Resolves to ::1 first (nothing listens there) and then 127.0.0.1, the way a dual-stack name does.
  const lookup = ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    const all = [
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ];
    setImmediate(() => (opts.all ? cb(null, all) : cb(null, all[0]!.address, all[0]!.family)));
  }) as unknown as import('node:net').LookupFunction;
  const { client } = setup(t, { lookup });
  const events: string[] = [];
  const res = await client.get(`http://dual.test:${srv.port}/`, {
    trace: {
      dnsDone: ({ addresses }) => void events.push(`dnsDone ${addresses.join(',')}`),
      connectStart: (_n, addr) => void events.push(`start ${addr}`),
      connectDone: (_n, addr, err) => void events.push(`done ${addr} ${err === null ? 'ok' : 'failed'}`),
    },
  });
  assert.equal(await res.body.text(), 'ok');
  assert.deepEqual(events, [
    'dnsDone ::1,127.0.0.1',
    `start [::1]:${srv.port}`,
    `done [::1]:${srv.port} failed`,
    `start 127.0.0.1:${srv.port}`,
    `done 127.0.0.1:${srv.port} ok`,
  ]);
});
