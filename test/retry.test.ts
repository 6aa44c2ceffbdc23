// The Client's retry policy (issue 14, src/client/retry*.ts) over real loopback servers: which
// answers and failures are retried, Retry-After and the backoff, the limit, the budget, the
// deadline and the caller's signal, and what each retry reports (trace hook, channel, stats).
// Delays are small (base 1–5 ms) except where Retry-After is the subject; every wait is bounded.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as dc from 'node:diagnostics_channel';
import type * as http from 'node:http';
import { Client, CookieJar, HttpoolError, Request, Transport, createFetch, type RetryInfo, type RetryOptions } from '../src/index.js';
import { RetryBudget, RetryBudgets } from '../src/client/retry-budget.js';
import { backoffDelay, resolveRetry, retryAfterMs } from '../src/client/retry-policy.js';
import { within } from './support/within.js';
import { closedPort, httpServer, rawServer } from './support/servers.js';

const FAST: RetryOptions = { backoff: { base: 1, max: 5 } };

/** A server answering request n (0-based) with answers[n] (the last one repeats): [status, headers]. */
async function scripted(t: TestContext, answers: [number, Record<string, string>?][]) {
  let n = 0;
  const seen: string[] = [];
  const srv = await httpServer((req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push(`${req.method} ${req.headers['idempotency-key'] ?? ''}`);
    const [status, headers] = answers[Math.min(n++, answers.length - 1)]!;
    req.resume();
    req.on('end', () => res.writeHead(status, headers ?? {}).end(`answer ${n}`));
  });
  t.after(() => srv.close());
  return {
    url: srv.url,
    get count() {
      return n;
    },
    seen,
    srv,
  };
}

function client(t: TestContext, retry: RetryOptions | null, more: { timeout?: number } = {}) {
  const transport = new Transport();
  t.after(() => transport.close());
  return { transport, client: new Client({ transport, retry, ...more }) };
}

function hostStats(transport: Transport, url: string) {
  const h = transport.stats().hosts[url];
  assert.ok(h !== undefined, `stats for ${url}`);
  return h;
}

test('503 with Retry-After: 1, then 200: retried after about a second; with retry off the 503 comes back at once', async (t) => {
  const s = await scripted(t, [[503, { 'retry-after': '1' }], [200]]);
  const { client: c } = client(t, {});
  const start = performance.now();
  const res = await within(c.get(s.url), 5_000, 'retried GET');
  const elapsed = performance.now() - start;
  assert.equal(res.statusCode, 200);
  assert.equal(await res.body.text(), 'answer 2');
  assert.ok(elapsed >= 900, `waited Retry-After (${elapsed.toFixed(0)} ms)`);
  assert.equal(s.count, 2);

  const s2 = await scripted(t, [[503, { 'retry-after': '1' }], [200]]);
  const { client: off } = client(t, null);
  const t0 = performance.now();
  const res2 = await within(off.get(s2.url), 5_000, 'GET without retry');
  assert.equal(res2.statusCode, 503);
  await res2.body.close();
  assert.ok(performance.now() - t0 < 800, 'no wait without retry');
  assert.equal(s2.count, 1);
});

test('Retry-After as an HTTP-date is honoured; one beyond retryAfterMax returns the 503 at once', async (t) => {
  const date = new Date(Date.now() + 1_500).toUTCString(); // whole seconds: 0.5–1.5 s from now
  const s = await scripted(t, [[503, { 'retry-after': date }], [200]]);
  const delays: number[] = [];
  const { client: c } = client(t, {});
  const start = performance.now();
  const res = await within(c.get(s.url, { trace: { retry: (i) => delays.push(i.delay) } }), 5_000, 'HTTP-date retry');
  assert.equal(res.statusCode, 200);
  await res.body.close();
  assert.equal(delays.length, 1);
  assert.ok(delays[0]! > 0 && delays[0]! <= 1_500, `delay from the date: ${delays[0]}`);
  assert.ok(performance.now() - start >= delays[0]! - 20, 'the wait was the date');

  const far = await scripted(t, [[503, { 'retry-after': '5' }], [200]]);
  const { client: c2 } = client(t, { retryAfterMax: 1_000 });
  const t0 = performance.now();
  const res2 = await within(c2.get(far.url), 3_000, 'beyond retryAfterMax');
  assert.equal(res2.statusCode, 503, 'returned as it is');
  await res2.body.close();
  assert.ok(performance.now() - t0 < 900);
  assert.equal(far.count, 1);
});

test('limit counts retries: limit 2 is 3 attempts, then the last answer; limit 0 is 1', async (t) => {
  const s = await scripted(t, [[502]]);
  const { client: c } = client(t, { ...FAST, limit: 2 });
  const res = await within(c.get(s.url), 3_000, 'limit 2');
  assert.equal(res.statusCode, 502);
  assert.equal(await res.body.text(), 'answer 3', 'the third answer, body readable');
  assert.equal(s.count, 3);

  const s0 = await scripted(t, [[502]]);
  const { client: c0 } = client(t, { ...FAST, limit: 0 });
  const r0 = await within(c0.get(s0.url), 3_000, 'limit 0');
  assert.equal(r0.statusCode, 502);
  await r0.body.close();
  assert.equal(s0.count, 1);
});

test('a status not listed is not retried; statuses can be chosen', async (t) => {
  const s = await scripted(t, [[500], [200]]);
  const { client: c } = client(t, FAST);
  const r = await c.get(s.url);
  assert.equal(r.statusCode, 500);
  await r.body.close();
  assert.equal(s.count, 1);
  const s2 = await scripted(t, [[500], [200]]);
  const { client: c2 } = client(t, { ...FAST, statuses: [500] });
  const r2 = await c2.get(s2.url);
  assert.equal(r2.statusCode, 200);
  await r2.body.close();
  assert.equal(s2.count, 2);
});

test('a POST without a key is never retried; with Idempotency-Key (or X-Idempotency-Key) it is', async (t) => {
  const s = await scripted(t, [[503], [200]]);
  const { client: c } = client(t, FAST);
  const r = await c.post(s.url, 'text/plain', 'hello');
  assert.equal(r.statusCode, 503);
  await r.body.close();
  assert.equal(s.count, 1);

  for (const header of ['Idempotency-Key', 'X-Idempotency-Key']) {
    const k = await scripted(t, [[503], [200]]);
    const r2 = await c.post(k.url, 'text/plain', 'hello', { headers: { [header]: 'k1' } });
    assert.equal(r2.statusCode, 200, header);
    await r2.body.close();
    assert.equal(k.count, 2, header);
  }
  // PUT and DELETE are idempotent (RFC 9110 §9.2.2).
  const p = await scripted(t, [[503], [200]]);
  const r3 = await c.do(new Request('PUT', p.url, { body: 'x' }));
  assert.equal(r3.statusCode, 200);
  await r3.body.close();
  assert.equal(p.count, 2);
});

test('a stream body is never retried, key or not: the 503 comes back as it is', async (t) => {
  const s = await scripted(t, [[503], [200]]);
  const { client: c } = client(t, FAST);
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      ctl.enqueue(new TextEncoder().encode('once'));
      ctl.close();
    },
  });
  const r = await c.do(new Request('PUT', s.url, { body, headers: { 'Idempotency-Key': 'k' } }));
  assert.equal(r.statusCode, 503);
  await r.body.close();
  assert.equal(s.count, 1);
});

test('connection refused: retried `limit` times, then the ERR_CONNECT error; counted in stats', async (t) => {
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}`;
  const { client: c, transport } = client(t, { ...FAST, limit: 3 });
  const reasons: string[] = [];
  await assert.rejects(
    within(c.get(url, { trace: { retry: (i) => reasons.push(i.reason) } }), 3_000, 'refused'),
    (e: HttpoolError) => e.code === 'ERR_CONNECT',
  );
  assert.deepEqual(reasons, ['ERR_CONNECT', 'ERR_CONNECT', 'ERR_CONNECT']);
  assert.equal(hostStats(transport, url).retries, 3);
});

test('a reset before any response byte, on a fresh connection (beyond Go’s rule), is retried', async (t) => {
  let conns = 0;
  const srv = await rawServer((socket) => {
    const first = conns++ === 0;
    socket.once('data', () => {
      if (first) socket.resetAndDestroy();
      else socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
  });
  t.after(() => srv.close());
  const reasons: string[] = [];
  const { client: c } = client(t, FAST);
  const r = await within(c.get(srv.url, { trace: { retry: (i) => reasons.push(i.reason) } }), 3_000, 'reset then ok');
  assert.equal(await r.body.text(), 'ok');
  assert.equal(conns, 2);
  assert.equal(reasons.length, 1);
  assert.match(reasons[0]!, /^ERR_(READ|CONNECTION_CLOSED)$/);

  // Without retry the same reset is the caller's error (the connection was new: Go does not retry).
  let conns2 = 0;
  const srv2 = await rawServer((socket) => {
    conns2++;
    socket.once('data', () => socket.resetAndDestroy());
  });
  t.after(() => srv2.close());
  const { client: off } = client(t, null);
  await assert.rejects(off.get(srv2.url), HttpoolError);
  assert.equal(conns2, 1);
});

test('a failure after response bytes arrived is final', async (t) => {
  let conns = 0;
  const srv = await rawServer((socket) => {
    conns++;
    socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
  });
  t.after(() => srv.close());
  const { client: c } = client(t, FAST);
  const r = await c.get(srv.url);
  await assert.rejects(r.body.text(), HttpoolError);
  const srv2 = await rawServer((socket) => {
    conns++;
    socket.once('data', () => socket.end('HTTP/1.1 20'));
  });
  t.after(() => srv2.close());
  await assert.rejects(c.get(srv2.url), HttpoolError);
  assert.equal(conns, 2, 'one connection each, no retry');
});

test('timeouts are final; a wait that would outlive the timeout is not made; an abort during the backoff rejects at once', async (t) => {
  // A server that never answers: ERR_TIMEOUT, not retried.
  let hung = 0;
  const stall = await rawServer(() => void hung++);
  t.after(() => stall.close());
  const retries: RetryInfo[] = [];
  const { client: c } = client(t, FAST, { timeout: 200 });
  await assert.rejects(
    within(c.get(stall.url, { trace: { retry: (i) => retries.push(i) } }), 3_000, 'timeout'),
    (e: HttpoolError) => e.code === 'ERR_TIMEOUT',
  );
  assert.equal(hung, 1);
  assert.equal(retries.length, 0);

  // Retry-After: 10 with a 300 ms Client timeout: the 503 now, not an ERR_TIMEOUT later.
  const s = await scripted(t, [[503, { 'retry-after': '10' }], [200]]);
  const { client: c2 } = client(t, {}, { timeout: 300 });
  const t0 = performance.now();
  const r = await within(c2.get(s.url), 3_000, 'deadline');
  assert.equal(r.statusCode, 503);
  await r.body.close();
  assert.ok(performance.now() - t0 < 280);
  assert.equal(s.count, 1);

  // An abort while waiting out Retry-After: 10 rejects at once with the signal's reason.
  const s3 = await scripted(t, [[503, { 'retry-after': '10' }], [200]]);
  const { client: c3 } = client(t, {});
  const ac = new AbortController();
  let abortedAt = 0;
  const p = c3.get(s3.url, {
    signal: ac.signal,
    trace: {
      retry: () =>
        setImmediate(() => {
          abortedAt = performance.now();
          ac.abort();
        }),
    },
  });
  await assert.rejects(within(p, 3_000, 'abort in backoff'), (e: HttpoolError) => e.code === 'ERR_ABORTED' && /GET http/.test(e.message));
  const late = performance.now() - abortedAt;
  assert.ok(abortedAt > 0 && late < 500, `rejected ${late.toFixed(0)} ms after the abort (the wait was 10 s)`);
  assert.equal(s3.count, 1);

  // An AbortSignal already fired: never sent.
  await assert.rejects(c3.get(s3.url, { signal: AbortSignal.abort() }), (e: HttpoolError) => e.code === 'ERR_ABORTED');
  assert.equal(s3.count, 1);
});

test('a host failing every request: retries stay within the budget (0.2 × requests + 10)', async (t) => {
  const s = await scripted(t, [[503]]);
  const { client: c, transport } = client(t, { ...FAST, limit: 3 });
  let retries = 0;
  const trace = { retry: () => void retries++ };
  const N = 100;
  const all = await within(Promise.all(Array.from({ length: N }, () => c.get(s.url, { trace }))), 10_000, 'burst');
  for (const r of all) {
    assert.equal(r.statusCode, 503);
    await r.body.close();
  }
  const allowed = 0.2 * N + 10;
  assert.ok(retries <= allowed, `${retries} retries for ${N} requests (allowed ${allowed})`);
  assert.ok(retries > 0, 'the floor allows some');
  assert.equal(s.count, N + retries, 'the server saw every request and retry, nothing more');
  const h = hostStats(transport, s.url);
  assert.equal(h.retries, retries);
  assert.ok(h.retriesRefused > 0, `the budget refused some (${h.retriesRefused})`);
  assert.equal(transport.stats().totals.retries, retries);
});

test('each retry: trace hook and httpool:request:retry with attempt/delay/reason; stats; the connection is reused', async (t) => {
  const s = await scripted(t, [[503], [429], [200]]);
  const { client: c, transport } = client(t, { backoff: { base: 4, max: 6 } });
  const hooks: RetryInfo[] = [];
  const published: { request: Request; attempt: number; delay: number; reason: string }[] = [];
  const ch = dc.channel('httpool:request:retry');
  const sub = (m: unknown): void => void published.push(m as (typeof published)[number]);
  ch.subscribe(sub);
  t.after(() => ch.unsubscribe(sub));
  const r = await within(c.get(s.url, { trace: { retry: (i) => hooks.push(i) } }), 3_000, 'two retries');
  assert.equal(r.statusCode, 200);
  await r.body.text();
  assert.deepEqual(hooks.map((h) => [h.attempt, h.reason]), [[1, 'status 503'], [2, 'status 429']]);
  assert.ok(hooks[0]!.delay >= 0 && hooks[0]!.delay <= 4, `first backoff within [0, base]: ${hooks[0]!.delay}`);
  assert.ok(hooks[1]!.delay >= 0 && hooks[1]!.delay <= 6, `second within [0, min(max, 2 × base)]: ${hooks[1]!.delay}`);
  assert.deepEqual(published.map((m) => [m.attempt, m.delay, m.reason]), hooks.map((h) => [h.attempt, h.delay, h.reason]));
  assert.ok(published.every((m) => m.request instanceof Request && m.request.url.toString().startsWith(s.url)));
  const h = hostStats(transport, s.url);
  assert.equal(h.retries, 2);
  assert.equal(h.requests, 3);
  assert.equal(h.reused, 2, 'each retry went out on the retried response’s connection');
  assert.equal(s.srv.connections, 1);
});

test('each attempt goes through the jar: a retried response’s Set-Cookie is stored and sent with the retry', async (t) => {
  const cookies: (string | undefined)[] = [];
  let n = 0;
  const srv = await httpServer((req, res) => {
    cookies.push(req.headers.cookie);
    if (n++ === 0) res.writeHead(503, { 'set-cookie': 'lb=b2; Path=/' }).end();
    else res.end('ok');
  });
  t.after(() => srv.close());
  const transport = new Transport();
  t.after(() => transport.close());
  const c = new Client({ transport, jar: new CookieJar(), retry: FAST });
  const r = await within(c.get(srv.url), 3_000, 'jar');
  assert.equal(await r.body.text(), 'ok');
  assert.deepEqual(cookies, [undefined, 'lb=b2']);
});

test('fetch over a Client with retry retries too (a Client setting the caller chose)', async (t) => {
  const s = await scripted(t, [[503], [200]]);
  const { client: c } = client(t, FAST);
  const res = await within(createFetch(c)(s.url), 3_000, 'fetch');
  assert.equal(res.status, 200);
  await res.text();
  assert.equal(s.count, 2);
});

test('retry options are validated once, at new Client (ERR_INVALID_OPTION)', () => {
  const bad: unknown[] = [
    { limit: -1 },
    { limit: 1.5 },
    { statuses: [99] },
    { statuses: '503' },
    { backoff: { base: -1 } },
    { backoff: { max: Number.NaN } },
    { backoff: 5 },
    { retryAfterMax: -1 },
    { budget: Number.POSITIVE_INFINITY },
    { budget: -0.1 },
    42,
  ];
  for (const retry of bad) {
    assert.throws(
      () => new Client({ transport: new Transport(), retry: retry as RetryOptions }),
      (e: HttpoolError) => e.code === 'ERR_INVALID_OPTION',
      JSON.stringify(retry),
    );
  }
  const p = resolveRetry({});
  assert.deepEqual([p.limit, [...p.statuses], p.base, p.max, p.retryAfterMax, p.budget], [2, [408, 429, 502, 503, 504], 100, 10_000, 60_000, 0.2]);
});

test('backoff: full jitter in [0, min(max, base × 2^(n−1))]; Retry-After parsing', () => {
  const p = resolveRetry({ backoff: { base: 100, max: 1_000 } });
  assert.equal(backoffDelay(p, 1, () => 0), 0);
  assert.equal(backoffDelay(p, 1, () => 0.999999), 99);
  assert.equal(backoffDelay(p, 3, () => 0.999999), 399);
  assert.equal(backoffDelay(p, 10, () => 0.999999), 999, 'capped by max');
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  assert.equal(retryAfterMs('120', now), 120_000);
  assert.equal(retryAfterMs(' 0 ', now), 0);
  assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:30 GMT', now), 30_000);
  assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', now), 0, 'a date past is now');
  assert.equal(retryAfterMs('soon', now), null);
  assert.equal(retryAfterMs('-5', now), null);
  assert.equal(retryAfterMs(null, now), null);
});

test('budget (literal clock): a floor of 10 per window, 0.2 per request, deposits and withdrawals expire after 10 s', () => {
  const b = new RetryBudget(0.2);
  for (let i = 0; i < 10; i++) assert.ok(b.tryWithdraw(1_000), `floor retry ${i + 1}`);
  assert.equal(b.tryWithdraw(1_000), false, 'the 11th is refused');
  for (let i = 0; i < 5; i++) b.deposit(2_000); // 5 × 0.2 = one retry
  assert.ok(b.tryWithdraw(2_000));
  assert.equal(b.tryWithdraw(2_000), false);
  // At 10.999 s the withdrawals made at 1 s are still in the window; at 11 s they have left it.
  assert.equal(b.tryWithdraw(10_999), false);
  assert.equal(b.balance(11_000), 10, 'the 1 s withdrawals left; the 2 s deposits and retry cancel out');
  assert.ok(b.tryWithdraw(11_000), 'the floor again');

  const d = new RetryBudget(0.2);
  for (let i = 0; i < 100; i++) d.deposit(0);
  assert.equal(d.balance(9_999), 30);
  assert.equal(d.balance(10_000), 10, 'deposits expire after 10 s');
});

test('budgets: one per host, the least recently used dropped past the limit', () => {
  const m = new RetryBudgets(0.2, 2);
  const a = m.for('http://a');
  m.for('http://b');
  assert.equal(m.for('http://a'), a, 'same budget for the same host');
  m.for('http://c');
  assert.equal(m.size, 2);
  assert.ok(m.has('http://a') && m.has('http://c') && !m.has('http://b'), 'b, least recently used, dropped');
});
