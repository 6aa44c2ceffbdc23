// Request events (issue 15, src/request-events.ts): httpool:request:start / headers / end / error
// per attempt from the Transport, httpool:request:redirect from the Client; a start subscriber's
// setHeader reaches the server; nothing is built or published without a subscriber.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as dc from 'node:diagnostics_channel';
import type * as http from 'node:http';
import { Client, Request, Transport, type HttpoolError } from '../src/index.js';
import { RequestEvents, type RequestStartMessage, type RequestHeadersMessage, type RequestErrorMessage, type RequestRedirectMessage } from '../src/request-events.js';
import { closedPort, httpServer, onRequests, rawServer } from './support/servers.js';
import { within } from './support/within.js';

const NAMES = ['start', 'headers', 'end', 'error', 'redirect'] as const;
type Name = (typeof NAMES)[number];

interface Seen {
  name: Name;
  message: Record<string, unknown>;
}

/** Subscribes to every request channel (removed in t.after), recording the events in order. */
function record(t: TestContext, onStart?: (m: RequestStartMessage) => void): Seen[] {
  const seen: Seen[] = [];
  for (const name of NAMES) {
    const fn = (message: unknown) => {
      seen.push({ name, message: message as Record<string, unknown> });
      if (name === 'start') onStart?.(message as RequestStartMessage);
    };
    dc.subscribe(`httpool:request:${name}`, fn);
    t.after(() => dc.unsubscribe(`httpool:request:${name}`, fn));
  }
  return seen;
}

function setup(t: TestContext, more: ConstructorParameters<typeof Client>[0] = {}) {
  const transport = new Transport();
  t.after(() => transport.close());
  return { transport, client: new Client({ transport, timeout: 10_000, ...more }) };
}

const names = (seen: Seen[]) => seen.map((s) => s.name);

test('start → headers → end for a body read to its end, with timings in order', async (t) => {
  const srv = await httpServer((_req, res) => res.end('hello'));
  t.after(() => srv.close());
  const { client } = setup(t);
  const seen = record(t);
  const res = await within(client.get(srv.url), 5_000, 'get');
  // end comes when the body has arrived (the settle listener): a small body may come with the head.
  assert.deepEqual(names(seen).slice(0, 2), ['start', 'headers']);
  assert.equal(await res.body.text(), 'hello');
  assert.deepEqual(names(seen), ['start', 'headers', 'end']);
  const [start, headers, end] = seen as [Seen, Seen, Seen];
  const req = start.message.request as Request;
  assert.ok(req instanceof Request);
  assert.equal(start.message.attempt, 0);
  assert.equal(headers.message.request, req);
  assert.equal(headers.message.response, res);
  assert.equal(end.message.response, res);
  const timings = end.message.timings as { start: number; connected: number; firstByte: number; end: number; reused: boolean; connId: number };
  assert.ok(timings.start > 0);
  assert.ok(timings.start <= timings.connected && timings.connected <= timings.firstByte && timings.firstByte <= timings.end, JSON.stringify(timings));
  assert.equal(timings.reused, false);
  assert.ok(timings.connId > 0);
  // The second request reuses the connection and says so.
  seen.length = 0;
  await (await client.get(srv.url)).body.text();
  assert.deepEqual(names(seen), ['start', 'headers', 'end']);
  assert.equal((seen[2]!.message.timings as { reused: boolean }).reused, true);
});

test('start → headers → end for a body closed before its end', async (t) => {
  const srv = await rawServer((s) => onRequests(s, () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n0123456789')));
  t.after(() => srv.close());
  const { client } = setup(t);
  const seen = record(t);
  const res = await within(client.get(srv.url), 5_000, 'get');
  assert.deepEqual(names(seen), ['start', 'headers']);
  await res.body.close();
  assert.deepEqual(names(seen), ['start', 'headers', 'end']);
  assert.equal(seen[2]!.message.response, res);
});

test('error for a refused connection: start then error, no headers', async (t) => {
  const port = await closedPort();
  const { client } = setup(t);
  const seen = record(t);
  const failure = await client.get(`http://127.0.0.1:${port}/`).then(
    () => assert.fail('expected a refusal'),
    (e: HttpoolError) => e,
  );
  assert.equal(failure.code, 'ERR_CONNECT');
  assert.deepEqual(names(seen), ['start', 'error']);
  const m = seen[1]!.message as unknown as RequestErrorMessage;
  assert.equal(m.error, failure);
  assert.equal(m.response, null);
  assert.equal(m.request, seen[0]!.message.request);
});

test('error for a body broken mid-way: start → headers → error with the body failure', async (t) => {
  const srv = await rawServer((s) =>
    onRequests(s, () => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789');
      setImmediate(() => s.destroy());
    }),
  );
  t.after(() => srv.close());
  const { client } = setup(t);
  const seen = record(t);
  const res = await within(client.get(srv.url), 5_000, 'get');
  const failure = await res.body.text().then(
    () => assert.fail('expected the body to fail'),
    (e: unknown) => e,
  );
  assert.deepEqual(names(seen), ['start', 'headers', 'error']);
  const m = seen[2]!.message as unknown as RequestErrorMessage;
  assert.equal(m.error, failure);
  assert.equal(m.response, res);
  assert.ok(m.timings.end >= m.timings.firstByte);
});

test('one start per attempt with a Client retry, each answered by its own headers and end', async (t) => {
  let n = 0;
  const srv = await httpServer((_req, res) => {
    n++;
    if (n === 1) res.writeHead(503).end('busy');
    else res.end('ok');
  });
  t.after(() => srv.close());
  const { client } = setup(t, { retry: { backoff: { base: 1, max: 5 } } });
  const seen = record(t);
  const res = await within(client.get(srv.url), 5_000, 'retried get');
  assert.equal(await res.body.text(), 'ok');
  assert.equal(n, 2);
  assert.deepEqual(
    names(seen).filter((x) => x === 'start' || x === 'headers'),
    ['start', 'headers', 'start', 'headers'],
  );
  assert.equal(names(seen).filter((x) => x === 'end').length, 2);
  const statuses = seen.filter((s) => s.name === 'headers').map((s) => (s.message as unknown as RequestHeadersMessage).response.statusCode);
  assert.deepEqual(statuses, [503, 200]);
});

test('one start per redirect hop, and the redirect event names the hop, its response and the next', async (t) => {
  const srv = await httpServer((req, res) => {
    if (req.url === '/a') res.writeHead(302, { location: '/b' }).end();
    else res.end('at b');
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const seen = record(t);
  const res = await within(client.get(`${srv.url}/a`), 5_000, 'redirected get');
  assert.equal(await res.body.text(), 'at b');
  // The 302's empty body has arrived with its head, so its end may come before the redirect event.
  const order = names(seen);
  assert.deepEqual(order.filter((x) => x !== 'end'), ['start', 'headers', 'redirect', 'start', 'headers']);
  assert.equal(order.filter((x) => x === 'end').length, 2);
  assert.ok(order.indexOf('end') < order.lastIndexOf('start'), order.join());
  assert.equal(order.at(-1), 'end');
  const starts = seen.filter((s) => s.name === 'start').map((s) => new URL((s.message.request as Request).url).pathname);
  assert.deepEqual(starts, ['/a', '/b']);
  const r = seen.find((s) => s.name === 'redirect')!.message as unknown as RequestRedirectMessage;
  assert.equal(new URL(r.request.url).pathname, '/a');
  assert.equal(r.response.statusCode, 302);
  assert.equal(new URL(r.next.url).pathname, '/b');
});

test('a header set at start reaches the server, replaces a field of that name, and is validated', async (t) => {
  const got: http.IncomingHttpHeaders[] = [];
  const srv = await httpServer((req, res) => {
    got.push(req.headers);
    res.end('ok');
  });
  t.after(() => srv.close());
  const { client } = setup(t);
  const refused: string[] = [];
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  record(t, (m) => {
    m.setHeader('traceparent', traceparent);
    m.setHeader('X-Replaced', 'new');
    for (const [name, value] of [['bad name', 'v'], ['x-ok', 'bad\r\nvalue'], ['Content-Length', '5']]) {
      try {
        m.setHeader(name!, value!);
      } catch (e) {
        refused.push((e as HttpoolError).code);
      }
    }
  });
  await (await client.get(srv.url, { headers: { 'x-replaced': 'old', 'x-kept': 'yes' } })).body.text();
  assert.equal(got.length, 1);
  assert.equal(got[0]!.traceparent, traceparent);
  assert.equal(got[0]!['x-replaced'], 'new');
  assert.equal(got[0]!['x-kept'], 'yes');
  assert.equal(got[0]!['x-ok'], undefined);
  assert.equal(refused.length, 3);
  assert.ok(refused.every((c) => c === 'ERR_INVALID_HEADER'), refused.join());
});

test('with no subscriber nothing is built or published', async (t) => {
  const srv = await httpServer((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const { client } = setup(t);
  let count = 0;
  const fn = () => void count++;
  for (const name of NAMES) dc.subscribe(`httpool:request:${name}`, fn);
  await (await client.get(srv.url)).body.text();
  assert.equal(count, 3, 'subscribed: start, headers, end');
  for (const name of NAMES) dc.unsubscribe(`httpool:request:${name}`, fn);
  count = 0;
  await (await client.get(srv.url)).body.text();
  await client.get(`http://127.0.0.1:${await closedPort()}/`).catch(() => {});
  assert.equal(count, 0);
  for (const name of NAMES) assert.equal(dc.channel(`httpool:request:${name}`).hasSubscribers, false);
  assert.equal(RequestEvents.for(new Request('GET', srv.url)), null);
});
