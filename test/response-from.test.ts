// Responses made by hand (Response.from, Go's `&http.Response{…}`) returned by a RoundTripper of
// the test's own: the Client fills in res.request, follows a hand-made redirect, stores its
// cookies, applies its timeout and the caller's signal to a streamed body; the body's readers,
// close() and trailers behave as for a network body; fetch over the same Client too. No socket
// is opened by any case here (checked).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client,
  CookieJar,
  HttpoolError,
  Request,
  Response,
  createFetch,
  type ResponseParts,
  type RoundTripper,
} from '../src/index.js';

/** A RoundTripper answering each request with `answer(req)`; it records what it was sent. */
class Hand implements RoundTripper {
  readonly seen: Request[] = [];
  constructor(readonly answer: (req: Request) => Response) {}
  roundTrip(req: Request): Promise<Response> {
    this.seen.push(req);
    return Promise.resolve(this.answer(req));
  }
}

/** Sockets and servers this process has open (a hand-made response must open none). */
function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((k) => k.startsWith('TCP')).length;
}

function code(err: unknown): string {
  return err instanceof HttpoolError ? err.code : `not an HttpoolError: ${String(err)}`;
}

/** A web stream that yields `chunks`, then never ends; `state.cancelled` says whether it was cancelled. */
function endless(chunks: string[]): { stream: ReadableStream<Uint8Array>; state: { cancelled: unknown; pulls: number } } {
  const state = { cancelled: undefined as unknown, pulls: 0 };
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulls++;
      if (i < chunks.length) controller.enqueue(Buffer.from(chunks[i++]!));
      // else: nothing, ever (a server that stalls mid-body)
    },
    cancel(reason) {
      state.cancelled = reason ?? 'cancelled';
    },
  });
  return { stream, state };
}

test('Response.from: defaults, fields, and res.request filled in by the Client with the request it sent', async () => {
  const before = tcpHandles();
  const rt = new Hand(() => Response.from({ headers: { 'content-type': 'text/plain', 'x-a': ['1', '2'] }, body: 'héllo' }));
  const client = new Client({ transport: rt, headers: { 'x-default': 'd' } });
  const res = await client.get('http://api.test/path?q=1');
  assert.equal(res.statusCode, 200);
  assert.equal(res.status, '200 OK');
  assert.equal(res.proto, 'HTTP/1.1');
  assert.equal(res.ok, true);
  assert.equal(res.contentLength, Buffer.byteLength('héllo'));
  assert.deepEqual(res.headers.values('x-a'), ['1', '2']);
  // The request the Client sent (its default header added), not null and not the caller's input.
  assert.equal(rt.seen.length, 1);
  assert.equal(res.request, rt.seen[0]);
  assert.equal(res.request.url.href, 'http://api.test/path?q=1');
  assert.equal(res.request.headers.get('x-default'), 'd');
  assert.equal(await res.body.text(), 'héllo');

  // A request given to from() is kept; status and proto as given.
  const own = new Request('GET', 'http://elsewhere.test/');
  const rt2 = new Hand(() => Response.from({ statusCode: 404, status: 'Nope', proto: 'HTTP/2.0', request: own }));
  const r2 = await new Client({ transport: rt2 }).get('http://api.test/');
  assert.equal(r2.request, own);
  assert.equal(r2.status, '404 Nope');
  assert.equal(r2.proto, 'HTTP/2.0');
  assert.equal(r2.contentLength, 0);
  assert.equal(await r2.body.text(), '');
  assert.equal(Response.from({ statusCode: 503 }).status, '503 Service Unavailable');
  assert.equal(Response.from({ statusCode: 299 }).status, '299');
  assert.equal(Response.from({ statusCode: 201, status: '201 Made' }).status, '201 Made');
  // A streamed body's length is the Content-Length header's, else unknown.
  assert.equal(Response.from({ body: endless([]).stream, headers: { 'content-length': '12' } }).contentLength, 12);
  const unknown = Response.from({ body: endless([]).stream });
  assert.equal(unknown.contentLength, -1);
  await unknown.body.close();
  assert.equal(tcpHandles(), before, 'no socket was opened');
});

test('Response.from refuses what it cannot make; new Response() points at Response.from', () => {
  assert.throws(() => Response.from({ statusCode: 42 }), (e: unknown) => code(e) === 'ERR_INVALID_OPTION');
  assert.throws(() => Response.from({ statusCode: 200.5 }), (e: unknown) => code(e) === 'ERR_INVALID_OPTION');
  assert.throws(() => Response.from({ body: 42 as unknown as string }), (e: unknown) => code(e) === 'ERR_INVALID_BODY');
  const locked = new ReadableStream<Uint8Array>();
  locked.getReader();
  assert.throws(() => Response.from({ body: locked }), (e: unknown) => code(e) === 'ERR_BODY_CONSUMED');
  assert.throws(() => new (Response as unknown as new () => Response)(), /Response\.from/);
});

test('a hand-made 302 is followed by the Client to another hand-made response; the 302 body is closed', async () => {
  const redirectBody = endless(['moved…']);
  const rt = new Hand((req) => {
    if (req.url.pathname === '/old') return Response.from({ statusCode: 302, headers: { location: '/new?x=1' }, body: redirectBody.stream });
    return Response.from({ body: `at ${req.method} ${req.url.pathname}${req.url.search}` });
  });
  const res = await new Client({ transport: rt }).post('http://api.test/old', 'text/plain', 'payload');
  assert.equal(res.statusCode, 200);
  assert.equal(await res.body.text(), 'at GET /new?x=1', '302 turns POST into GET');
  assert.equal(res.request.url.href, 'http://api.test/new?x=1');
  assert.equal(res.request, rt.seen[1]);
  assert.deepEqual(rt.seen.map((r) => `${r.method} ${r.url.pathname}`), ['POST /old', 'GET /new']);
  assert.notEqual(redirectBody.state.cancelled, undefined, "the 302's streamed body was closed (its source cancelled)");
});

test('Set-Cookie on a hand-made response goes into the jar and is sent on the next hop', async () => {
  const jar = new CookieJar();
  const rt = new Hand((req) => {
    if (req.url.pathname === '/login') {
      return Response.from({ statusCode: 303, headers: [['Set-Cookie', 'sid=42; Path=/'], ['Set-Cookie', 'theme=dark; Path=/'], ['Location', '/home']] });
    }
    return Response.from({ body: `cookie: ${req.headers.get('cookie') ?? '(none)'}` });
  });
  const client = new Client({ transport: rt, jar });
  const res = await client.get('http://site.test/login');
  assert.equal(await res.body.text(), 'cookie: sid=42; theme=dark');
  assert.equal(rt.seen[0]!.headers.get('cookie'), null);
  assert.equal(rt.seen[1]!.headers.get('cookie'), 'sid=42; theme=dark');
  // And on a later call of the same Client.
  await (await client.get('http://site.test/again')).body.close();
  assert.equal(rt.seen[2]!.headers.get('cookie'), 'sid=42; theme=dark');
});

test("the Client's timeout fires on a hand-made streaming body that never ends, and the source is cancelled", async () => {
  const { stream, state } = endless(['first ']);
  const client = new Client({ transport: new Hand(() => Response.from({ body: stream })), timeout: 100 });
  const started = Date.now();
  const res = await client.get('http://slow.test/stream');
  await assert.rejects(res.body.text(), (err: unknown) => {
    assert.equal(code(err), 'ERR_TIMEOUT');
    assert.match((err as Error).message, /GET http:\/\/slow\.test\/stream/, 'the error names the request');
    return true;
  });
  assert.ok(Date.now() - started >= 90, 'not before the timeout');
  assert.ok(state.cancelled instanceof HttpoolError && state.cancelled.code === 'ERR_TIMEOUT', 'the source was cancelled with the timeout');
});

test("the caller's signal aborts a hand-made streaming body mid-read (for await)", async () => {
  const { stream, state } = endless(['a', 'b']);
  const ac = new AbortController();
  const res = await new Client({ transport: new Hand(() => Response.from({ body: stream })), timeout: 0 }).get('http://x.test/', { signal: ac.signal });
  const got: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const chunk of res.body) {
        got.push(Buffer.from(chunk).toString());
        if (got.length === 2) ac.abort();
      }
    })(),
    (err: unknown) => code(err) === 'ERR_ABORTED',
  );
  assert.deepEqual(got, ['a', 'b']);
  assert.notEqual(state.cancelled, undefined);
});

test('a pending hand-made body keeps the process alive (as a socket would) only until it settles', async () => {
  // The Client's deadline timer is unref'd: a network body's socket keeps the process alive
  // for it to fire. A hand-made body in a Client exchange holds one ref'd handle instead.
  const timers = (): number => process.getActiveResourcesInfo().filter((k) => k === 'Timeout').length;
  const before = timers();
  let ctl!: ReadableStreamDefaultController<Uint8Array>;
  const client = new Client({
    transport: new Hand(() => Response.from({ body: new ReadableStream<Uint8Array>({ start: (c) => void (ctl = c) }) })),
    timeout: 60_000,
  });
  const res = await client.get('http://x.test/');
  assert.equal(timers(), before + 1, 'one ref\'d handle while the body is pending');
  ctl.enqueue(Buffer.from('abc'));
  ctl.close();
  assert.equal(await res.body.text(), 'abc');
  assert.equal(timers(), before, 'released once the body has arrived');
  // Closed early: released too.
  const closed = await client.get('http://x.test/');
  await closed.body.close();
  assert.equal(timers(), before, 'released once the body is closed');
  // Not in a Client exchange (no timeout, no signal): nothing can end it but its source, so nothing is held.
  const bare = Response.from({ body: endless([]).stream });
  assert.equal(timers(), before);
  await bare.body.close();
});

async function* oneTwoThree(): AsyncGenerator<Uint8Array> {
  yield Buffer.from('one');
  yield Buffer.from('two');
  yield Buffer.from('three');
}

test('body readers over each body kind: text, json, bytes, stream(), for await, close()', async () => {
  const client = new Client({ transport: new Hand((req) => Response.from(kinds[req.url.pathname.slice(1)]!())) });
  const kinds: Record<string, () => ResponseParts> = {
    string: () => ({ body: '{"k":"string"}' }),
    bytes: () => ({ body: new TextEncoder().encode('{"k":"bytes"}') }),
    stream: () => ({
      body: new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(Buffer.from('{"k":'));
          c.enqueue(Buffer.from('"stream"}'));
          c.close();
        },
      }),
    }),
    iterable: () => ({ body: (async function* () { yield Buffer.from('{"k":"iter'); yield Buffer.from('able"}'); })() }),
  };
  for (const kind of Object.keys(kinds)) {
    const url = `http://kinds.test/${kind}`;
    assert.deepEqual(await (await client.get(url)).body.json(), { k: kind }, `json (${kind})`);
    assert.equal(Buffer.from(await (await client.get(url)).body.bytes()).toString(), `{"k":"${kind}"}`, `bytes (${kind})`);
    let streamed = '';
    for await (const c of (await client.get(url)).body.stream()) streamed += Buffer.from(c).toString();
    assert.equal(streamed, `{"k":"${kind}"}`, `stream() (${kind})`);
    let iterated = '';
    for await (const c of (await client.get(url)).body) iterated += Buffer.from(c).toString();
    assert.equal(iterated, `{"k":"${kind}"}`, `for await (${kind})`);
    const res = await client.get(url);
    await res.body.close();
    await res.body.close(); // twice is fine
    await assert.rejects(res.body.text(), (e: unknown) => code(e) === 'ERR_BODY_CONSUMED', `read after close (${kind})`);
    const once = await client.get(url);
    await once.body.text();
    await assert.rejects(once.body.text(), (e: unknown) => code(e) === 'ERR_BODY_CONSUMED', `second read (${kind})`);
  }
});

test('close() before the end stops the source: a generator runs its finally, `await using` closes too', async () => {
  let finished = false;
  let produced = 0;
  async function* forever(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        produced++;
        yield Buffer.alloc(1024, 0x61);
      }
    } finally {
      finished = true;
    }
  }
  const client = new Client({ transport: new Hand(() => Response.from({ body: forever() })) });
  const res = await client.get('http://x.test/');
  const it = res.body[Symbol.asyncIterator]();
  assert.equal((await it.next()).value?.length, 1024);
  await res.body.close();
  await until(() => finished, 'the generator ran its finally block');

  // Backpressure as from a socket: the feeder pauses once the buffer is over its high-water
  // mark (256 KiB) while nobody reads.
  produced = 0;
  finished = false;
  {
    await using unread = await client.get('http://x.test/');
    await until(() => produced > 256, 'the feeder filled the buffer');
    const at = produced;
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.ok(produced <= at + 2, `paused while unread (${at} → ${produced} KiB)`);
    assert.equal(unread.body.used, false);
  }
  await until(() => finished, '`await using` closed the body and stopped the generator');
});

test('trailers arrive on res.trailers once the body has been read to the end', async () => {
  const client = new Client({
    transport: new Hand(() => Response.from({ body: oneTwoThree(), headers: { trailer: 'X-Checksum' }, trailers: { 'X-Checksum': 'abc123' } })),
  });
  const res = await client.get('http://x.test/');
  assert.equal(res.trailers.get('x-checksum'), null, 'not before the end');
  assert.equal(await res.body.text(), 'onetwothree');
  assert.equal(res.trailers.get('x-checksum'), 'abc123');
  const whole = Response.from({ body: 'x', trailers: [['A', '1']] });
  assert.equal(await whole.body.text(), 'x');
  assert.deepEqual([...whole.trailers], [['A', '1']]);
});

test('a hand-made body whose source fails: ERR_READ naming the request, cause kept; an HttpoolError passes as it is', async () => {
  const boom = new Error('disk gone');
  const client = new Client({
    transport: new Hand((req) =>
      Response.from({
        body: (async function* () {
          yield Buffer.from('part');
          if (req.url.pathname === '/own') throw new HttpoolError('ERR_DECODE', 'bad gzip');
          throw boom;
        })(),
      }),
    ),
  });
  const res = await client.get('http://x.test/plain');
  await assert.rejects(res.body.text(), (err: unknown) => {
    assert.equal(code(err), 'ERR_READ');
    assert.equal((err as Error).cause, boom);
    assert.match((err as Error).message, /^GET http:\/\/x\.test\/plain: .*disk gone/);
    return true;
  });
  await assert.rejects((await client.get('http://x.test/own')).body.bytes(), (e: unknown) => code(e) === 'ERR_DECODE');
});

test('fetch over a Client with a hand-made RoundTripper: status, headers, url, redirect followed, body', async () => {
  const before = tcpHandles();
  const rt = new Hand((req) => {
    if (req.url.pathname === '/start') return Response.from({ statusCode: 301, headers: { location: '/end' } });
    return Response.from({ statusCode: 201, headers: { 'content-type': 'application/json', 'x-n': '7' }, body: oneJson() });
  });
  const f = createFetch(new Client({ transport: rt }));
  const res = await f('http://api.test/start');
  assert.equal(res.status, 201);
  assert.equal(res.statusText, 'Created');
  assert.equal(res.headers.get('x-n'), '7');
  assert.equal(res.url, 'http://api.test/end', 'the filled-in request gives the url');
  assert.equal(res.redirected, true);
  assert.deepEqual(await res.json(), { ok: true });
  assert.deepEqual(rt.seen.map((r) => r.url.pathname), ['/start', '/end']);

  // A fetch signal cuts a streamed hand-made body short, as Node's fetch does (the signal's reason).
  const { stream } = endless(['x']);
  const ac = new AbortController();
  const f2 = createFetch(new Client({ transport: new Hand(() => Response.from({ body: stream })) }));
  const r2 = await f2('http://api.test/', { signal: ac.signal });
  const reader = r2.body!.getReader();
  assert.equal(Buffer.from((await reader.read()).value!).toString(), 'x');
  const pending = reader.read();
  ac.abort(new Error('stop'));
  await assert.rejects(pending, /stop/);
  assert.equal(tcpHandles(), before, 'no socket was opened');
});

async function* oneJson(): AsyncGenerator<Uint8Array> {
  yield Buffer.from('{"ok":');
  yield Buffer.from('true}');
}

/** Waits (on the event loop, not a clock) until `cond` holds; fails after 2 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}
