// Redirects (client layer) against Go's net/http client.go: the method/body table, body replay
// over chains, which headers follow a hop (makeHeadersCopier, shouldCopyHeaderOnRedirect), the
// Referer (refererForURL), checkRedirect's limit and errors, the cookie jar on every hop, and
// connection reuse across a chain. Over real loopback sockets where a socket can show it; the
// pure functions (host names that need DNS, https) as tables. test/client.test.ts has the basic
// cases (POST→GET for 301/302/303, 307/308 keep POST, one 127.0.0.1→localhost hop, the limit on
// an endless chain); these go further.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client,
  Transport,
  Request,
  Headers,
  RedirectError,
  CookieJar,
  useLastResponse,
  type CookieJarLike,
} from '../src/index.js';
import { nextHop, refererForURL, shouldCopyHeaderOnRedirect } from '../src/client/redirect.js';
import { Response } from '../src/response.js';
import { BodyChannel } from '../src/body.js';
import { recordingServer, type Seen } from './support/recorder.js';
import { until } from './support/servers.js';
import { setup, code } from './support/clients.js';
import type * as http from 'node:http';



interface Hop {
  status: number;
  location?: string;
  headers?: Record<string, string | string[]>;
  body?: string;
}

/** A recording server answering each path from `route` (null: 200 "final METHOD"). */
function routed(route: (path: string, req: http.IncomingMessage) => Hop | null) {
  return recordingServer((req, res) => {
    const hop = route(new URL(req.url ?? '/', 'http://x').pathname, req);
    if (hop === null) {
      res.end(`final ${req.method}`);
      return;
    }
    const headers: Record<string, string | string[]> = { ...hop.headers };
    if (hop.location !== undefined) headers['Location'] = hop.location;
    res.writeHead(hop.status, headers);
    res.end(hop.body ?? '');
  });
}

const CREDENTIALS = ['authorization', 'www-authenticate', 'cookie', 'cookie2', 'proxy-authorization', 'proxy-authenticate'];
const CREDENTIAL_HEADERS: Record<string, string> = {
  Authorization: 'Bearer secret',
  'WWW-Authenticate': 'Basic realm="x"',
  Cookie: 'sid=42',
  Cookie2: '$Version=1',
  'Proxy-Authorization': 'Basic cHJveHk6cHc=',
  'Proxy-Authenticate': 'Basic realm="proxy"',
};

function credentialsOf(s: Seen): string[] {
  return CREDENTIALS.filter((h) => s.headers[h] !== undefined);
}

/** A Response as the transport would hand it over, for calling nextHop directly. */
function fakeResponse(status: number, headers: [string, string][], request: Request): Response {
  return new Response({
    statusCode: status,
    reason: '',
    proto: 'HTTP/1.1',
    headers: new Headers(headers),
    contentLength: 0,
    channel: BodyChannel.ended(),
    request,
    uncompressed: false,
  });
}

// =============================================================================================
// The method and body table (Go: redirectBehavior; RFC 9110 §15.4)

test('method × status table: 301/302/303 turn all but GET/HEAD into a bodiless GET; 307/308 keep method and body', async (t) => {
  const srv = await routed((path) => (path.startsWith('/s/') ? { status: Number(path.slice(3)), location: '/to', body: 'moved' } : null));
  t.after(() => srv.close());
  const { client } = setup(t);
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'];
  const got: string[] = [];
  const want: string[] = [];
  for (const status of [301, 302, 303, 307, 308]) {
    for (const method of methods) {
      const hasBody = method !== 'GET' && method !== 'HEAD';
      const before = srv.seen.length;
      const res = await client.do(
        new Request(method, `${srv.url}/s/${status}`, {
          headers: hasBody ? { 'Content-Type': 'text/plain' } : {},
          body: hasBody ? `payload-${method}` : null,
        }),
      );
      assert.equal(res.statusCode, 200, `${status} ${method}`);
      await res.body.close();
      const second = srv.seen[before + 1]!;
      got.push(`${status} ${method} → ${second.method} ${second.url} body=${JSON.stringify(second.body.toString())} type=${second.headers['content-type'] ?? '-'}`);
      const keep = status === 307 || status === 308;
      const m = keep || !hasBody ? method : 'GET';
      const body = keep && hasBody ? `payload-${method}` : '';
      const type = keep && hasBody ? 'text/plain' : '-';
      want.push(`${status} ${method} → ${m} /to body=${JSON.stringify(body)} type=${type}`);
      assert.equal(res.request.method, m, `res.request is the last hop (${status} ${method})`);
    }
  }
  assert.deepEqual(got, want);
});

test('307 and 308 with a stream body return the 3xx (it cannot be sent twice); a 301 needs no replay and is followed', async (t) => {
  const srv = await routed((path) => {
    if (path === '/307' || path === '/308') return { status: Number(path.slice(1)), location: '/to', body: `no ${path}` };
    if (path === '/301') return { status: 301, location: '/to' };
    return null;
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const stream = (): ReadableStream<Uint8Array> =>
    new ReadableStream({
      start(c) {
        c.enqueue(Buffer.from('streamed'));
        c.close();
      },
    });
  for (const status of [307, 308]) {
    const before = srv.seen.length;
    const res = await client.do(new Request('PUT', `${srv.url}/${status}`, { body: stream() }));
    assert.equal(res.statusCode, status);
    assert.equal(await res.body.text(), `no /${status}`);
    assert.equal(srv.seen.length, before + 1, `${status}: the hop was not sent`);
    assert.equal(srv.seen[before]!.body.toString(), 'streamed');
  }
  const before = srv.seen.length;
  const res = await client.do(new Request('PUT', `${srv.url}/301`, { body: stream() }));
  assert.equal(await res.body.text(), 'final GET');
  assert.deepEqual(
    srv.seen.slice(before).map((s) => `${s.method} ${s.url} ${s.body.length}`),
    ['PUT /301 8', 'GET /to 0'],
  );
});

test('a stream body dropped by a 303 does not stop a later 307: the GET goes on without a body (Go would return the 307)', async (t) => {
  const srv = await routed((path) => {
    if (path === '/a') return { status: 303, location: '/b' };
    if (path === '/b') return { status: 307, location: '/c' };
    return null;
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  async function* once(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('once');
  }
  const res = await client.post(`${srv.url}/a`, 'text/plain', once());
  assert.equal(await res.body.text(), 'final GET');
  assert.deepEqual(
    srv.seen.map((s) => `${s.method} ${s.url} ${s.body.toString()}`),
    ['POST /a once', 'GET /b ', 'GET /c '],
  );
});

test('a 3xx without Location (or an empty one) is returned for every redirect status', async (t) => {
  const srv = await routed((path) => {
    const [, status, empty] = path.split('/');
    return { status: Number(status), body: `bare ${status}`, ...(empty === 'empty' ? { location: '' } : {}) };
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  for (const status of [301, 302, 303, 307, 308]) {
    for (const path of [`/${status}`, `/${status}/empty`]) {
      const res = await client.post(`${srv.url}${path}`, 'text/plain', 'x');
      assert.equal(res.statusCode, status, path);
      assert.equal(await res.body.text(), `bare ${status}`);
    }
  }
  assert.equal(srv.seen.length, 10, 'no hop was attempted');
});

test('an unparsable Location fails with ERR_INVALID_URL naming the request, and the 3xx body is closed', async (t) => {
  // A body larger than the channel's buffer holds its connection until it is closed (or leaks).
  const srv = await routed((path) => (path === '/bad' ? { status: 302, location: 'http://[nope', body: 'x'.repeat(1 << 20) } : null));
  t.after(() => srv.close());
  const { transport, client } = setup(t);
  await assert.rejects(
    client.get(`${srv.url}/bad`),
    code('ERR_INVALID_URL', (e) => {
      assert.ok(e instanceof RedirectError);
      assert.match(e.message, /Location header "http:\/\/\[nope"/);
      assert.equal(e.method, 'GET');
      assert.equal(e.url, `${srv.url}/bad`);
    }),
  );
  await until(() => transport.stats().totals.active === 0, 2_000, 'the 3xx body to be closed');
  assert.deepEqual(transport.stats().totals.closed, { 'body-not-drained': 1 }, 'closed by nextHop, not leaked');
});

// =============================================================================================
// Body replay over chains (Go: GetBody per hop)

test('307 → 308 → 200 with a function body: called once per hop, the same bytes on every hop', async (t) => {
  const srv = await routed((path) => {
    if (path === '/1') return { status: 307, location: '/2' };
    if (path === '/2') return { status: 308, location: '/3' };
    return null;
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  let calls = 0;
  const res = await client.do(
    new Request('PATCH', `${srv.url}/1`, {
      headers: { 'Content-Type': 'application/json' },
      body: () => {
        calls++;
        return '{"n":1}';
      },
    }),
  );
  assert.equal(await res.body.text(), 'final PATCH');
  assert.equal(calls, 3, 'one call per hop');
  assert.deepEqual(
    srv.seen.map((s) => [s.method, s.url, s.body.toString(), s.headers['content-length'], s.headers['content-type']]),
    [
      ['PATCH', '/1', '{"n":1}', '7', 'application/json'],
      ['PATCH', '/2', '{"n":1}', '7', 'application/json'],
      ['PATCH', '/3', '{"n":1}', '7', 'application/json'],
    ],
  );
  assert.equal(res.request.url.pathname, '/3');
});

test('a bytes body is replayed across 307 → 308 → 307', async (t) => {
  const srv = await routed((path) => {
    if (path === '/1') return { status: 307, location: '/2' };
    if (path === '/2') return { status: 308, location: '/3' };
    if (path === '/3') return { status: 307, location: '/4' };
    return null;
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const bytes = new Uint8Array([0, 1, 2, 250, 255]);
  const res = await client.post(`${srv.url}/1`, 'application/octet-stream', bytes);
  assert.equal(await res.body.text(), 'final POST');
  assert.equal(srv.seen.length, 4);
  for (const s of srv.seen) assert.deepEqual([...s.body], [...bytes], s.url);
});

test('once a 303 drops the body, a later 307 neither brings it back nor its Content-* headers (Go: includeBody)', async (t) => {
  const srv = await routed((path) => {
    if (path === '/1') return { status: 307, location: '/2' };
    if (path === '/2') return { status: 303, location: '/3' };
    if (path === '/3') return { status: 307, location: '/4' };
    return null;
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  let calls = 0;
  const res = await client.do(
    new Request('POST', `${srv.url}/1`, {
      headers: { 'Content-Type': 'text/plain', 'Content-Language': 'en', 'Content-Location': '/doc', 'X-Kept': 'yes' },
      body: () => {
        calls++;
        return 'form';
      },
    }),
  );
  assert.equal(await res.body.text(), 'final GET');
  assert.equal(calls, 2, 'the body went out on the first two hops only');
  const row = (s: Seen) => [s.method, s.url, s.body.toString(), s.headers['content-type'] ?? '-', s.headers['content-language'] ?? '-', s.headers['content-location'] ?? '-', s.headers['x-kept']];
  assert.deepEqual(srv.seen.map(row), [
    ['POST', '/1', 'form', 'text/plain', 'en', '/doc', 'yes'],
    ['POST', '/2', 'form', 'text/plain', 'en', '/doc', 'yes'],
    ['GET', '/3', '', '-', '-', '-', 'yes'],
    ['GET', '/4', '', '-', '-', '-', 'yes'],
  ]);
  for (const s of srv.seen.slice(2)) {
    assert.equal(s.headers['content-length'], undefined);
    assert.equal(s.headers['transfer-encoding'], undefined);
  }
});

// =============================================================================================
// Which headers follow (Go: makeHeadersCopier, shouldCopyHeaderOnRedirect)

test('every hop copies the first request\'s headers, not what the previous hop carried', async (t) => {
  const srv = await routed((path) => {
    if (path === '/1') return { status: 302, location: '/2' };
    if (path === '/2') return { status: 302, location: '/3' };
    return null;
  });
  t.after(() => srv.close());
  const { client } = setup(t, {}, {
    headers: { 'X-Default': 'client' },
    checkRedirect: (req) => {
      // Go lets checkRedirect edit the hop about to go out; that edit is that hop's alone.
      if (req.url.pathname === '/2') req.headers.set('X-Only-Hop-2', 'edited');
    },
  });
  const res = await client.get(`${srv.url}/1`, { headers: { 'X-First': 'a', Accept: 'text/plain' } });
  assert.equal(await res.body.text(), 'final GET');
  const row = (s: Seen) => [s.url, s.headers['x-first'], s.headers['accept'], s.headers['x-default'], s.headers['x-only-hop-2'] ?? '-'];
  assert.deepEqual(srv.seen.map(row), [
    ['/1', 'a', 'text/plain', 'client', '-'],
    ['/2', 'a', 'text/plain', 'client', 'edited'],
    ['/3', 'a', 'text/plain', 'client', '-'],
  ]);
});

test('credentials: kept on another port of the same host, dropped on another host, and never restored on a hop back', async (t) => {
  // 127.0.0.1:A → 127.0.0.1:B (same host name: kept, Go ignores ports) → localhost:B (another
  // host: dropped) → 127.0.0.1:A (the first host again: still dropped, Go since CVE-2024-45336).
  const a = await routed((path) => (path === '/start' ? { status: 302, location: `http://127.0.0.1:${b.port}/other-port` } : null));
  const b = await routed((path) => {
    if (path === '/other-port') return { status: 307, location: `http://localhost:${b.port}/other-host` };
    if (path === '/other-host') return { status: 308, location: `http://127.0.0.1:${a.port}/back` };
    return null;
  });
  t.after(() => a.close());
  t.after(() => b.close());
  const { client } = setup(t);
  const res = await client.get(`${a.url}/start`, { headers: { ...CREDENTIAL_HEADERS, 'X-Custom': 'kept' } });
  assert.equal(await res.body.text(), 'final GET');
  const hops = [a.seen[0]!, b.seen[0]!, b.seen[1]!, a.seen[1]!];
  assert.deepEqual(
    hops.map((s) => [s.url, s.headers['host']?.split(':')[0], credentialsOf(s), s.headers['x-custom']]),
    [
      ['/start', '127.0.0.1', CREDENTIALS, 'kept'],
      ['/other-port', '127.0.0.1', CREDENTIALS, 'kept'],
      ['/other-host', 'localhost', [], 'kept'],
      ['/back', '127.0.0.1', [], 'kept'],
    ],
  );
  assert.equal(hops[1]!.headers['authorization'], 'Bearer secret');
  assert.equal(hops[1]!.headers['cookie'], 'sid=42');
  assert.equal(res.request.url.href, `${a.url}/back`);
  assert.equal(res.request.headers.has('authorization'), false);
});

test('shouldCopyHeaderOnRedirect: same host name or a subdomain of the first host; ports and schemes ignored', () => {
  const table: [string, string, boolean][] = [
    ['http://example.com/a', 'http://example.com/b', true],
    ['http://example.com/', 'http://sub.example.com/', true],
    ['http://example.com/', 'http://a.b.example.com/', true],
    ['http://EXAMPLE.com/', 'http://example.COM/', true], // URLs lower-case host names
    ['http://example.com/', 'http://example.com:8080/', true], // ports are not compared
    ['http://example.com:8080/', 'http://example.com:9090/', true],
    ['http://example.com/', 'https://example.com/', true], // nor schemes
    ['https://example.com/', 'http://sub.example.com/', true],
    ['http://127.0.0.1:1/', 'http://127.0.0.1:2/', true],
    ['http://[::1]:1/', 'http://[::1]:2/', true],
    ['http://bücher.example/', 'http://xn--bcher-kva.example/', true], // IDNA: the same name
    ['http://sub.example.com/', 'http://example.com/', false], // a parent is not a subdomain
    ['http://sub.example.com/', 'http://other.example.com/', false], // nor a sibling
    ['http://example.com/', 'http://notexample.com/', false], // a suffix without the dot
    ['http://example.com/', 'http://example.com.evil.test/', false],
    ['http://example.com/', 'http://example.org/', false],
    ['http://127.0.0.1/', 'http://localhost/', false], // loopback names are different hosts
    ['http://localhost/', 'http://127.0.0.1/', false],
    ['http://localhost/', 'http://[::1]/', false],
    ['http://127.0.0.1/', 'http://127.0.0.2/', false],
  ];
  const wrong = table.filter(([from, to, want]) => shouldCopyHeaderOnRedirect(new URL(from), new URL(to)) !== want);
  assert.deepEqual(wrong, []);
});

test('credentials through a chain of subdomains: kept while every hop stays inside the first host\'s domain', () => {
  // Subdomains cannot be resolved here, so the chain is walked with nextHop directly.
  const first = new Request('GET', 'http://example.com/0', { headers: CREDENTIAL_HEADERS });
  const walk = (locations: string[]): string[][] => {
    const out: string[][] = [];
    let hop = first;
    for (const location of locations) {
      const next = nextHop(first, hop, fakeResponse(302, [['Location', location]], hop));
      assert.ok(next !== null);
      out.push(CREDENTIALS.filter((h) => next.headers.has(h)));
      hop = next;
    }
    return out;
  };
  assert.deepEqual(walk(['http://api.example.com/1', 'http://example.com:81/2', 'https://a.b.example.com/3']), [CREDENTIALS, CREDENTIALS, CREDENTIALS]);
  assert.deepEqual(walk(['http://api.example.com/1', 'http://evil.test/2', 'http://example.com/3', 'http://api.example.com/4']), [CREDENTIALS, [], [], []]);
});

// =============================================================================================
// Referer (Go: refererForURL; RFC 9110 §10.1.3)

test('refererForURL: the previous URL without userinfo or fragment; none from https to http', () => {
  const table: [string, string, string | null][] = [
    ['http://a.test/x?q=1', 'http://b.test/', 'http://a.test/x?q=1'],
    ['http://user:pw@a.test/x', 'http://a.test/y', 'http://a.test/x'],
    ['http://user@a.test/x', 'http://a.test/y', 'http://a.test/x'],
    ['http://a.test/x#section', 'http://a.test/y', 'http://a.test/x'],
    ['https://a.test/x', 'https://b.test/', 'https://a.test/x'],
    ['http://a.test/x', 'https://a.test/x', 'http://a.test/x'],
    ['https://a.test/x', 'http://a.test/x', null],
    ['https://u:p@a.test/x#f', 'http://b.test/', null],
  ];
  for (const [last, next, want] of table) assert.equal(refererForURL(new URL(last), new URL(next)), want, `${last} → ${next}`);
});

test('Referer on the wire: each hop names the previous one, without userinfo or fragment', async (t) => {
  const srv = await routed((path) => {
    if (path === '/1') return { status: 301, location: '/2?x=1#frag' };
    if (path === '/2') return { status: 302, location: '/3' };
    return null;
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const res = await client.get(`http://user:pw@127.0.0.1:${srv.port}/1#top`);
  await res.body.close();
  assert.deepEqual(
    srv.seen.map((s) => [s.url, s.headers['referer'] ?? '-']),
    [
      ['/1', '-'],
      ['/2?x=1', `${srv.url}/1`],
      ['/3', `${srv.url}/2?x=1`],
    ],
  );
  assert.equal(res.request.headers.get('referer'), `${srv.url}/2?x=1`);
});

test('a Referer the caller set is kept on every hop (Go: refererForURL\'s explicitRef), but never sent from https to http', async (t) => {
  const srv = await routed((path) => (path === '/1' ? { status: 302, location: '/2' } : null));
  t.after(() => srv.close());
  const { client } = setup(t);
  await (await client.get(`${srv.url}/1`, { headers: { Referer: 'http://origin.test/page' } })).body.close();
  assert.deepEqual(
    srv.seen.map((s) => s.headers['referer']),
    ['http://origin.test/page', 'http://origin.test/page'],
  );
  // https → http needs TLS to show on the wire; nextHop shows what would be sent.
  const first = new Request('GET', 'https://secure.test/a', { headers: { Referer: 'https://secure.test/' } });
  const down = nextHop(first, first, fakeResponse(302, [['Location', 'http://secure.test/b']], first));
  assert.ok(down !== null);
  assert.equal(down.headers.has('referer'), false);
  const up = nextHop(first, first, fakeResponse(302, [['Location', 'https://secure.test/b']], first));
  assert.equal(up?.headers.get('referer'), 'https://secure.test/');
});

// =============================================================================================
// checkRedirect (Go: defaultCheckRedirect, ErrUseLastResponse, Client.do)

function counting() {
  return routed((path) => {
    const m = /^\/n\/(\d+)\/(\d+)$/.exec(path);
    if (m === null) return null;
    const [i, total] = [Number(m[1]), Number(m[2])];
    return i < total ? { status: 302, location: `/n/${i + 1}/${total}`, body: `hop ${i}` } : null;
  });
}

test('default policy boundary: 9 redirects are followed, the 10th fails after 10 requests with method and URL', async (t) => {
  const srv = await counting();
  t.after(() => srv.close());
  const { transport, client } = setup(t);
  const ok = await client.get(`${srv.url}/n/0/9`);
  assert.equal(await ok.body.text(), 'final GET');
  assert.equal(ok.request.url.pathname, '/n/9/9');
  assert.equal(srv.seen.length, 10);

  await assert.rejects(
    client.get(`${srv.url}/n/0/10`),
    code('ERR_TOO_MANY_REDIRECTS', (e) => {
      assert.ok(e instanceof RedirectError);
      assert.equal(e.method, 'GET');
      assert.equal(e.url, `${srv.url}/n/10/10`);
    }),
  );
  assert.equal(srv.seen.length, 20, 'requests /n/0 … /n/9 went out; /n/10 did not');
  assert.equal(transport.stats().totals.active, 0, 'the refused 3xx body is closed');
});

test('checkRedirect: a thrown error propagates as thrown, the 3xx body closed and its connection kept', async (t) => {
  // 1 MiB: over the channel's buffer, so the connection is held until the body is closed.
  const srv = await routed((path) => (path === '/r' ? { status: 302, location: '/never', body: 'z'.repeat(1 << 20) } : null));
  t.after(() => srv.close());
  class Stop extends Error {}
  const seen: string[] = [];
  const transport = new Transport({ maxDrainBytes: 4 << 20 });
  t.after(() => transport.close());
  const client = new Client({
    transport,
    checkRedirect: (req, via) => {
      seen.push(`${req.method} ${req.url.pathname} via ${via.map((r) => r.url.pathname).join(',')}`);
      throw new Stop('stop here');
    },
  });
  await assert.rejects(client.post(`${srv.url}/r`, 'text/plain', 'body'), (e: unknown) => e instanceof Stop && e.message === 'stop here');
  assert.deepEqual(seen, ['GET /never via /r']);
  assert.equal(srv.seen.length, 1);
  await until(() => transport.stats().totals.active === 0, 2_000, 'the 3xx body to be drained');
  assert.equal(await (await client.get(`${srv.url}/after`)).body.text(), 'final GET');
  assert.equal(srv.connections, 1, 'closing drained it: the connection was reused');
  assert.deepEqual(transport.stats().totals.closed, {});
});

test('useLastResponse on a later hop returns that 3xx unread, with res.request the hop that got it', async (t) => {
  const srv = await counting();
  t.after(() => srv.close());
  const { client } = setup(t, {}, { checkRedirect: (_req, via) => (via.length === 3 ? useLastResponse : undefined) });
  const res = await client.get(`${srv.url}/n/0/9`);
  assert.equal(res.statusCode, 302);
  assert.equal(res.request.url.pathname, '/n/2/9');
  assert.equal(res.request.headers.get('referer'), `${srv.url}/n/1/9`);
  assert.equal(await res.body.text(), 'hop 2');
  assert.equal(srv.seen.length, 3);
});

// =============================================================================================
// The cookie jar on every hop (Go: Client.send consults c.Jar for each request and response)

test('a jar is read before every hop and written after every response, redirects included', async (t) => {
  const srv = await routed((path) => {
    if (path === '/1') return { status: 302, location: '/2', headers: { 'Set-Cookie': ['a=1', 'b=2'] } };
    if (path === '/2') return { status: 307, location: '/3', headers: { 'Set-Cookie': 'c=3' } };
    return { status: 200, headers: { 'Set-Cookie': 'd=4' }, body: 'done' };
  });
  t.after(() => srv.close());
  const events: string[] = [];
  const jar: CookieJarLike = {
    getCookieString(url) {
      events.push(`get ${new URL(url).pathname}`);
      return `seen=${events.length}`;
    },
    setCookie(value, url) {
      events.push(`set ${value} from ${new URL(url).pathname}`);
    },
  };
  const { client } = setup(t, {}, { jar });
  const res = await client.get(`${srv.url}/1`);
  assert.equal(await res.body.text(), 'done');
  assert.deepEqual(events, [
    'get /1',
    'set a=1 from /1',
    'set b=2 from /1',
    'get /2',
    'set c=3 from /2',
    'get /3',
    'set d=4 from /3',
  ]);
  assert.deepEqual(
    srv.seen.map((s) => s.headers['cookie']),
    ['seen=1', 'seen=4', 'seen=6'],
    'each hop sends what the jar returned for it',
  );
});

test('with a CookieJar, a cookie set by a 302 is sent on the next hop, and only to its own host', async (t) => {
  const srv = await routed((path) => {
    if (path === '/login') return { status: 302, location: '/home', headers: { 'Set-Cookie': 'sid=abc; Path=/; HttpOnly' } };
    if (path === '/home') return { status: 302, location: `http://localhost:${srv.port}/elsewhere` };
    return null;
  });
  t.after(() => srv.close());
  const jar = new CookieJar();
  const { client } = setup(t, {}, { jar });
  const res = await client.post(`${srv.url}/login`, 'application/x-www-form-urlencoded', 'u=me');
  assert.equal(await res.body.text(), 'final GET');
  assert.deepEqual(
    srv.seen.map((s) => [s.url, s.headers['cookie'] ?? '-']),
    [
      ['/login', '-'],
      ['/home', 'sid=abc'],
      ['/elsewhere', '-'], // host-only cookie of 127.0.0.1: not for localhost
    ],
  );
  assert.equal(await jar.getCookieString(`${srv.url}/`), 'sid=abc');
});

test('with a jar, a cookie the caller set and a redirect re-sets is no longer copied (Go: makeHeadersCopier, issue 17494)', () => {
  const first = new Request('GET', 'http://a.test/0', { headers: { Cookie: 'z=9; sid=old; a=1' } });
  const reset = fakeResponse(302, [['Location', '/1'], ['Set-Cookie', 'sid=new; Path=/']], first);
  const withJar = nextHop(first, first, reset, { jar: true });
  assert.equal(withJar?.headers.get('cookie'), 'a=1; z=9', 'the jar sends sid now; the rest sorted, as Go does');
  // It stays forgotten on later hops, even when they set nothing.
  const later = nextHop(first, withJar!, fakeResponse(302, [['Location', '/2']], withJar!), { jar: true });
  assert.equal(later?.headers.get('cookie'), 'a=1; z=9');
  // Without a jar nothing replaces it, so the caller's header goes on unchanged.
  const noJar = nextHop(first, first, reset);
  assert.equal(noJar?.headers.get('cookie'), 'z=9; sid=old; a=1');
});

test(
  'with a CookieJar, the caller\'s cookie re-set by a redirect goes on with the new value only',
  async (t) => {
    const srv = await routed((path) => (path === '/1' ? { status: 302, location: '/2', headers: { 'Set-Cookie': 'sid=new' } } : null));
    t.after(() => srv.close());
    const { client } = setup(t, {}, { jar: new CookieJar() });
    await (await client.get(`${srv.url}/1`, { headers: { Cookie: 'sid=old; a=1' } })).body.close();
    assert.deepEqual(
      srv.seen.map((s) => s.headers['cookie']),
      ['sid=old; a=1', 'a=1; sid=new'],
    );
  },
);

// =============================================================================================
// Connection reuse across a chain (Go drains each redirect body before the next hop)

for (const [label, bodyBytes] of [
  ['1 KiB bodies', 1024],
  ['1 MiB bodies (maxDrainBytes 4 MiB)', 1 << 20],
] as const) {
  test(`a chain of 5 redirects with ${label} runs on one connection; res.request is the last hop`, async (t) => {
    // A body over the channel's buffer (256 KiB) holds its connection until closed: only the
    // Client's close between hops (Go: Client.do drains then closes) lets the next hop reuse it.
    const srv = await routed((path) => {
      const i = Number(path.slice(1));
      return i < 5 ? { status: i % 2 === 0 ? 302 : 307, location: `/${i + 1}`, body: String(i).repeat(bodyBytes) } : null;
    });
    t.after(() => srv.close());
    const transport = new Transport({ maxDrainBytes: 4 << 20 });
    t.after(() => transport.close());
    const client = new Client({ transport });
    const res = await client.get(`${srv.url}/0`);
    assert.equal(await res.body.text(), 'final GET');
    assert.equal(srv.seen.length, 6);
    assert.deepEqual(
      srv.seen.map((s) => s.conn),
      [0, 0, 0, 0, 0, 0],
    );
    assert.equal(srv.connections, 1);
    const totals = transport.stats().totals;
    assert.equal(totals.opened, 1);
    assert.equal(totals.reused, 5);
    assert.deepEqual(totals.closed, {});
    assert.equal(res.request.method, 'GET');
    assert.equal(res.request.url.href, `${srv.url}/5`);
    assert.equal(res.request.headers.get('referer'), `${srv.url}/4`);
  });
}
