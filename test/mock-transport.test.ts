// MockTransport (httpool/testing): expectations matched by each field, used once / times(n) /
// persist(), each reply form, delay cut short by an abort or the Client's timeout, fail(code),
// calls recorded with their bodies, ERR_NO_MOCK naming the request and the closest expectations,
// assertAllUsed, fetch over it, and passthrough to a real loopback server. Every case but the
// passthrough one checks that no socket was opened.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import {
  Client,
  ConnectError,
  HttpoolError,
  Request,
  Response,
  TimeoutError,
  TlsError,
  Transport,
  createFetch,
} from '../src/index.js';
import { MockTransport } from '../src/testing/index.js';
import { httpServer } from './support/servers.js';

function code(err: unknown): string {
  return err instanceof HttpoolError ? err.code : `not an HttpoolError: ${String(err)}`;
}

/** TCP handles (sockets, servers) this process has open. */
function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((k) => k.startsWith('TCP')).length;
}

/** A mock and a Client over it; after the case, no socket may have been opened. */
function mocked(t: TestContext, timeout = 5_000): { mock: MockTransport; client: Client } {
  const before = tcpHandles();
  t.after(() => assert.equal(tcpHandles(), before, 'MockTransport opened no socket'));
  const mock = new MockTransport();
  return { mock, client: new Client({ transport: mock, timeout }) };
}

async function text(p: Promise<Response>): Promise<string> {
  return (await p).body.text();
}

/** Waits on the event loop (no clock) until `cond` holds; fails after 2 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

const noMock = (e: unknown): boolean => code(e) === 'ERR_NO_MOCK';

test('match by method and origin (default port and path of the origin ignored)', async (t) => {
  const { mock, client } = mocked(t);
  mock.on({ method: 'GET', origin: 'https://api.test:443/ignored' }).persist().reply(200, 'get');
  mock.on({ method: 'DELETE', origin: new URL('http://api.test:8080') }).persist().reply(204);
  assert.equal(await text(client.get('https://api.test/any')), 'get');
  assert.equal((await client.do(new Request('DELETE', 'http://api.test:8080/x'))).statusCode, 204);
  await assert.rejects(client.head('https://api.test/any'), noMock, 'method differs');
  await assert.rejects(client.get('http://api.test/any'), noMock, 'scheme differs');
  await assert.rejects(client.do(new Request('DELETE', 'http://api.test:8081/x')), noMock, 'port differs');
  await assert.rejects(client.do(new Request('delete', 'http://api.test:8080/x')), noMock, 'methods are case-sensitive');
});

test('match by path: exact string, string with query, RegExp on the path or the path and query', async (t) => {
  const { mock, client } = mocked(t);
  mock.on({ path: '/users/1' }).persist().reply(200, 'exact');
  mock.on({ path: '/search?q=a%20b' }).persist().reply(200, 'with-query');
  mock.on({ path: /^\/items\/\d+$/ }).persist().reply(200, 'regexp');
  mock.on({ path: /[?&]page=2\b/g }).persist().reply(200, 'regexp-query');
  assert.equal(await text(client.get('http://h.test/users/1')), 'exact');
  assert.equal(await text(client.get('http://h.test/users/1?x=1')), 'exact', 'a plain path ignores the query');
  assert.equal(await text(client.get('http://h.test/search?q=a%20b')), 'with-query');
  assert.equal(await text(client.get('http://h.test/items/42?sort=asc')), 'regexp');
  // /g: lastIndex is reset per test, so the same RegExp matches again.
  assert.equal(await text(client.get('http://h.test/list?page=2')), 'regexp-query');
  assert.equal(await text(client.get('http://h.test/list?page=2')), 'regexp-query');
  await assert.rejects(client.get('http://h.test/users/10'), noMock);
  await assert.rejects(client.get('http://h.test/search?q=other'), noMock);
  await assert.rejects(client.get('http://h.test/items/x'), noMock);
});

test('match by query: listed parameters must have exactly those values; others may be present', async (t) => {
  const { mock, client } = mocked(t);
  mock.on({ query: { a: '1', tag: ['x', 'y'] } }).persist().reply(200, 'record');
  mock.on({ query: new URLSearchParams('b=2&b=3') }).persist().reply(200, 'params');
  assert.equal(await text(client.get('http://q.test/?tag=x&a=1&tag=y&extra=z')), 'record');
  assert.equal(await text(client.get('http://q.test/?b=2&b=3')), 'params');
  await assert.rejects(client.get('http://q.test/?a=1&tag=y&tag=x'), noMock, 'order of values counts');
  await assert.rejects(client.get('http://q.test/?a=1&a=1&tag=x&tag=y'), noMock, 'a repeated value is another value');
  await assert.rejects(client.get('http://q.test/?b=2'), noMock);
});

test('match by headers: string (any value, or all joined), RegExp, names case-insensitive; Client defaults count', async (t) => {
  const before = tcpHandles();
  const mock = new MockTransport();
  const client = new Client({ transport: mock, headers: { 'X-Tenant': 'acme' } });
  mock.on({ headers: { authorization: 'Bearer t0k', 'x-tenant': 'acme' } }).persist().reply(200, 'auth');
  mock.on({ headers: { Accept: /json/ } }).persist().reply(200, 'json');
  mock.on({ headers: { 'x-list': 'a, b' } }).persist().reply(200, 'joined');
  assert.equal(await text(client.get('http://h.test/', { headers: { Authorization: 'Bearer t0k' } })), 'auth');
  assert.equal(await text(client.get('http://h.test/', { headers: { accept: 'application/json' } })), 'json');
  assert.equal(await text(client.get('http://h.test/', { headers: [['X-List', 'a'], ['X-List', 'b']] })), 'joined');
  await assert.rejects(client.get('http://h.test/', { headers: { Authorization: 'Bearer other' } }), noMock);
  await assert.rejects(client.get('http://h.test/'), noMock, 'a listed header that is absent');
  assert.equal(tcpHandles(), before);
});

test('match by body: string, RegExp, function; a stream body is read once and matched', async (t) => {
  const { mock, client } = mocked(t);
  mock.on({ body: 'exact' }).reply(201, 'string');
  mock.on({ body: /"id":\s*7/ }).reply(201, 'regexp');
  mock.on({ body: (s) => (JSON.parse(s) as { n: number }).n > 10 }).persist().reply(201, 'function');
  mock.on({ method: 'POST', body: '' }).reply(201, 'empty');
  assert.equal(await text(client.post('http://b.test/', 'text/plain', 'exact')), 'string');
  assert.equal(await text(client.post('http://b.test/', 'application/json', '{"id": 7}')), 'regexp');
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(Buffer.from('{"n":'));
      c.enqueue(Buffer.from('11}'));
      c.close();
    },
  });
  assert.equal(await text(client.post('http://b.test/', 'application/json', stream)), 'function');
  // A function that throws (not JSON) is a mismatch, named in the error.
  await assert.rejects(client.post('http://b.test/', 'text/plain', 'not json'), (e: unknown) => {
    assert.equal(code(e), 'ERR_NO_MOCK');
    assert.match((e as Error).message, /the body function threw/);
    return true;
  });
  assert.equal(await text(client.post('http://b.test/', 'text/plain', '')), 'empty', 'no or empty body reads as ""');
});

test('used once by default; times(n); persist(); first added wins and a used-up one is skipped', async (t) => {
  const { mock, client } = mocked(t);
  const once = mock.on({ path: '/once' }).reply(200, 'once');
  const twice = mock.on({ path: '/twice' }).times(2).reply(200, 'twice');
  const first = mock.on({ path: '/seq' }).reply(200, 'first');
  const second = mock.on({ path: '/seq' }).reply(200, 'second');
  const forever = mock.on({ path: '/forever' }).persist().reply(200, 'forever');
  assert.equal(await text(client.get('http://t.test/once')), 'once');
  await assert.rejects(client.get('http://t.test/once'), noMock);
  assert.equal(await text(client.get('http://t.test/twice')), 'twice');
  assert.equal(await text(client.get('http://t.test/twice')), 'twice');
  await assert.rejects(client.get('http://t.test/twice'), noMock);
  assert.equal(await text(client.get('http://t.test/seq')), 'first');
  assert.equal(await text(client.get('http://t.test/seq')), 'second');
  for (let i = 0; i < 25; i++) assert.equal(await text(client.get('http://t.test/forever')), 'forever');
  assert.deepEqual([once.uses, twice.uses, first.uses, second.uses, forever.uses], [1, 2, 1, 1, 25]);
  assert.equal(forever.limit, Infinity);
  assert.throws(() => mock.on({}).times(0), (e: unknown) => code(e) === 'ERR_INVALID_OPTION');
});

test('reply forms: status only, body and headers, JSON for objects, bytes, a stream, fn → Response, fn → parts, async fn', async (t) => {
  const { mock, client } = mocked(t);
  mock.on({ path: '/status' }).reply(204);
  mock.on({ path: '/text' }).reply(200, 'hello', { 'content-type': 'text/plain', 'x-n': '1' });
  mock.on({ path: '/json' }).reply(201, { id: 1, tags: ['a'] });
  mock.on({ path: '/json-typed' }).reply(200, [1, 2], { 'Content-Type': 'application/vnd.x+json' });
  mock.on({ path: '/bytes' }).reply(200, new Uint8Array([1, 2, 3]));
  mock.on({ path: '/stream' }).reply(200, (async function* () { yield Buffer.from('str'); yield Buffer.from('eam'); })());
  mock.on({ path: '/fn-response' }).reply((req) => Response.from({ statusCode: 202, body: `for ${req.url.pathname}` }));
  mock.on({ path: '/fn-parts', method: 'PUT' }).reply((req, call) => ({ statusCode: 200, headers: { 'x-method': req.method }, body: `echo ${call.text ?? ''}` }));
  mock.on({ path: '/fn-async' }).reply(async () => {
    await Promise.resolve();
    return { statusCode: 418, status: "I'm a teapot" };
  });

  const s = await client.get('http://r.test/status');
  assert.equal(s.statusCode, 204);
  assert.equal(await s.body.text(), '');
  const tx = await client.get('http://r.test/text');
  assert.equal(tx.headers.get('x-n'), '1');
  assert.equal(tx.contentLength, 5);
  assert.equal(await tx.body.text(), 'hello');
  const j = await client.get('http://r.test/json');
  assert.equal(j.statusCode, 201);
  assert.equal(j.headers.get('content-type'), 'application/json');
  assert.deepEqual(await j.body.json(), { id: 1, tags: ['a'] });
  const jt = await client.get('http://r.test/json-typed');
  assert.deepEqual(jt.headers.values('content-type'), ['application/vnd.x+json'], 'a given Content-Type wins');
  assert.deepEqual(await jt.body.json(), [1, 2]);
  assert.deepEqual([...(await (await client.get('http://r.test/bytes')).body.bytes())], [1, 2, 3]);
  assert.equal(await text(client.get('http://r.test/stream')), 'stream');
  const fr = await client.get('http://r.test/fn-response');
  assert.equal(fr.statusCode, 202);
  assert.equal(fr.request.url.pathname, '/fn-response', 'res.request is filled in');
  assert.equal(await fr.body.text(), 'for /fn-response');
  const fp = await client.do(new Request('PUT', 'http://r.test/fn-parts', { body: 'data' }));
  assert.equal(fp.headers.get('x-method'), 'PUT');
  assert.equal(await fp.body.text(), 'echo data');
  const fa = await client.get('http://r.test/fn-async');
  assert.equal(fa.status, "418 I'm a teapot");
  // Every response knows its request.
  for (const c of mock.calls) assert.ok(c.expectation !== null);
  // Without reply() or fail(): 200, empty.
  mock.on({ path: '/bare' });
  const bare = await client.get('http://r.test/bare');
  assert.equal(bare.statusCode, 200);
  assert.equal(await bare.body.text(), '');
});

test('delay(ms) waits before replying; an abort or the Client timeout cuts it short, leaving no timer', async (t) => {
  const { mock, client } = mocked(t, 0);
  mock.on({ path: '/slow' }).delay(30).reply(200, 'late');
  const started = Date.now();
  assert.equal(await text(client.get('http://d.test/slow')), 'late');
  assert.ok(Date.now() - started >= 25, 'the reply waited for its delay');

  const timers = (): number => process.getActiveResourcesInfo().filter((k) => k === 'Timeout').length;
  const idle = timers();
  mock.on({ path: '/stuck' }).persist().delay(3_600_000).reply(200, 'never');
  // The caller's signal, through the Client.
  const ac = new AbortController();
  const aborted = client.get('http://d.test/stuck', { signal: ac.signal });
  await until(() => mock.calls.length === 2, 'the request reached the mock');
  assert.equal(timers(), idle + 1, 'the delay is a timer');
  ac.abort();
  await assert.rejects(aborted, (e: unknown) => code(e) === 'ERR_ABORTED');
  assert.equal(timers(), idle, 'the aborted delay cleared its timer');

  // The Client's timeout (its deadline timer is unref'd and not counted).
  const timed = new Client({ transport: mock, timeout: 50 });
  await assert.rejects(timed.get('http://d.test/stuck'), (e: unknown) => e instanceof TimeoutError && code(e) === 'ERR_TIMEOUT');
  assert.equal(timers(), idle);

  // Straight on mock.roundTrip, with the request's own signal.
  const ac2 = new AbortController();
  const direct = mock.roundTrip(new Request('GET', 'http://d.test/stuck', { signal: ac2.signal }));
  await until(() => mock.calls.length === 4, 'the direct request reached the mock');
  ac2.abort();
  await assert.rejects(direct, (e: unknown) => code(e) === 'ERR_ABORTED' && /GET http:\/\/d\.test\/stuck/.test((e as Error).message));
  assert.equal(timers(), idle);

  // A reply function that never settles is timed out too (the process is kept alive meanwhile).
  mock.on({ path: '/hang' }).reply(() => new Promise<Response>(() => {}));
  await assert.rejects(timed.get('http://d.test/hang'), (e: unknown) => code(e) === 'ERR_TIMEOUT');
  assert.equal(timers(), idle);

  // Already aborted: nothing is recorded or used.
  const used = mock.calls.length;
  await assert.rejects(client.get('http://d.test/slow', { signal: AbortSignal.abort() }), (e: unknown) => code(e) === 'ERR_ABORTED');
  assert.equal(mock.calls.length, used);
});

test('fail(code) rejects with the HttpoolError class httpool uses for that code, naming the request; fail(err) as given', async (t) => {
  const { mock, client } = mocked(t);
  mock.on({ origin: 'http://down.test' }).fail('ERR_CONNECT');
  mock.on({ origin: 'https://badcert.test' }).fail('ERR_TLS', 'certificate has expired');
  mock.on({ path: '/odd' }).fail('ERR_NO_MOCK');
  const own = new RangeError('mine');
  mock.on({ path: '/own' }).delay(1).fail(own);
  await assert.rejects(client.get('http://down.test/x'), (e: unknown) => {
    assert.ok(e instanceof ConnectError);
    assert.equal(code(e), 'ERR_CONNECT');
    assert.match((e as Error).message, /^GET http:\/\/down\.test\/x: /);
    return true;
  });
  await assert.rejects(client.get('https://badcert.test/'), (e: unknown) => e instanceof TlsError && /certificate has expired/.test((e as Error).message));
  await assert.rejects(client.get('http://x.test/odd'), (e: unknown) => code(e) === 'ERR_NO_MOCK');
  await assert.rejects(client.get('http://x.test/own'), (e: unknown) => e === own);
  // Through fetch, as fetch reports network errors: TypeError('fetch failed'), the httpool error as cause.
  mock.on({ origin: 'http://down.test' }).fail('ERR_CONNECT');
  await assert.rejects(createFetch(client)('http://down.test/'), (e: unknown) => e instanceof TypeError && code((e as Error).cause) === 'ERR_CONNECT');
});

test('calls: every request seen, in order, with method, URL, headers and body bytes and text', async (t) => {
  const { mock, client } = mocked(t);
  const exp = mock.on().persist().reply(200);
  await (await client.get('http://c.test/a?x=1', { headers: { 'x-trace': 't1' } })).body.close();
  await (await client.post('http://c.test/json', 'application/json', JSON.stringify({ a: 1 }))).body.close();
  await (await client.postForm('http://c.test/form', { q: 'a b', n: '2' })).body.close();
  await (await client.do(new Request('PUT', 'http://c.test/bytes', { body: new Uint8Array([0xff, 0x00]) }))).body.close();
  await (await client.do(new Request('POST', 'http://c.test/text', { body: 'plain' }))).body.close();
  const iterable = (async function* () { yield Buffer.from('str'); yield Buffer.from('eamed'); })();
  await (await client.post('http://c.test/stream', 'text/plain', iterable)).body.close();
  await assert.rejects(new Client({ transport: mock }).get('not a url'), (e: unknown) => code(e) === 'ERR_INVALID_URL');

  const calls = mock.calls;
  assert.deepEqual(calls.map((c) => `${c.method} ${c.url}`), [
    'GET http://c.test/a?x=1',
    'POST http://c.test/json',
    'POST http://c.test/form',
    'PUT http://c.test/bytes',
    'POST http://c.test/text',
    'POST http://c.test/stream',
  ]);
  assert.equal(calls[0]!.headers.get('x-trace'), 't1');
  assert.equal(calls[0]!.bytes, null);
  assert.equal(calls[0]!.text, null);
  assert.deepEqual(JSON.parse(calls[1]!.text!), { a: 1 });
  assert.equal(calls[1]!.headers.get('content-type'), 'application/json');
  assert.equal(calls[2]!.text, 'q=a+b&n=2');
  assert.equal(calls[2]!.headers.get('content-type'), 'application/x-www-form-urlencoded');
  assert.deepEqual([...calls[3]!.bytes!], [0xff, 0x00]);
  assert.equal(calls[4]!.headers.get('content-type'), 'text/plain; charset=utf-8', 'the Content-Type a string body implies');
  assert.equal(calls[5]!.text, 'streamed', 'a stream body is read (and consumed) by the mock');
  assert.ok(calls.every((c) => c.expectation === exp && !c.passthrough));
  assert.equal(calls[1]!.request.method, 'POST');
});

test('ERR_NO_MOCK names the request and the closest expectations, why each missed, and used-up ones', async (t) => {
  const { mock, client } = mocked(t);
  await assert.rejects(client.get('http://api.test/none'), (e: unknown) => {
    assert.equal(code(e), 'ERR_NO_MOCK');
    assert.match((e as Error).message, /^GET http:\/\/api\.test\/none: .*none was added/);
    return true;
  });
  mock.on({ method: 'POST', origin: 'http://other.test', path: '/zzz' }).reply(200); // #1: three fields off
  mock.on({ method: 'GET', origin: 'http://api.test', path: '/users/1' }).reply(200, '{"id":1}'); // #2: path off
  mock.on({ method: 'GET', path: /^\/users\/\d+$/, headers: { authorization: /^Bearer / } }).reply(200); // #3: header off
  mock.on({ method: 'DELETE' }).reply(204); // #4: method off
  mock.on({ method: 'GET', path: '/users/abc', body: 'x' }).reply(200); // #5: two off
  await (await client.get('http://api.test/users/1')).body.close(); // uses #2
  await assert.rejects(client.get('http://api.test/users/2', { headers: { Authorization: 'Basic x' } }), (e: unknown) => {
    assert.equal(code(e), 'ERR_NO_MOCK');
    const msg = (e as Error).message;
    assert.match(msg, /^GET http:\/\/api\.test\/users\/2: no mock expectation matches; the closest \(of 5\):/);
    const lines = msg.split('\n');
    const named = lines.filter((l) => /^ {2}#\d/.test(l)).map((l) => l.trim().slice(0, 2));
    // #2 and #3 agree on two fields and miss one; #3 can still answer, so it comes first.
    assert.deepEqual(named, ['#3', '#2', '#5'], 'the three agreeing on most fields (then off on fewest, then unused), in order');
    assert.match(msg, /#2 on\(\{ method: "GET", origin: "http:\/\/api\.test", path: "\/users\/1" \}\)\.reply\(200\), used 1 of 1\n\s+path "\/users\/2" does not match "\/users\/1"; and it is used up/);
    assert.match(msg, /#3 .*\n\s+header authorization: "Basic x" does not match \/\^Bearer \//);
    assert.match(msg, /#5 .*\n\s+path "\/users\/2" does not match "\/users\/abc"; body \(none\) does not match "x"/);
    assert.doesNotMatch(msg, /#1 |#4 /);
    return true;
  });
  // An expectation that matches but is used up comes first, and says so.
  await assert.rejects(client.get('http://api.test/users/1'), (e: unknown) => /closest.*:\n {2}#2 .*\n\s+matches, but is used up/.test((e as Error).message));
  // The request body is quoted.
  await assert.rejects(client.post('http://api.test/users/abc', 'text/plain', 'y'), (e: unknown) => {
    const msg = (e as Error).message;
    assert.match(msg, /\n {2}#5 .*\n\s+method POST is not GET; body "y" does not match "x"\n/);
    assert.match(msg, /\n {2}request body: "y"$/);
    return true;
  });
});

test('assertAllUsed names each expectation not used as often as it must be; pending() lists them', async (t) => {
  const { mock, client } = mocked(t);
  const a = mock.on({ path: '/a' }).reply(200);
  mock.on({ path: '/b' }).times(2).reply(200);
  mock.on({ path: '/c' }).persist().reply(200);
  mock.on({ origin: 'http://down.test' }).fail('ERR_CONNECT');
  await (await client.get('http://x.test/a')).body.close();
  await (await client.get('http://x.test/b')).body.close();
  assert.throws(
    () => mock.assertAllUsed(),
    (e: unknown) => {
      assert.ok(e instanceof AssertionError);
      const msg = e.message;
      assert.match(msg, /^3 mock expectations were not used:/);
      assert.match(msg, /#2 on\(\{ path: "\/b" \}\)\.reply\(200\), used 1 of 2/);
      assert.match(msg, /#3 on\(\{ path: "\/c" \}\)\.reply\(200\), used 0 of unlimited/);
      assert.match(msg, /#4 on\(\{ origin: "http:\/\/down\.test" \}\)\.fail\("ERR_CONNECT"\), used 0 of 1/);
      assert.doesNotMatch(msg, /#1 /);
      return true;
    },
  );
  assert.deepEqual(mock.pending().map((e) => e.index), [2, 3, 4]);
  assert.equal(a.done, true);
  await (await client.get('http://x.test/b')).body.close();
  await (await client.get('http://x.test/c')).body.close();
  await assert.rejects(client.get('http://down.test/'), (e: unknown) => code(e) === 'ERR_CONNECT');
  mock.assertAllUsed();
  assert.deepEqual(mock.pending(), []);
});

test('fetch over a Client with a MockTransport: JSON, a redirect followed, request body seen', async (t) => {
  const { mock, client } = mocked(t);
  const f = createFetch(client);
  mock.on({ method: 'POST', path: '/login', body: /"user":"ann"/ }).reply(303, '', { location: '/me', 'set-cookie': 'sid=1' });
  mock.on({ method: 'GET', path: '/me' }).reply(200, { name: 'ann' });
  const res = await f('http://app.test/login', { method: 'POST', body: JSON.stringify({ user: 'ann' }), headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 200);
  assert.equal(res.url, 'http://app.test/me');
  assert.equal(res.redirected, true);
  assert.deepEqual(await res.json(), { name: 'ann' });
  assert.equal(mock.calls[0]!.text, '{"user":"ann"}');
  mock.assertAllUsed();
});

test('passthrough: unmatched requests to allowed origins reach a real server through a real Transport', async (t) => {
  const seen: string[] = [];
  const srv = await httpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? '-'} ${body}`);
      res.end(`real ${req.url}`);
    });
  });
  const transport = new Transport();
  t.after(async () => {
    await transport.close();
    await srv.close();
  });
  const mock = new MockTransport({ passthrough: transport });
  mock.passthrough(srv.url);
  mock.on({ origin: srv.url, path: '/mocked' }).persist().reply(200, 'mocked');
  const client = new Client({ transport: mock });

  assert.equal(await text(client.get(`${srv.url}/mocked`)), 'mocked');
  const real = await client.get(`${srv.url}/real?x=1`);
  assert.equal(await real.body.text(), 'real /real?x=1');
  assert.equal(real.request.url.href, `${srv.url}/real?x=1`, 'res.request is the request the Client sent');
  // The body the mock read (to record and match it) still goes to the server.
  const stream = (async function* () { yield Buffer.from('streamed '); yield Buffer.from('body'); })();
  assert.equal(await text(client.post(`${srv.url}/upload`, 'text/plain', stream)), 'real /upload');
  assert.equal(await text(client.do(new Request('PUT', `${srv.url}/implied`, { body: 'x' }))), 'real /implied');
  assert.deepEqual(seen, ['GET /real?x=1 - ', 'POST /upload text/plain streamed body', 'PUT /implied text/plain; charset=utf-8 x']);
  assert.deepEqual(mock.calls.map((c) => c.passthrough), [false, true, true, true]);
  assert.equal(transport.stats().totals.requests, 3, 'only the unmatched requests used the Transport');

  // Another origin is not allowed through.
  await assert.rejects(client.get('http://127.0.0.1:1/'), noMock);
  assert.equal(transport.stats().totals.requests, 3);
  // passthrough() with no origin lets every unmatched request through (here: a refused port).
  mock.passthrough();
  await assert.rejects(client.get('http://127.0.0.1:1/'), (e: unknown) => code(e) === 'ERR_CONNECT');
  // And without a passthrough RoundTripper, passthrough() is refused.
  assert.throws(() => new MockTransport().passthrough(), (e: unknown) => code(e) === 'ERR_INVALID_OPTION');
});
