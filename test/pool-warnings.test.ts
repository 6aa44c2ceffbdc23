// The pool says when it is mis-sized (issue 15): HttpoolPoolWarning from a Transport's own
// figures, transport.advice(), warnOnPoolMisuse. Real loopback servers and sockets; loads are
// bounded (callers × requests), waits are margins. The window's rules and gates are also
// checked as pure functions at the end.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Client, Transport, type PoolAdvice, type TransportOptions } from '../src/index.js';
import { resetPerCall } from '../src/advice/per-call.js';
import { setTuning } from '../src/advice/tuning.js';
import { HostWindow } from '../src/advice/host-window.js';
import { advisePool } from '../src/advice/rules.js';
import { worthWarning } from '../src/advice/gate.js';
import { DEFAULT_TUNING } from '../src/advice/tuning.js';
import { emptyStats, type CloseReason, type HostStats } from '../src/stats.js';
import { Pool, type Poolable, type PoolWatcher } from '../src/transport/pool.js';
import { httpServer, sleep, until } from './support/servers.js';
import { within } from './support/within.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface PoolWarning extends Error {
  code?: string;
}

/** Every HttpoolPoolWarning emitted during the test; the listener goes with the test. */
function captureWarnings(t: TestContext): PoolWarning[] {
  const seen: PoolWarning[] = [];
  const on = (w: PoolWarning): void => {
    if (w.name === 'HttpoolPoolWarning') seen.push(w);
  };
  process.on('warning', on);
  t.after(() => process.off('warning', on));
  return seen;
}

/** Fresh process-wide state and default thresholds before and after each test. */
function fresh(t: TestContext): void {
  resetPerCall();
  setTuning();
  t.after(() => {
    resetPerCall();
    setTuning();
  });
}

async function server(t: TestContext, delayMs = 0) {
  const srv = await httpServer((_req, res) => {
    if (delayMs > 0) setTimeout(() => res.end('ok'), delayMs);
    else res.end('ok');
  });
  t.after(() => srv.close());
  return srv;
}

function transportFor(t: TestContext, opts: TransportOptions = {}) {
  const transport = new Transport(opts);
  t.after(() => transport.close());
  return { transport, client: new Client({ transport }) };
}

/** `n` callers, each making `each` requests in turn with `thinkMs` between them (a service's workers). */
async function callers(client: Client, url: string, n: number, each: number, thinkMs: number): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let i = 0; i < each; i++) {
        const res = await client.get(url);
        await res.body.text();
        if (thinkMs > 0) await sleep(thinkMs);
      }
    }),
  );
}

/**
 * Past the last check a signal may still have pending (a key's quiet time, 250 ms by default),
 * and the tick on which process.emitWarning delivers.
 */
const settle = (): Promise<void> => sleep(DEFAULT_TUNING.checkEveryMs + 100);

test('maxIdleConnsPerHost: 2 under 50 callers with think time warns HTTPOOL_POOL_CHURN once, naming the option and a value ≥ 50', async (t) => {
  fresh(t);
  const warnings = captureWarnings(t);
  const srv = await server(t);
  const { transport, client } = transportFor(t, { maxIdleConnsPerHost: 2 });
  await within(callers(client, srv.url, 50, 20, 5), 30_000, 'the load');
  await settle();

  const churn = warnings.filter((w) => w.code === 'HTTPOOL_POOL_CHURN');
  assert.equal(churn.length, 1, warnings.map((w) => `${w.code}: ${w.message}`).join('\n'));
  assert.equal(warnings.length, 1, 'nothing else (the low reuse is churn\'s to explain)');
  const w = churn[0]!;
  assert.match(w.message, /maxIdleConnsPerHost=2/);
  assert.match(w.message, new RegExp(`idle pool for 127\\.0\\.0\\.1:${srv.port} was full`));
  const at = Number(/set it to at least (\d+)/.exec(w.message)?.[1]);
  assert.ok(at >= 50, `suggests at least the 50 callers, got ${at}: ${w.message}`);

  const advice = transport.advice();
  const found = advice.find((a) => a.code === 'HTTPOOL_POOL_CHURN')!;
  assert.ok(found, JSON.stringify(advice));
  assert.equal(found.option, 'maxIdleConnsPerHost');
  assert.equal(found.host, `http://127.0.0.1:${srv.port}`);
  assert.ok(typeof found.suggested === 'number' && found.suggested >= 50);
  assert.ok((found.figures['idlePoolFull'] ?? 0) >= 96, `closed the surplus of 48 at least twice: ${JSON.stringify(found.figures)}`);
  assert.ok((found.figures['peakConcurrency'] ?? 0) >= 50);
});

test('healthy traffic (default options, the same 50 callers) warns nothing and advice() is empty, even with windows rolling fast', async (t) => {
  fresh(t);
  // Short buckets: the window rolls many times during the load, the start-up dials fall out of it.
  setTuning({ bucketMs: 200, checkEveryMs: 20, waitMinSpanMs: 100 });
  const warnings = captureWarnings(t);
  const srv = await server(t);
  const { transport, client } = transportFor(t);
  await within(callers(client, srv.url, 50, 20, 5), 30_000, 'the load');
  await settle();
  assert.deepEqual(warnings.map((w) => `${w.code}: ${w.message}`), []);
  assert.deepEqual(transport.advice(), []);
  assert.equal(transport.stats().totals.opened, srv.connections);
  assert.ok(srv.connections <= 50, `one connection per caller at most, got ${srv.connections}`);
});

test('warnOnPoolMisuse: false silences the warning while advice() still reports the churn', async (t) => {
  fresh(t);
  const warnings = captureWarnings(t);
  const srv = await server(t);
  const { transport, client } = transportFor(t, { maxIdleConnsPerHost: 2, warnOnPoolMisuse: false });
  await within(callers(client, srv.url, 50, 20, 5), 30_000, 'the load');
  await settle();
  assert.deepEqual(warnings, []);
  const churn = transport.advice().filter((a) => a.code === 'HTTPOOL_POOL_CHURN');
  assert.equal(churn.length, 1, JSON.stringify(transport.advice()));
  assert.equal(churn[0]!.option, 'maxIdleConnsPerHost');
  assert.ok((churn[0]!.suggested as number) >= 50);
  assert.throws(() => new Transport({ warnOnPoolMisuse: 'no' as unknown as boolean }), /warnOnPoolMisuse must be a boolean/);
});

test('maxIdleConns below the concurrency across hosts warns HTTPOOL_POOL_CHURN once for every key, naming maxIdleConns, and nothing per host', async (t) => {
  fresh(t);
  const warnings = captureWarnings(t);
  const servers = await Promise.all(Array.from({ length: 5 }, () => server(t)));
  const { transport, client } = transportFor(t, { maxIdleConns: 10 });
  await within(Promise.all(servers.map((srv) => callers(client, srv.url, 10, 20, 5))), 30_000, 'the load');
  await settle();
  assert.equal(warnings.length, 1, warnings.map((w) => `${w.code}: ${w.message}`).join('\n'));
  assert.equal(warnings[0]!.code, 'HTTPOOL_POOL_CHURN');
  assert.match(warnings[0]!.message, /idle pool across all hosts was full \(maxIdleConns=10\)/);
  assert.doesNotMatch(warnings[0]!.message, /maxIdleConnsPerHost/);
  const found = transport.advice();
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(found[0]!.host, '*');
  assert.equal(found[0]!.option, 'maxIdleConns');
  assert.ok((found[0]!.suggested as number) >= 40, `about the 50 callers across hosts: ${JSON.stringify(found[0])}`);
});

test('a Transport warns at most maxWarnings times per interval, the last saying so; advice() has every finding', async (t) => {
  fresh(t);
  setTuning({ maxWarnings: 2 });
  const warnings = captureWarnings(t);
  const servers = await Promise.all(Array.from({ length: 3 }, () => server(t)));
  const { transport, client } = transportFor(t, { maxIdleConnsPerHost: 1 });
  await within(Promise.all(servers.map((srv) => callers(client, srv.url, 20, 15, 5))), 30_000, 'the load');
  await settle();
  assert.deepEqual(warnings.map((w) => w.code), ['HTTPOOL_POOL_CHURN', 'HTTPOOL_POOL_CHURN']);
  assert.doesNotMatch(warnings[0]!.message, /held back/);
  assert.match(warnings[1]!.message, /further pool warnings are held back for 600 s; transport\.advice\(\) lists them/);
  const churn = transport.advice().filter((a) => a.code === 'HTTPOOL_POOL_CHURN');
  assert.deepEqual(churn.map((a) => a.host).sort(), servers.map((srv) => `http://127.0.0.1:${srv.port}`).sort());
});

test('a Transport made per call and dropped warns HTTPOOL_TRANSPORT_PER_CALL once, whatever the hosts; Transports closed after their call do not', async (t) => {
  fresh(t);
  const warnings = captureWarnings(t);
  const servers = [await server(t), await server(t)];
  const call = async (i: number, close: boolean): Promise<void> => {
    const transport = new Transport();
    const res = await new Client({ transport }).get(`${servers[i % 2]!.url}/x`);
    await res.body.text();
    if (close) await transport.close();
  };
  // Closed after each call: released on purpose, not a leak.
  for (let i = 0; i < 80; i++) await call(i, true);
  await settle();
  assert.deepEqual(warnings.map((w) => w.message), []);

  // Dropped (seed 004), to two hosts in turn: their idle sockets stay until the servers close them after the test.
  for (let i = 0; i < 120; i++) await call(i, false);
  await settle();
  assert.equal(warnings.length, 1, warnings.map((w) => `${w.code}: ${w.message}`).join('\n'));
  assert.equal(warnings[0]!.code, 'HTTPOOL_TRANSPORT_PER_CALL');
  assert.match(warnings[0]!.message, /to 127\.0\.0\.1:\d+\)/);
  assert.match(warnings[0]!.message, /share it/);

  // Any Transport of the process reports it, a healthy one included.
  const { transport } = transportFor(t);
  const perCall = transport.advice().filter((a) => a.code === 'HTTPOOL_TRANSPORT_PER_CALL');
  assert.equal(perCall.length, 1);
  assert.ok((perCall[0]!.figures['oneShot'] ?? 0) >= DEFAULT_TUNING.perCallMin);
});

test('a server that refuses keep-alive warns HTTPOOL_POOL_LOW_REUSE once, with the bench\'s sentence', async (t) => {
  fresh(t);
  const warnings = captureWarnings(t);
  const srv = await httpServer((_req, res) => {
    res.setHeader('connection', 'close');
    res.end('ok');
  });
  t.after(() => srv.close());
  const { transport, client } = transportFor(t);
  await within(callers(client, srv.url, 10, 12, 2), 30_000, 'the load');
  await settle();
  assert.deepEqual(warnings.map((w) => w.code), ['HTTPOOL_POOL_LOW_REUSE']);
  assert.match(warnings[0]!.message, /^\d+ of \d+ responses from 127\.0\.0\.1:\d+ ended their connection \(Connection: close.*the server refuses keep-alive/);
  const low = transport.advice()[0]!;
  assert.equal(low.option, null, 'the fix is on the server');
  assert.ok((low.figures['opened'] ?? 0) >= 50);
});

test('requests queued behind maxConnsPerHost: 2 warn HTTPOOL_POOL_WAIT naming the cap and the concurrency', async (t) => {
  fresh(t);
  // The window need not span a whole second for the test.
  setTuning({ waitMinSpanMs: 200 });
  const warnings = captureWarnings(t);
  const srv = await server(t, 2);
  const { transport, client } = transportFor(t, { maxConnsPerHost: 2 });
  const load = callers(client, srv.url, 50, 40, 0);
  await within(until(() => warnings.length > 0, 20_000, 'a pool warning'), 25_000, 'the warning');
  await within(load, 30_000, 'the load');
  await settle();
  assert.equal(warnings.length, 1, warnings.map((w) => `${w.code}: ${w.message}`).join('\n'));
  assert.equal(warnings[0]!.code, 'HTTPOOL_POOL_WAIT');
  assert.match(warnings[0]!.message, /because maxConnsPerHost=2 is below the 50 requests that ran at once: raise it to 50/);
  const wait = transport.advice().find((a) => a.code === 'HTTPOOL_POOL_WAIT')!;
  assert.equal(wait.option, 'maxConnsPerHost');
  assert.equal(wait.suggested, 50);
  assert.ok((wait.figures['peakWaiting'] ?? 0) >= 40, JSON.stringify(wait.figures));
  assert.equal(srv.connections, 2, 'the cap held');
});

test('bodies dropped unread again and again warn HTTPOOL_POOL_LEAKS once', async (t) => {
  fresh(t);
  const warnings = captureWarnings(t);
  // A body that never ends: each response is still arriving when it is dropped.
  const srv = await httpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('still coming');
  });
  t.after(() => srv.close());
  const { transport, client } = transportFor(t, { warnOnLeakedBody: false });
  await (async function leakTwelve() {
    for (let i = 0; i < 12; i++) assert.equal((await client.get(srv.url)).statusCode, 200);
  })();
  await until(
    () => {
      gc();
      return (transport.stats().totals.closed['body-leaked'] ?? 0) === 12;
    },
    10_000,
    'the twelve leaked bodies to be collected',
  );
  // The collections come in a burst: the last ones are read when the key's quiet time ends.
  await until(() => warnings.length > 0, 2_000, 'the pool warning');
  await sleep(300);
  assert.deepEqual(warnings.map((w) => w.code), ['HTTPOOL_POOL_LEAKS']);
  assert.match(warnings[0]!.message, /^12 responses from 127\.0\.0\.1:\d+ were garbage-collected with their body neither read nor closed/);
  const leaks = transport.advice().find((a) => a.code === 'HTTPOOL_POOL_LEAKS')!;
  assert.equal(leaks.figures['leaked'], 12);
  assert.equal(leaks.option, null);
});

// ---------------------------------------------------------------------------------------------
// The window, the rules and the gates, without sockets

/** A connection as the pool sees it, and nothing more. */
function fakeConn(pool: Pool<Poolable>, id: number, key: string): Poolable {
  const conn: Poolable = {
    id,
    key,
    keepAliveTimeoutMs: -1,
    uses: 1,
    poolState: 'active',
    idleSince: 0,
    idleDeadline: Infinity,
    idleDeadlineReason: 'idle-timeout',
    isOpen: () => conn.poolState !== 'closed',
    close: (reason: CloseReason) => pool.closed(conn, reason),
    setIdle: () => {},
  };
  return conn;
}

test('the pool tells its watcher of dials, idle-pool-full closes and capped waits, and nothing of a request served by an idle connection', async () => {
  const heard: string[] = [];
  const watcher: PoolWatcher = {
    signal: (_key, _w, _s, inFlight) => void heard.push(`signal ${inFlight}`),
    signalAcross: () => void heard.push('across'),
  };
  let id = 0;
  const limits = { maxIdleConns: 100, maxIdleConnsPerHost: 1, maxConnsPerHost: 2, maxHostStats: 1000, idleConnTimeout: 90_000, disableKeepAlives: false, idleSafetyMargin: 1_000 };
  const pool: Pool<Poolable> = new Pool<Poolable>(limits, async (key) => fakeConn(pool, ++id, key), () => performance.now(), () => ({ cancel() {} }), watcher);
  const K = 'http://a.test:80';
  const first = await pool.acquire(K);
  const second = await pool.acquire(K);
  assert.deepEqual(heard, ['signal 1', 'signal 2'], 'one signal per dial landed');
  heard.length = 0;
  const third = pool.acquire(K) as Promise<{ conn: Poolable }>;
  pool.release(first.conn);
  await third;
  assert.deepEqual(heard, ['signal 2'], 'a wait for maxConnsPerHost that ended');
  heard.length = 0;
  pool.release(second.conn);
  pool.release((await third).conn);
  assert.deepEqual(heard, ['signal 0'], 'the second idle connection closed as idle-pool-full');
  heard.length = 0;
  for (let i = 0; i < 100; i++) {
    const got = pool.acquire(K) as { conn: Poolable };
    pool.release(got.conn);
  }
  assert.deepEqual(heard, [], 'idle hits: not a word');
  pool.close();
});

function stats(over: Partial<HostStats>): HostStats {
  return { ...emptyStats(), ...over };
}

test('the window covers one to two buckets: counts are differences, peaks the larger of two buckets, a quiet spell starts afresh', () => {
  const w = new HostWindow(0);
  w.peak = 50;
  w.advance(stats({ requests: 100, opened: 50 }), 5_000, 10_000, 3);
  assert.equal(w.view(stats({ requests: 100, opened: 50 }), 5_000).observation.stats.requests, 100, 'still the first bucket');
  w.advance(stats({ requests: 1_000, opened: 50 }), 10_000, 10_000, 3);
  let v = w.view(stats({ requests: 1_500, reused: 1_400, opened: 60 }), 15_000);
  assert.equal(v.spanMs, 15_000);
  assert.equal(v.observation.stats.requests, 1_500);
  assert.equal(v.observation.peakConcurrency, 50, 'the previous bucket\'s peak still counts');
  w.advance(stats({ requests: 2_000, opened: 60 }), 20_000, 10_000, 3);
  v = w.view(stats({ requests: 2_100, opened: 61 }), 21_000);
  assert.equal(v.observation.stats.requests, 1_100, 'from the start of the bucket before');
  assert.equal(v.observation.stats.opened, 11);
  assert.equal(v.observation.peakConcurrency, 3, 'the start-up peak has left the window');
  assert.equal(w.peakAt(21_000, 10_000), 3);
  assert.equal(w.peakAt(45_000, 10_000), 0, 'a key not heard of for two buckets has no peak left');
  w.advance(stats({ requests: 2_100 }), 60_000, 10_000, 0);
  v = w.view(stats({ requests: 2_100 }), 60_000);
  assert.equal(v.spanMs, 0);
  assert.equal(v.observation.stats.requests, 0);
});

const SETTINGS = { maxIdleConns: 100, maxIdleConnsPerHost: 100, maxConnsPerHost: 0, idleConnTimeout: 90_000, disableKeepAlives: false, maxDrainBytes: 256 * 1024, drainTimeout: 1_000 };
const KEY = 'http://127.0.0.1:8080';

function judge(s: Partial<HostStats>, peak: number, settings: Partial<typeof SETTINGS> = {}, spanMs = 10_000): { advice: PoolAdvice[]; warned: PoolAdvice[] } {
  const o = { ...SETTINGS, ...settings };
  const obs = { stats: stats(s), peakConcurrency: peak, peakWaiting: 0, connWaitMs: 0 };
  const advice = advisePool({ options: o, hosts: { [KEY]: obs }, durationMs: spanMs, errors: {} });
  return { advice, warned: advice.filter((a) => worthWarning(a, obs, spanMs, o, DEFAULT_TUNING)) };
}

test('gates: one burst above the idle cap is advice, not yet a warning; the surplus closed twice over is', () => {
  const once = judge({ requests: 60, opened: 50, closed: { 'idle-pool-full': 48 } }, 50, { maxIdleConnsPerHost: 2 });
  assert.equal(once.advice.length, 1);
  assert.deepEqual(once.warned, []);
  const churn = judge({ requests: 200, reused: 10, opened: 150, closed: { 'idle-pool-full': 144 } }, 50, { maxIdleConnsPerHost: 2 });
  assert.deepEqual(churn.warned.map((a) => [a.code, a.option, a.suggested]), [['HTTPOOL_POOL_CHURN', 'maxIdleConnsPerHost', 50]]);
});

test('gates: the idle cap across hosts is named when it is the one below the concurrency', () => {
  const r = judge({ requests: 500, reused: 100, opened: 400, closed: { 'idle-pool-full': 390 } }, 50, { maxIdleConns: 10 });
  assert.deepEqual(r.warned.map((a) => [a.code, a.option, a.suggested]), [['HTTPOOL_POOL_CHURN', 'maxIdleConns', 50]]);
});

test('gates: low reuse warns only when sustained and not by choice; a start-up or disableKeepAlives does not', () => {
  // Start-up: every caller dialed once.
  assert.deepEqual(judge({ requests: 50, opened: 50 }, 50).warned, []);
  // The server closes idle connections early, again and again.
  const early = judge({ requests: 400, reused: 100, opened: 300, closed: { 'server-closed': 290 } }, 10);
  assert.deepEqual(early.warned.map((a) => [a.code, a.option]), [['HTTPOOL_POOL_LOW_REUSE', 'idleConnTimeout']]);
  // Too few dials to be more than noise.
  assert.deepEqual(judge({ requests: 40, reused: 10, opened: 30, closed: { 'server-closed': 29 } }, 2).warned, []);
  // disableKeepAlives: the bench says it, no warning nags about a choice.
  const off = judge({ requests: 400, opened: 400, closed: { 'keepalives-disabled': 400 } }, 10, { disableKeepAlives: true });
  assert.equal(off.advice.length, 1);
  assert.deepEqual(off.warned, []);
});

test('gates: leaked bodies warn HTTPOOL_POOL_LEAKS at ten in the window, not at one', () => {
  assert.deepEqual(judge({ requests: 100, reused: 99, opened: 1, closed: { 'body-leaked': 1 } }, 5).warned, []);
  const r = judge({ requests: 100, reused: 80, opened: 20, closed: { 'body-leaked': 12 } }, 5);
  assert.deepEqual(r.warned.map((a) => [a.code, a.option, a.figures['leaked']]), [['HTTPOOL_POOL_LEAKS', null, 12]]);
});
