// CONNECT tunnels (issue 13): the Transport options proxyConnectHeader, getProxyConnectHeader and
// onProxyConnectResponse (Go's ProxyConnectHeader, GetProxyConnectHeader, OnProxyConnectResponse),
// and a refused tunnel's ProxyError carrying the proxy's status and header fields. The proxy is a
// raw node:net server, so each test sees exactly which lines the CONNECT carried and answers what
// it chooses; on 200 it pipes the tunnel to an https origin (startTestServer with TLS).

import assert from 'node:assert/strict';
import * as net from 'node:net';
import { test, type TestContext } from 'node:test';
import { Client, Headers, ProxyError, Transport, type ProxyConnectRequest, type ProxyConnectResponse, type TransportOptions } from '../src/index.js';
import { startTestServer, TEST_CERT } from '../src/testing/index.js';
import { code } from './support/clients.js';
import { rawServer, until } from './support/servers.js';

/** What the proxy does with one CONNECT head: open the tunnel, or answer these bytes and close. */
type Answer = 'tunnel' | string;

/**
 * A CONNECT proxy on a raw socket. `heads` holds each CONNECT head as its lines (request line
 * first, no blank line); `bytesSeen` every byte a client sent it; `open` the client sockets open.
 */
async function connectProxy(t: TestContext, answer: (lines: string[]) => Answer = () => 'tunnel') {
  const heads: string[][] = [];
  let bytesSeen = 0;
  const upstreams = new Set<net.Socket>();
  const srv = await rawServer((socket) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      bytesSeen += chunk.length;
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      const rest = buf.subarray(end + 4);
      heads.push(lines);
      const a = answer(lines);
      if (a !== 'tunnel') {
        socket.end(a);
        return;
      }
      const [host, port] = splitHostPort(lines[0]!.split(' ')[1]!);
      const up = net.connect({ host, port });
      upstreams.add(up);
      up.on('error', () => socket.destroy());
      up.on('close', () => {
        upstreams.delete(up);
        socket.destroy();
      });
      socket.on('close', () => up.destroy());
      up.once('connect', () => {
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
        if (rest.length > 0) up.write(rest);
        socket.on('data', (c: Buffer) => (bytesSeen += c.length));
        socket.pipe(up).pipe(socket);
      });
    };
    socket.on('data', onData);
  });
  t.after(async () => {
    for (const u of upstreams) u.destroy();
    await srv.close();
  });
  return {
    url: `http://127.0.0.1:${srv.port}`,
    port: srv.port,
    heads,
    get bytesSeen() {
      return bytesSeen;
    },
    get open() {
      return srv.open;
    },
  };
}

function splitHostPort(hp: string): [string, number] {
  const i = hp.lastIndexOf(':');
  return [hp.slice(0, i).replace(/^\[|\]$/g, ''), Number(hp.slice(i + 1))];
}

/** An https origin that records the request heads it gets and counts its connections. */
async function origin(t: TestContext) {
  const seen: Array<Record<string, string | string[] | undefined>> = [];
  let connections = 0;
  const srv = await startTestServer((req, res) => {
    seen.push(req.headers);
    res.end('origin');
  }, { tls: true });
  srv.server.on('secureConnection', () => connections++);
  t.after(() => srv.close());
  return {
    url: srv.url,
    target: `127.0.0.1:${srv.port}`,
    seen,
    get connections() {
      return connections;
    },
  };
}

function setup(t: TestContext, proxyUrl: string, opts: TransportOptions = {}) {
  const transport = new Transport({ tls: { ca: TEST_CERT }, proxy: () => proxyUrl, ...opts });
  t.after(() => transport.close());
  return { transport, client: new Client({ transport }) };
}

const UA = 'User-Agent: httpool/0.1';

test('proxyConnectHeader: every CONNECT carries the fields, after Host; the origin never sees them (Go: TestTransportProxyConnectHeader)', async (t) => {
  const o = await origin(t);
  const p = await connectProxy(t);
  const { client } = setup(t, p.url, { proxyConnectHeader: { 'User-Agent': 'foo', Other: 'bar', 'X-Many': ['1', '2'] } });
  const res = await client.get(`${o.url}/`);
  assert.equal(await res.body.text(), 'origin');
  assert.deepEqual(p.heads, [[`CONNECT ${o.target} HTTP/1.1`, `Host: ${o.target}`, 'User-Agent: foo', 'Other: bar', 'X-Many: 1', 'X-Many: 2']]);
  assert.equal(o.seen.length, 1);
  assert.equal(o.seen[0]!.other, undefined, 'CONNECT fields stay with the proxy');
  assert.notEqual(o.seen[0]!['user-agent'], 'foo');
});

test('getProxyConnectHeader is asked per CONNECT with the proxy URL and target, and replaces proxyConnectHeader (Go: TestTransportProxyGetConnectHeader)', async (t) => {
  const o = await origin(t);
  const p = await connectProxy(t);
  const calls: Array<[string, string, boolean]> = [];
  let n = 0;
  const { transport, client } = setup(t, `http://tok:en@127.0.0.1:${p.port}`, {
    proxyConnectHeader: { Ignored: 'yes' },
    getProxyConnectHeader: async (proxyUrl, target) => {
      calls.push([proxyUrl.href, target, proxyUrl instanceof URL]);
      await Promise.resolve();
      return n++ === 0 ? new Headers([['X-Dynamic', `call-${n}`]]) : null;
    },
  });
  assert.equal(await (await client.get(`${o.url}/a`)).body.text(), 'origin');
  assert.equal(await (await client.get(`${o.url}/b`)).body.text(), 'origin');
  assert.equal(p.heads.length, 1, 'the tunnel is reused: one CONNECT');
  transport.closeIdleConnections();
  assert.equal(await (await client.get(`${o.url}/c`)).body.text(), 'origin');
  const auth = `Proxy-Authorization: Basic ${Buffer.from('tok:en').toString('base64')}`;
  assert.deepEqual(p.heads, [
    [`CONNECT ${o.target} HTTP/1.1`, `Host: ${o.target}`, UA, 'X-Dynamic: call-1', auth],
    [`CONNECT ${o.target} HTTP/1.1`, `Host: ${o.target}`, UA, auth],
  ]);
  assert.deepEqual(calls, [
    [`http://tok:en@127.0.0.1:${p.port}/`, o.target, true],
    [`http://tok:en@127.0.0.1:${p.port}/`, o.target, true],
  ]);
});

test("the proxy URL's credentials go with proxyConnectHeader; a caller's Proxy-Authorization replaces them", async (t) => {
  const o = await origin(t);
  const p = await connectProxy(t);
  const withUrlCreds = setup(t, `http://alice:s3cret@127.0.0.1:${p.port}`, { proxyConnectHeader: { 'X-Team': 'a' } });
  await (await withUrlCreds.client.get(`${o.url}/`)).body.text();
  const basic = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
  assert.deepEqual(p.heads[0], [`CONNECT ${o.target} HTTP/1.1`, `Host: ${o.target}`, UA, 'X-Team: a', `Proxy-Authorization: ${basic}`]);
  const callerWins = setup(t, `http://alice:s3cret@127.0.0.1:${p.port}`, { proxyConnectHeader: { 'proxy-authorization': 'Bearer t0ken' } });
  await (await callerWins.client.get(`${o.url}/`)).body.text();
  assert.deepEqual(p.heads[1], [`CONNECT ${o.target} HTTP/1.1`, `Host: ${o.target}`, UA, 'proxy-authorization: Bearer t0ken']);
  assert.equal(o.seen.every((h) => h['proxy-authorization'] === undefined), true);
});

test("a 407 is ERR_PROXY with the proxy's status and headers (Proxy-Authenticate); onProxyConnectResponse saw it first; nothing reached the origin", async (t) => {
  const o = await origin(t);
  const p = await connectProxy(t, () =>
    'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nProxy-Authenticate: Negotiate\r\nContent-Length: 5\r\n\r\ndenied',
  );
  const seen: Array<{ proxyUrl: string; req: ProxyConnectRequest; res: ProxyConnectResponse }> = [];
  const { transport, client } = setup(t, p.url, {
    proxyConnectHeader: { 'X-Trace': '7' },
    onProxyConnectResponse: (proxyUrl, req, res) => void seen.push({ proxyUrl: proxyUrl.href, req, res }),
  });
  await assert.rejects(
    client.post(`${o.url}/secret`, 'text/plain', 'password=hunter2'),
    code('ERR_PROXY', (e) => {
      assert.ok(e instanceof ProxyError);
      assert.equal(e.statusCode, 407);
      assert.ok(e.headers instanceof Headers);
      assert.deepEqual(e.headers.values('proxy-authenticate'), ['Basic realm="corp"', 'Negotiate']);
      assert.match(e.message, /407 Proxy Authentication Required/);
    }),
  );
  assert.equal(seen.length, 1);
  const s = seen[0]!;
  assert.equal(s.proxyUrl, `${p.url}/`);
  assert.equal(s.req.method, 'CONNECT');
  assert.equal(s.req.target, o.target);
  assert.deepEqual([...s.req.headers], [['User-Agent', 'httpool/0.1'], ['X-Trace', '7']]);
  assert.equal(s.res.statusCode, 407);
  assert.equal(s.res.status, '407 Proxy Authentication Required');
  assert.equal(s.res.headers.get('proxy-authenticate'), 'Basic realm="corp"');
  assert.equal(o.connections, 0);
  assert.equal(transport.stats().totals.idle, 0);
  await until(() => p.open === 0, 2_000, 'the refused socket closed');
});

test('onProxyConnectResponse that throws on a 200 fails the dial with ERR_PROXY, its error as cause; the tunnel is closed unused', async (t) => {
  const o = await origin(t);
  const p = await connectProxy(t);
  const veto = new Error('tunnel not allowed by policy');
  const statuses: number[] = [];
  const { transport, client } = setup(t, p.url, {
    onProxyConnectResponse: async (_url, _req, res) => {
      statuses.push(res.statusCode);
      await Promise.resolve();
      throw veto;
    },
  });
  await assert.rejects(
    client.get(`${o.url}/`),
    code('ERR_PROXY', (e) => {
      assert.ok(e instanceof ProxyError);
      assert.equal(e.statusCode, 200);
      assert.equal(e.cause, veto);
      assert.match(e.message, /tunnel not allowed by policy/);
    }),
  );
  assert.deepEqual(statuses, [200]);
  await until(() => p.open === 0 && o.seen.length === 0, 2_000, 'the vetoed tunnel closed');
  assert.equal(o.seen.length, 0, 'no request went through the vetoed tunnel');
  assert.equal(transport.stats().totals.active + transport.stats().totals.idle, 0);
});

test('an async onProxyConnectResponse that allows the tunnel: the request goes through, the hook ran once per CONNECT', async (t) => {
  const o = await origin(t);
  const p = await connectProxy(t);
  let calls = 0;
  const { client } = setup(t, p.url, {
    onProxyConnectResponse: async (_url, req, res) => {
      calls++;
      assert.equal(req.target, o.target);
      assert.equal(res.statusCode, 200);
      assert.equal(res.status, '200 Connection established');
      await new Promise<void>((r) => setImmediate(r));
    },
  });
  assert.equal(await (await client.get(`${o.url}/1`)).body.text(), 'origin');
  assert.equal(await (await client.get(`${o.url}/2`)).body.text(), 'origin');
  assert.equal(calls, 1);
});

test('getProxyConnectHeader: a throw is ERR_PROXY with it as cause; a field with CR/LF is ERR_INVALID_HEADER; neither sends a CONNECT', async (t) => {
  const o = await origin(t);
  const p = await connectProxy(t);
  const boom = new Error('no token today');
  const throwing = setup(t, p.url, { getProxyConnectHeader: () => { throw boom; } });
  await assert.rejects(throwing.client.get(`${o.url}/`), code('ERR_PROXY', (e) => assert.equal(e.cause, boom)));
  const splitting = setup(t, p.url, { getProxyConnectHeader: () => ({ 'X-Evil': 'a\r\nHost: elsewhere' }) });
  await assert.rejects(splitting.client.get(`${o.url}/`), code('ERR_INVALID_HEADER', (e) => assert.match(e.message, /X-Evil.*CR/)));
  const framing = setup(t, p.url, { getProxyConnectHeader: async () => [['Content-Length', '5']] });
  await assert.rejects(framing.client.get(`${o.url}/`), code('ERR_INVALID_HEADER', (e) => assert.match(e.message, /Content-Length/)));
  assert.equal(p.bytesSeen, 0, 'the proxy got connections but no byte');
  assert.equal(p.heads.length, 0);
  await until(() => p.open === 0, 2_000, 'the unused proxy sockets closed');
});

test('a getProxyConnectHeader that never answers ends in ERR_TIMEOUT at dialTimeout, the proxy socket closed', async (t) => {
  const o = await origin(t);
  const p = await connectProxy(t);
  const { client } = setup(t, p.url, { dialTimeout: 150, getProxyConnectHeader: () => new Promise(() => {}) });
  await assert.rejects(client.get(`${o.url}/`), code('ERR_TIMEOUT'));
  await until(() => p.open === 0, 2_000, 'the proxy socket closed');
  assert.equal(p.bytesSeen, 0);
});

test('a proxy that closes without answering, or answers garbage, is ERR_PROXY with status 0; the socket is closed', async (t) => {
  const o = await origin(t);
  for (const [answer, message] of [
    ['', /closed the connection during CONNECT/],
    ['HTTP/1.1 2OO OK\r\n\r\n', /malformed response/],
  ] as const) {
    const p = await connectProxy(t, () => answer);
    const { client } = setup(t, p.url);
    await assert.rejects(
      client.get(`${o.url}/`),
      code('ERR_PROXY', (e) => {
        assert.ok(e instanceof ProxyError);
        assert.equal(e.statusCode, 0);
        assert.equal(e.headers.size, 0);
        assert.match(e.message, message);
      }),
    );
    await until(() => p.open === 0, 2_000, 'the proxy socket closed');
  }
  assert.equal(o.connections, 0);
});

test('the CONNECT options are checked once, at construction', () => {
  const bad: Array<[TransportOptions, RegExp]> = [
    [{ proxyConnectHeader: { 'X-A': 'one\ntwo' } }, /proxyConnectHeader: value of header X-A contains LF/],
    [{ proxyConnectHeader: { 'Bad Name': 'x' } }, /proxyConnectHeader: invalid header name/],
    [{ proxyConnectHeader: { Host: 'elsewhere:443' } }, /proxyConnectHeader: header Host cannot be set/],
    [{ proxyConnectHeader: [['Transfer-Encoding', 'chunked']] }, /proxyConnectHeader: header Transfer-Encoding cannot be set/],
    [{ proxyConnectHeader: 'X-A: 1' as unknown as TransportOptions['proxyConnectHeader'] }, /proxyConnectHeader must be headers/],
    [{ getProxyConnectHeader: 'x' as unknown as TransportOptions['getProxyConnectHeader'] }, /getProxyConnectHeader must be a function or null/],
    [{ onProxyConnectResponse: {} as unknown as TransportOptions['onProxyConnectResponse'] }, /onProxyConnectResponse must be a function or null/],
  ];
  for (const [opts, message] of bad) {
    assert.throws(() => new Transport(opts), code('ERR_INVALID_OPTION', (e) => assert.match(e.message, message)));
  }
  const ok = new Transport({ proxyConnectHeader: new Headers({ 'X-A': 'latin1 é ok' }), getProxyConnectHeader: null, onProxyConnectResponse: null });
  assert.deepEqual(ok.options.proxyConnectHeader, ['X-A', 'latin1 é ok']);
  void ok.close();
});
