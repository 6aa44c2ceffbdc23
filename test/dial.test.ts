// Dialing (issue 13): the `dial`, `dialTLS`, `socketPath` and `lookup` options over real loopback
// sockets. A user's dial routes made-up names to servers of the test's choosing; TLS, proxies,
// HTTP/1.1 and HTTP/2 ride on what it returns; a Docker-style API answers on a Unix socket in a
// temp dir; failures end as ERR_CONNECT / ERR_TIMEOUT and leave no socket or timer behind.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { test, type TestContext } from 'node:test';
import * as tls from 'node:tls';
import {
  Client,
  Transport,
  type ClientTrace,
  type DialArgs,
  type DialTLSArgs,
  type TransportOptions,
} from '../src/index.js';
import { assertReleased, resources } from './support/clean.js';
import { code } from './support/clients.js';
import { certificates, havePeer } from './support/peers.js';
import { closedPort, httpServer, unixHttpServer, until } from './support/servers.js';

function setup(t: TestContext, opts: TransportOptions) {
  const transport = new Transport({ proxy: null, ...opts });
  t.after(() => transport.close());
  return { transport, client: new Client({ transport }) };
}

/** A node:http server on a Unix socket in a fresh temp dir, as Docker's daemon listens. */
async function unixServer(t: TestContext, handler: http.RequestListener) {
  const dir = mkdtempSync(join(tmpdir(), 'httpool-dial-'));
  const srv = await unixHttpServer(handler, join(dir, 'docker.sock'));
  t.after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return srv;
}

/**
 * A TLS origin speaking HTTP/2 and HTTP/1.1 (ALPN) with the test certificate, on loopback TCP or
 * on a Unix socket at `path`; answers with what it saw.
 */
async function tlsOrigin(t: TestContext, path: string | null = null) {
  const c = certificates();
  const server = http2.createSecureServer(
    { cert: readFileSync(c.serverCert), key: readFileSync(c.serverKey), allowHTTP1: true },
    (req, res) => {
      const sni = (req.socket as tls.TLSSocket).servername;
      res.end(JSON.stringify({ proto: req.httpVersion, sni: typeof sni === 'string' ? sni : null, path: req.url }));
    },
  );
  const sockets = new Set<tls.TLSSocket>();
  let connections = 0;
  server.on('secureConnection', (s: tls.TLSSocket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  if (path === null) server.listen(0, '127.0.0.1');
  else server.listen(path);
  await once(server, 'listening');
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });
  return {
    port: path === null ? (server.address() as net.AddressInfo).port : 0,
    ca: c.ca,
    get connections() {
      return connections;
    },
  };
}

interface Seen {
  proto: string;
  sni: string | null;
  path: string;
}

/** One ordinary exchange, so the process's first socket (which allocates for good) is not counted by a leak check. */
async function warmUp(t: TestContext): Promise<void> {
  const srv = await httpServer((_req, res) => res.end('warm'));
  const transport = new Transport({ proxy: null });
  await (await new Client({ transport }).get(srv.url)).body.text();
  await transport.close();
  await srv.close();
  t.diagnostic('warmed up');
}

/** Trace hooks that record the connection events as text. */
function recorder(): { events: string[]; trace: ClientTrace } {
  const events: string[] = [];
  const trace: ClientTrace = {
    getConn: (hostPort) => void events.push(`getConn ${hostPort}`),
    dnsStart: ({ host }) => void events.push(`dnsStart ${host}`),
    connectStart: (network, addr) => void events.push(`connectStart ${network} ${addr}`),
    connectDone: (network, addr, err) => void events.push(`connectDone ${network} ${addr} ${err === null ? 'ok' : (err as { code?: string }).code}`),
    tlsHandshakeStart: () => void events.push('tlsHandshakeStart'),
    tlsHandshakeDone: (info, err) => void events.push(`tlsHandshakeDone ${err === null ? info.alpn : 'failed'}`),
    gotConn: ({ reused }) => void events.push(`gotConn reused=${reused}`),
  };
  return { events, trace };
}

test('socketPath: a Docker-style API on a Unix socket, pooled and reused like TCP', async (t) => {
  const sock = await unixServer(t, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, host: req.headers.host }));
  });
  const { transport, client } = setup(t, { socketPath: sock.path });
  const { events, trace } = recorder();
  for (let i = 0; i < 3; i++) {
    const res = await client.get('http://localhost/v1.43/containers/json?all=1', { trace });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(await res.body.json(), { path: '/v1.43/containers/json?all=1', host: 'localhost' });
  }
  assert.equal(sock.connections, 1, 'one connection served every request');
  const s = transport.stats().hosts['http://localhost:80'];
  assert.ok(s, `stats keyed by the URL: ${Object.keys(transport.stats().hosts).join(', ')}`);
  assert.equal(s.requests, 3);
  assert.equal(s.reused, 2);
  assert.equal(s.opened, 1);
  assert.equal(s.idle, 1);
  assert.deepEqual(events.slice(0, 4), ['getConn localhost:80', `connectStart unix ${sock.path}`, `connectDone unix ${sock.path} ok`, 'gotConn reused=false']);
  assert.deepEqual(events.slice(4), ['getConn localhost:80', 'gotConn reused=true', 'getConn localhost:80', 'gotConn reused=true'], 'no dial after the first');
  transport.closeIdleConnections();
  assert.equal(transport.stats().hosts['http://localhost:80']!.closed['idle-closed'], 1, 'a close reason as for TCP');
});

test('socketPath with https://: TLS over the Unix socket, SNI and certificate from the URL\'s host, HTTP/2 by ALPN', async (t) => {
  if (!havePeer(t, 'openssl')) return;
  const dir = mkdtempSync(join(tmpdir(), 'httpool-dial-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'tls.sock');
  const origin = await tlsOrigin(t, path);
  const { transport, client } = setup(t, { socketPath: path, tls: { ca: origin.ca } });
  const { events, trace } = recorder();
  for (const p of ['/a', '/b']) {
    const res = await client.get(`https://localhost${p}`, { trace });
    assert.equal(res.proto, 'HTTP/2.0');
    assert.deepEqual(await res.body.json(), { proto: '2.0', sni: 'localhost', path: p });
  }
  assert.equal(origin.connections, 1);
  assert.deepEqual(events.slice(0, 5), ['getConn localhost:443', `connectStart unix ${path}`, `connectDone unix ${path} ok`, 'tlsHandshakeStart', 'tlsHandshakeDone h2']);
  assert.equal(transport.stats().hosts['https://localhost:443']?.requests, 2);
  // The certificate is checked against the URL's host: a name it does not carry is refused.
  await assert.rejects(client.get('https://other.example/'), code('ERR_TLS'));
});

test('socketPath: a missing socket is ERR_CONNECT naming the path', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'httpool-dial-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'missing.sock');
  const { transport, client } = setup(t, { socketPath: path });
  await assert.rejects(
    client.get('http://localhost/_ping'),
    code('ERR_CONNECT', (e) => {
      assert.ok(e.message.includes(path), e.message);
      assert.equal((e.cause as NodeJS.ErrnoException).code, 'ENOENT');
    }),
  );
  const s = transport.stats().totals;
  assert.equal(s.active + s.idle + s.dialing, 0);
});

test('dial routes a made-up name to a loopback server; stats and connect hooks show it', async (t) => {
  const hosts: Array<string | undefined> = [];
  const srv = await httpServer((req, res) => {
    hosts.push(req.headers.host);
    res.end(`hello ${req.url}`);
  });
  t.after(() => srv.close());
  const calls: DialArgs[] = [];
  const { transport, client } = setup(t, {
    // Returned still connecting: the Transport waits for it, as for its own dial.
    dial: (args) => {
      calls.push(args);
      return net.connect(srv.port, '127.0.0.1');
    },
  });
  const { events, trace } = recorder();
  for (const path of ['/a', '/b']) {
    const res = await client.get(`http://api.internal:1234${path}`, { trace });
    assert.equal(await res.body.text(), `hello ${path}`);
  }
  assert.deepEqual(
    calls.map(({ hostname, port, signal }) => [hostname, port, signal instanceof AbortSignal, signal.aborted]),
    [['api.internal', 1234, true, false]],
  );
  assert.deepEqual(hosts, ['api.internal:1234', 'api.internal:1234'], 'the URL still gives the Host');
  assert.equal(srv.connections, 1);
  const s = transport.stats().hosts['http://api.internal:1234'];
  assert.ok(s);
  assert.deepEqual([s.requests, s.reused, s.opened], [2, 1, 1]);
  assert.deepEqual(events, [
    'getConn api.internal:1234',
    'connectStart tcp api.internal:1234',
    'connectDone tcp api.internal:1234 ok',
    'gotConn reused=false',
    'getConn api.internal:1234',
    'gotConn reused=true',
  ]);
});

test('dial + https: TLS (tls options, SNI, ALPN) runs over the user\'s socket, HTTP/2 and HTTP/1.1', async (t) => {
  if (!havePeer(t, 'openssl')) return;
  const origin = await tlsOrigin(t);
  const dial = ({ hostname, port }: DialArgs): Promise<net.Socket> => {
    assert.deepEqual([hostname, port], ['localhost', 8443]);
    const s = net.connect(origin.port, '127.0.0.1');
    return once(s, 'connect').then(() => s);
  };
  const h2 = setup(t, { dial, tls: { ca: origin.ca } });
  const { events, trace } = recorder();
  const get = async (i: number) => {
    const res = await h2.client.get(`https://localhost:8443/${i}`, { trace });
    return { proto: res.proto, seen: (await res.body.json()) as Seen };
  };
  // The first request learns that the host speaks HTTP/2; the next ones share its session.
  const results = [await get(1), ...(await Promise.all([get(2), get(3)]))];
  for (const [i, r] of results.entries()) {
    assert.equal(r.proto, 'HTTP/2.0');
    assert.deepEqual(r.seen, { proto: '2.0', sni: 'localhost', path: `/${i + 1}` });
  }
  assert.equal(origin.connections, 1, 'the three requests share one HTTP/2 session');
  assert.deepEqual(h2.transport.stats().hosts['https://localhost:8443']?.opened, 1);
  assert.ok(events.includes('tlsHandshakeDone h2'), events.join('\n'));

  const h1 = setup(t, { dial, tls: { ca: origin.ca }, forceAttemptHTTP2: false });
  const res = await h1.client.get('https://localhost:8443/one');
  assert.equal(res.proto, 'HTTP/1.1');
  assert.deepEqual(await res.body.json(), { proto: '1.1', sni: 'localhost', path: '/one' });

  // The certificate is verified on the user's socket: without the test CA it is refused.
  const untrusted = setup(t, { dial });
  await assert.rejects(untrusted.client.get('https://localhost:8443/'), code('ERR_TLS'));
});

test('dialTLS: a tls.connect() socket still handshaking, ALPN h2 read from it, gives an HTTP/2 response', async (t) => {
  if (!havePeer(t, 'openssl')) return;
  const origin = await tlsOrigin(t);
  const calls: DialTLSArgs[] = [];
  const { transport, client } = setup(t, {
    // The `tls` option is not used with dialTLS: this socket trusts the test CA itself.
    dialTLS: (args) => {
      calls.push(args);
      return tls.connect({ host: '127.0.0.1', port: origin.port, servername: args.servername, ALPNProtocols: args.alpn, ca: origin.ca });
    },
  });
  const { events, trace } = recorder();
  const res = await client.get('https://localhost:9443/h2', { trace });
  assert.equal(res.proto, 'HTTP/2.0');
  assert.deepEqual(await res.body.json(), { proto: '2.0', sni: 'localhost', path: '/h2' });
  assert.deepEqual(
    calls.map(({ hostname, port, servername, alpn }) => ({ hostname, port, servername, alpn })),
    [{ hostname: 'localhost', port: 9443, servername: 'localhost', alpn: ['h2', 'http/1.1'] }],
  );
  assert.deepEqual(events.slice(1, 5), [
    'connectStart tcp localhost:9443',
    'connectDone tcp localhost:9443 ok',
    'tlsHandshakeStart',
    'tlsHandshakeDone h2',
  ]);
  const again = await client.get('https://localhost:9443/again');
  assert.equal((await again.body.json() as Seen).path, '/again');
  assert.equal(calls.length, 1, 'the session is pooled');
  assert.equal(transport.stats().hosts['https://localhost:9443']?.requests, 2);

  // A handshake the socket fails is ERR_TLS.
  const bad = setup(t, { dialTLS: (a) => tls.connect({ host: '127.0.0.1', port: origin.port, servername: a.servername, ALPNProtocols: a.alpn }) });
  await assert.rejects(bad.client.get('https://localhost:9443/'), code('ERR_TLS'));
});

test('any Duplex will do: HTTP/1.1 and TLS + HTTP/2 over a stream that is not a net.Socket', async (t) => {
  if (!havePeer(t, 'openssl')) return;
  const plain = await httpServer((req, res) => res.end(`plain ${req.url}`));
  t.after(() => plain.close());
  const origin = await tlsOrigin(t);
  const made: Wrapped[] = [];
  const dial = ({ hostname }: DialArgs): Wrapped => {
    const w = new Wrapped(net.connect(hostname === 'plain.internal' ? plain.port : origin.port, '127.0.0.1'));
    made.push(w);
    return w;
  };
  const { transport, client } = setup(t, { dial, tls: { ca: origin.ca } });
  for (const path of ['/1', '/2']) assert.equal(await (await client.get(`http://plain.internal${path}`)).body.text(), `plain ${path}`);
  assert.equal(plain.connections, 1, 'reused');
  const res = await client.get('https://localhost:7443/x');
  assert.equal(res.proto, 'HTTP/2.0');
  assert.deepEqual(await res.body.json(), { proto: '2.0', sni: 'localhost', path: '/x' });
  await transport.close();
  await until(() => made.every((w) => w.inner.destroyed), 2_000, 'closing the Transport to destroy the streams and what is under them');
});

test('a cold burst through a user\'s dial: one dial per request, every one answered, no listener warning', async (t) => {
  const srv = await httpServer((req, res) => res.end(req.url));
  t.after(() => srv.close());
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  let dials = 0;
  const { transport, client } = setup(t, {
    dial: () => {
      dials++;
      return net.connect(srv.port, '127.0.0.1');
    },
  });
  const paths = Array.from({ length: 20 }, (_, i) => `/${i}`);
  const bodies = await Promise.all(paths.map(async (p) => (await client.get(`http://burst.internal${p}`)).body.text()));
  assert.deepEqual(bodies, paths);
  assert.equal(dials, 20);
  assert.equal(transport.stats().hosts['http://burst.internal:80']?.opened, 20);
  await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
  assert.deepEqual(warnings, []);
});

test('the dial reaches the proxy: forward requests and a CONNECT tunnel with TLS to the target', async (t) => {
  if (!havePeer(t, 'openssl')) return;
  const origin = await tlsOrigin(t);
  const upstreams: net.Socket[] = [];
  const proxy = await httpServer(
    (req, res) => res.end(`proxied ${req.method} ${req.url}`),
    (s) =>
      s.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
        assert.equal(req.url, 'localhost:6443');
        const up = net.connect(origin.port, '127.0.0.1', () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          up.write(head);
          up.pipe(client).pipe(up);
        });
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
        upstreams.push(up);
      }),
  );
  t.after(async () => {
    upstreams.forEach((u) => u.destroy());
    await proxy.close();
  });
  const dialed: string[] = [];
  const { transport, client } = setup(t, {
    proxy: () => 'http://proxy.internal:3128',
    tls: { ca: origin.ca },
    dial: ({ hostname, port }) => {
      dialed.push(`${hostname}:${port}`);
      return net.connect(proxy.port, '127.0.0.1');
    },
  });
  assert.equal(await (await client.get('http://origin.test/x')).body.text(), 'proxied GET http://origin.test/x');
  const res = await client.get('https://localhost:6443/tunnelled');
  assert.equal(res.proto, 'HTTP/2.0');
  assert.deepEqual(await res.body.json(), { proto: '2.0', sni: 'localhost', path: '/tunnelled' });
  assert.deepEqual(dialed, ['proxy.internal:3128', 'proxy.internal:3128']);
  assert.deepEqual(Object.keys(transport.stats().hosts).sort(), [
    'http://* via http://proxy.internal:3128',
    'https://localhost:6443 via http://proxy.internal:3128',
  ]);
});

test('a dial that throws is ERR_CONNECT with the cause, and leaves nothing behind', async (t) => {
  await warmUp(t);
  const before = resources();
  const boom = new Error('no route to api.internal');
  const transport = new Transport({
    proxy: null,
    dial: async () => {
      throw boom;
    },
  });
  const { events, trace } = recorder();
  try {
    await assert.rejects(
      new Client({ transport }).get('http://api.internal:1234/', { trace }),
      code('ERR_CONNECT', (e) => {
        assert.equal(e.cause, boom);
        assert.match(e.message, /api\.internal:1234/);
      }),
    );
    assert.deepEqual(events.slice(1, 3), ['connectStart tcp api.internal:1234', 'connectDone tcp api.internal:1234 ERR_CONNECT']);
    const s = transport.stats().totals;
    assert.deepEqual([s.active, s.idle, s.dialing, s.opened], [0, 0, 0, 0]);
    // A dial that returns something other than a stream, or a socket that cannot connect, is ERR_CONNECT too.
    const odd = new Transport({ proxy: null, dial: () => ({}) as unknown as Duplex });
    await assert.rejects(new Client({ transport: odd }).get('http://api.internal/'), code('ERR_CONNECT', (e) => assert.match(e.message, /not a Duplex/)));
    await odd.close();
    const port = await closedPort();
    const refused = new Transport({ proxy: null, dial: () => net.connect(port, '127.0.0.1') });
    await assert.rejects(
      new Client({ transport: refused }).get('http://api.internal/'),
      code('ERR_CONNECT', (e) => assert.equal((e.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED')),
    );
    await refused.close();
  } finally {
    await transport.close();
  }
  await assertReleased(before);
});

test('a dial that never settles is ERR_TIMEOUT after dialTimeout; a socket it returns later is destroyed', async (t) => {
  await warmUp(t);
  const srv = await httpServer((_req, res) => res.end('late'));
  t.after(() => srv.close());
  const before = resources();
  let args: DialArgs | null = null;
  let resolveLate!: (s: net.Socket) => void;
  const transport = new Transport({
    proxy: null,
    dialTimeout: 150,
    dial: (a) => {
      args = a;
      return new Promise<net.Socket>((r) => (resolveLate = r));
    },
  });
  const { events, trace } = recorder();
  const started = performance.now();
  await assert.rejects(new Client({ transport }).get('http://stuck.internal:81/', { trace }), code('ERR_TIMEOUT', (e) => assert.match(e.message, /dial stuck\.internal:81/)));
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 140 && elapsed < 2_000, `timed out after ${elapsed} ms`);
  assert.ok(args !== null);
  const { signal } = args as DialArgs;
  assert.equal(signal.aborted, true, 'the dial is told to stop');
  assert.equal((signal.reason as { code?: string }).code, 'ERR_TIMEOUT');
  assert.equal(events.at(-1), 'connectDone tcp stuck.internal:81 ERR_TIMEOUT');

  const late = net.connect(srv.port, '127.0.0.1');
  resolveLate(late);
  await until(() => late.destroyed, 2_000, 'the late socket to be destroyed');
  const s = transport.stats().totals;
  assert.deepEqual([s.active, s.idle, s.dialing, s.opened], [0, 0, 0, 0]);
  await transport.close();
  await assertReleased(before);
});

test('closing the Transport aborts a dial still under way', async (t) => {
  const seen: AbortSignal[] = [];
  const transport = new Transport({
    proxy: null,
    dialTimeout: 0,
    dial: (a) => {
      seen.push(a.signal);
      return new Promise<net.Socket>(() => {});
    },
  });
  t.after(() => transport.close());
  const pending = new Client({ transport }).get('http://never.internal/');
  await until(() => seen.length === 1, 2_000, 'the dial to be called');
  await transport.close();
  await assert.rejects(pending, code('ERR_TRANSPORT_CLOSED'));
  assert.equal(seen[0]!.aborted, true);
});

test('lookup: the single-address callback shape and the all-addresses shape both connect', async (t) => {
  const srv = await httpServer((req, res) => res.end(`via ${req.headers.host}`));
  t.after(() => srv.close());
  type Cb = (err: NodeJS.ErrnoException | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;
  const shapes: Record<string, (cb: Cb) => void> = {
    single: (cb) => cb(null, '127.0.0.1', 4),
    'single without family': (cb) => cb(null, '127.0.0.1'),
    all: (cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]),
  };
  for (const [shape, answer] of Object.entries(shapes)) {
    const asked: string[] = [];
    const lookup = ((hostname: string, _opts: object, cb: Cb) => {
      asked.push(hostname);
      setImmediate(() => answer(cb));
    }) as unknown as TransportOptions['lookup'];
    const { client } = setup(t, { lookup });
    const addresses: string[][] = [];
    const res = await client.get(`http://${shape.replace(/ /g, '-')}.test:${srv.port}/`, {
      trace: { dnsDone: (info) => void addresses.push(info.addresses) },
    });
    assert.equal(await res.body.text(), `via ${shape.replace(/ /g, '-')}.test:${srv.port}`, shape);
    assert.deepEqual(asked, [`${shape.replace(/ /g, '-')}.test`], shape);
    assert.deepEqual(addresses, [['127.0.0.1']], shape);
  }
  // A lookup error is still ERR_DNS.
  const failing = setup(t, {
    lookup: (_h, _o, cb) => cb(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }), '', 0),
  });
  await assert.rejects(failing.client.get(`http://nowhere.test:${srv.port}/`), code('ERR_DNS'));
});

test('option validation: dial, dialTLS and socketPath', () => {
  const bad: Array<[string, TransportOptions]> = [
    ['dial not a function', { dial: 'tcp' as unknown as TransportOptions['dial'] }],
    ['dialTLS not a function', { dialTLS: {} as unknown as TransportOptions['dialTLS'] }],
    ['socketPath empty', { socketPath: '' }],
    ['socketPath not a string', { socketPath: 42 as unknown as string }],
    ['socketPath with dial', { socketPath: '/tmp/x.sock', dial: () => new Duplex() }],
    ['socketPath with dialTLS', { socketPath: '/tmp/x.sock', dialTLS: () => new tls.TLSSocket(new Duplex()) }],
    ['socketPath with a proxy', { socketPath: '/tmp/x.sock', proxy: () => 'http://proxy:3128' }],
  ];
  for (const [what, opts] of bad) assert.throws(() => new Transport(opts), code('ERR_INVALID_OPTION'), what);
  const t = new Transport({ socketPath: '/tmp/x.sock' });
  assert.equal(t.options.proxy, null, 'no proxy from the environment for a Unix socket');
  assert.equal(t.options.socketPath, '/tmp/x.sock');
  const none = new Transport({ dial: null, dialTLS: null, socketPath: null, proxy: null });
  assert.deepEqual([none.options.dial, none.options.dialTLS, none.options.socketPath], [null, null, null]);
});

/** A Duplex over a socket that is not itself a net.Socket (as an SSH channel or an in-process pipe would be). */
class Wrapped extends Duplex {
  readonly inner: net.Socket;
  constructor(inner: net.Socket) {
    super();
    this.inner = inner;
    inner.on('data', (b: Buffer) => {
      if (!this.push(b)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (err) => this.destroy(err));
    inner.on('close', () => this.destroy());
  }
  override _read(): void {
    this.inner.resume();
  }
  override _write(chunk: Buffer, enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.inner.write(chunk, enc, cb);
  }
  override _final(cb: (err?: Error | null) => void): void {
    this.inner.end(cb);
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.inner.destroy();
    cb(err);
  }
}
