// `httpool bench` as a user runs it (the built CLI in a child process, against its embedded
// server or a port nothing listens on), its advice rules as a pure function, its latency
// histogram, its argument checks, and runBench as the report code calls it. Runs are small
// (-n 2000 or less) so the file takes seconds. Colors and the progress line need a terminal,
// which a child's piped stdio is not, so those are checked in-process with streams that claim
// to be TTYs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { Writable } from 'node:stream';
import { HttpoolError, Client, type HostStats, type Transport } from '../src/index.js';
import { emptyStats } from '../src/stats.js';
import { advise, type AdviceInput, type HostObservation, type PoolSettings } from '../cli/bench/advice.js';
import { LatencyHistogram } from '../cli/bench/histogram.js';
import { parseBenchArgs } from '../cli/bench/options.js';
import { runBench, type BenchResult } from '../cli/commands/bench.js';
import { HARD_MAX_REQUESTS } from '../cli/bench/run.js';
import { main } from '../cli/main.js';
import { UsageError, type Io } from '../cli/io.js';
import { runCli } from './support/cli.js';
import { closedPort } from './support/servers.js';

const T = { timeout: 30_000 };
const ESC = '\u001b[';
const HOST = 'http://127.0.0.1:8080';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `httpool bench …args`, stdout as text. */
async function cli(args: string[], env: Record<string, string> = {}, ms = 15_000): Promise<Run> {
  const r = await runCli(['bench', ...args], { env, ms });
  return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr };
}

/** The value after a report label ("requests      2,000 (…)" → "2,000 (…)"); fails if the line is missing. */
function field(out: string, label: string): string {
  const m = new RegExp(`^${label}\\s{2,}(.+)$`, 'm').exec(out);
  assert.ok(m, `no "${label}" line in:\n${out}`);
  return m[1]!;
}

/** "1,950" → 1950, "9.81" → 9.81. */
function num(s: string): number {
  const n = Number(s.replace(/,/g, ''));
  assert.ok(Number.isFinite(n), `not a number: ${s}`);
  return n;
}


/** An Io whose streams collect text and claim to be terminals (or not). */
function fakeIo(tty: boolean, env: NodeJS.ProcessEnv): Io & { stdout(): string; stderr(): string } {
  const sink = (): Writable & { isTTY?: boolean; text: string } => {
    const w = new Writable({
      write(chunk: Buffer, _enc, cb) {
        w.text += chunk.toString('utf8');
        cb();
      },
    }) as Writable & { isTTY?: boolean; text: string };
    w.text = '';
    w.isTTY = tty;
    return w;
  };
  const out = sink();
  const err = sink();
  return { out, err, env, stdout: () => out.text, stderr: () => err.text };
}

// ---------------------------------------------------------------------------------------------
// advice.ts: the rules, without sockets

const DEFAULT_POOL: PoolSettings = {
  maxIdleConns: 100,
  maxIdleConnsPerHost: 100,
  maxConnsPerHost: 0,
  idleConnTimeout: 90_000,
  disableKeepAlives: false,
  maxDrainBytes: 256 * 1024,
  drainTimeout: 1_000,
};

function hostStats(over: Partial<HostStats>): HostStats {
  return { ...emptyStats(), ...over };
}

function input(stats: Partial<HostStats>, more: { pool?: Partial<PoolSettings>; host?: Partial<HostObservation>; errors?: Record<string, number> } = {}): AdviceInput {
  return {
    options: { ...DEFAULT_POOL, ...more.pool },
    hosts: { [HOST]: { stats: hostStats(stats), peakConcurrency: 50, peakWaiting: 0, connWaitMs: 0, ...more.host } },
    concurrency: 50,
    durationMs: 1_000,
    errors: more.errors ?? {},
  };
}

test('advice: a healthy run (50 connections for 2,000 requests, nothing closed) gets none', () => {
  assert.deepEqual(advise(input({ requests: 2000, reused: 1950, opened: 50 })), []);
});

test('advice: idle-pool-full under a per-host cap below the concurrency names maxIdleConnsPerHost, the count and the concurrency', () => {
  const advice = advise(input({ requests: 2000, reused: 50, opened: 1950, closed: { 'idle-pool-full': 1948 } }, { pool: { maxIdleConnsPerHost: 2 } }));
  assert.equal(advice.length, 1, advice.join('\n'));
  assert.match(advice[0]!, /^1,948 connections closed because the idle pool for 127\.0\.0\.1:8080 was full \(maxIdleConnsPerHost=2\) while 50 requests ran at once/);
  assert.match(advice[0]!, /set it to at least 50\.$/);
});

test('advice: idle-pool-full caused by the global cap names maxIdleConns, not maxIdleConnsPerHost', () => {
  const advice = advise(input({ requests: 2000, reused: 1000, opened: 1000, closed: { 'idle-pool-full': 990 } }, { pool: { maxIdleConns: 10 } }));
  assert.equal(advice.length, 1, advice.join('\n'));
  assert.match(advice[0]!, /990 connections closed because the idle pool across all hosts was full \(maxIdleConns=10\) while 50 requests ran at once: set maxIdleConns to at least 50/);
  assert.doesNotMatch(advice[0]!, /maxIdleConnsPerHost/);
});

test('advice: requests waiting under a maxConnsPerHost below the concurrency name the cap and the wait', () => {
  // 40 requests waiting on average over 1 s: Little's law from 40,000 ms of total wait.
  const capped = input({ requests: 2000, reused: 1990, opened: 10 }, { pool: { maxConnsPerHost: 10 }, host: { peakWaiting: 40, connWaitMs: 40_000 } });
  const advice = advise(capped);
  assert.equal(advice.length, 1, advice.join('\n'));
  assert.match(advice[0]!, /waited 20\.00 ms on average for a connection \(up to 40 waiting at once, 40\.0 on average\) because maxConnsPerHost=10 is below the 50 requests that ran at once: raise it to 50/);
  // The same cap with hardly any waiting is a deliberate limit that costs nothing: no advice.
  assert.deepEqual(advise(input({ requests: 2000, reused: 1990, opened: 10 }, { pool: { maxConnsPerHost: 10 }, host: { peakWaiting: 1, connWaitMs: 50 } })), []);
  // And a cap at or above the concurrency is never blamed.
  assert.deepEqual(advise(input({ requests: 2000, reused: 1950, opened: 50 }, { pool: { maxConnsPerHost: 50 }, host: { peakWaiting: 40, connWaitMs: 40_000 } })), []);
});

test('advice: server-closed and server-idle-limit closes point at idleConnTimeout', () => {
  const advice = advise(input({ requests: 1000, reused: 700, opened: 300, closed: { 'server-closed': 200, 'server-idle-limit': 50 } }));
  assert.equal(advice.length, 1, advice.join('\n'));
  assert.match(advice[0]!, /^250 connections to 127\.0\.0\.1:8080 ended on the server's idle schedule/);
  assert.match(advice[0]!, /200 closed by the server while idle \(server-closed\), 50 retired just before its idle limit \(server-idle-limit\)/);
  assert.match(advice[0]!, /shorter than idleConnTimeout=90,000 ms; set idleConnTimeout below the server's keep-alive timeout/);
});

test('advice: disableKeepAlives says every request dialed', () => {
  const advice = advise(input({ requests: 2000, reused: 0, opened: 2000, closed: { 'keepalives-disabled': 2000 } }, { pool: { disableKeepAlives: true } }));
  assert.equal(advice.length, 1, advice.join('\n'));
  assert.match(advice[0]!, /disableKeepAlives is on, so every one of the 2,000 requests to 127\.0\.0\.1:8080 dialed its own connection \(2,000 opened, 2,000 new connections a second\)/);
});

test('advice: connection-close closes say the server refuses keep-alive', () => {
  const advice = advise(input({ requests: 500, reused: 0, opened: 500, closed: { 'connection-close': 500 } }));
  assert.equal(advice.length, 1, advice.join('\n'));
  assert.match(advice[0]!, /500 of 500 responses from 127\.0\.0\.1:8080 ended their connection .*the server refuses keep-alive, so 500 connections were dialed/);
});

test('advice: body-not-drained closes say to read bodies or raise maxDrainBytes', () => {
  const advice = advise(input({ requests: 500, reused: 400, opened: 100, closed: { 'body-not-drained': 100 } }));
  assert.equal(advice.length, 1, advice.join('\n'));
  assert.match(advice[0]!, /100 connections to 127\.0\.0\.1:8080 closed because a body was closed with more than maxDrainBytes=262,144 bytes .*read bodies to the end.*raise maxDrainBytes/);
});

test('advice: low reuse with no specific cause reports the ratio, the closes and the errors', () => {
  const advice = advise(input({ requests: 1000, reused: 100, opened: 900, closed: { 'read-error': 880 } }, { errors: { ERR_READ: 20 } }));
  assert.equal(advice.length, 1, advice.join('\n'));
  assert.match(advice[0]!, /^Only 10\.0% of 1,000 requests to 127\.0\.0\.1:8080 reused a connection: 900 connections were opened for at most 50 requests at once \(closed: read-error 880; failed: ERR_READ ×20\)\.$/);
});

test('advice: a close below 1% of the requests is noise, unless a cap below the concurrency explains it', () => {
  assert.deepEqual(advise(input({ requests: 10_000, reused: 9949, opened: 51, closed: { 'server-closed': 1 } })), []);
  // 48 idle-pool-full closes in 10,000 requests are 0.48%, but maxIdleConnsPerHost=2 < 50 is the cause.
  const advice = advise(input({ requests: 10_000, reused: 9950, opened: 50, closed: { 'idle-pool-full': 48 } }, { pool: { maxIdleConnsPerHost: 2 } }));
  assert.equal(advice.length, 1);
  assert.match(advice[0]!, /maxIdleConnsPerHost=2/);
});

// ---------------------------------------------------------------------------------------------
// stats.ts and options.ts

test('latency histogram: percentiles within 1% of the exact ones, max exact, empty is null', () => {
  const h = new LatencyHistogram();
  assert.equal(h.summary(), null);
  // 1..10,000 in steps of 0.01 ms … 100 ms: the p-th percentile is p ms.
  for (let i = 1; i <= 10_000; i++) h.record(i / 100);
  const s = h.summary()!;
  for (const [got, want] of [[s.p50, 50], [s.p90, 90], [s.p99, 99]] as const) {
    assert.ok(Math.abs(got - want) / want < 0.01, `percentile ${got} vs ${want}`);
  }
  assert.equal(s.max, 100);
  assert.ok(Math.abs(s.mean - 50.005) < 1e-9);
  assert.equal(h.count, 10_000);
});

test('options: -d overrides -n and is bounded by the hard cap (or by -n when given); server flags need no URL', () => {
  const d = parseBenchArgs(['-d', '2.5']).bench;
  assert.equal(d.durationMs, 2500);
  assert.equal(d.requests, HARD_MAX_REQUESTS);
  assert.equal(parseBenchArgs(['-d', '1', '-n', '300']).bench.requests, 300);
  const plain = parseBenchArgs([]).bench;
  assert.equal(plain.requests, 10_000);
  assert.equal(plain.concurrency, 50);
  assert.equal(plain.durationMs, null);
  assert.deepEqual(parseBenchArgs(['--max-idle-per-host', '2', '--max-idle', '7', '--max-conns-per-host', '9', '--idle-timeout', '500', '--disable-keepalives']).bench.pool, {
    maxIdleConnsPerHost: 2,
    maxIdleConns: 7,
    maxConnsPerHost: 9,
    idleConnTimeout: 500,
    disableKeepAlives: true,
  });
  assert.equal(parseBenchArgs(['127.0.0.1:8080/x']).bench.url, 'http://127.0.0.1:8080/x');
  assert.throws(() => parseBenchArgs(['http://127.0.0.1:1/', '--server-delay', '5']), UsageError);
  assert.throws(() => parseBenchArgs(['-d', '0']), UsageError);
  assert.throws(() => parseBenchArgs(['-c', '0']), UsageError);
  assert.throws(() => parseBenchArgs(['a', 'b']), UsageError);
  assert.throws(() => parseBenchArgs(['-H', 'Bad Name: x']), UsageError, 'a header the transport would refuse at send time');
  assert.deepEqual(parseBenchArgs(['-H', 'X-A: 1 2']).bench.headers, [['X-A', '1 2']]);
});

// ---------------------------------------------------------------------------------------------
// The CLI in a child process

test('bench (defaults): every report line is there and parses; 2,000 requests over 50 connections; no advice; exit 0; no ANSI', T, async () => {
  const r = await cli(['-n', '2000']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes(ESC) && !r.stderr.includes(ESC), 'no escape codes off a terminal');
  assert.equal(r.stderr, '', 'no progress line off a terminal');
  assert.match(field(r.stdout, 'requests'), /^2,000 \(2,000 ok, 0 failed\)$/);
  assert.ok(num(field(r.stdout, 'duration').replace(/ s$/, '')) > 0);
  assert.ok(num(field(r.stdout, 'throughput').replace(/ req\/s$/, '')) > 0);
  const lat = /^p50 ([\d.,]+)  p90 ([\d.,]+)  p99 ([\d.,]+)  p99\.9 ([\d.,]+)  max ([\d.,]+)$/.exec(field(r.stdout, 'latency ms'));
  assert.ok(lat, field(r.stdout, 'latency ms'));
  const [p50, p90, p99, p999, max] = lat.slice(1).map(num) as [number, number, number, number, number];
  assert.ok(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= max, `ordered percentiles: ${lat[0]}`);
  assert.match(field(r.stdout, 'server'), /^embedded server: child process pid \d+$/);
  assert.match(r.stdout, /^2,000 requests, closed model: 50 concurrent callers, GET, HTTP\/1\.1$/m);
  // The text histogram: log-scaled rows "  FROM ms  BAR  COUNT  SHARE" whose counts add up to the requests.
  const rows = [...r.stdout.matchAll(/^ {2}\s*[\d.,]+ ms  [█▏ ]+\s+([\d,]+)\s+[\d.]+%$/gm)];
  assert.ok(rows.length >= 1 && rows.length <= 8, `histogram rows:\n${r.stdout}`);
  assert.equal(rows.reduce((n, m) => n + num(m[1]!), 0), 2000);
  assert.match(field(r.stdout, 'per second'), /^(?:[\d,]+ min, [\d,]+ mean, [\d,]+ max req\/s over \d+ full seconds?; no second had errors \(--json has every second\)|none: the run was shorter than a second)$/);
  assert.equal(field(r.stdout, 'statuses'), '200 ×2,000');
  assert.equal(field(r.stdout, 'errors'), 'none');
  assert.match(field(r.stdout, 'connections'), /^50 opened, 50 idle at the end$/);
  assert.equal(field(r.stdout, 'reuse'), '97.5% (1,950 of 2,000 requests on a reused connection)');
  assert.equal(field(r.stdout, 'closed'), 'none');
  assert.match(field(r.stdout, 'pool'), /maxIdleConnsPerHost=100 maxIdleConns=100/);
  assert.equal(field(r.stdout, 'server saw'), '50 connections, 2,000 requests');
  assert.match(r.stdout, /^No advice: 2,000 requests over 50 connections, reuse 97\.5%\.$/m);
  assert.doesNotMatch(r.stdout, /^advice$/m);
});

test('bench --json: one JSON object on stdout with the totals (requests == -n) and nothing else', T, async () => {
  const r = await cli(['-n', '2000', '-c', '20', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as BenchResult; // the whole of stdout: nothing before or after
  assert.equal(j.requests, 2000);
  assert.equal(j.ok, 2000);
  assert.equal(j.failed, 0);
  assert.deepEqual(j.errors, {});
  assert.deepEqual(j.statuses, { '200': 2000 });
  assert.equal(j.stopped, 'requests');
  assert.equal(j.concurrency, 20);
  assert.equal(j.method, 'GET');
  assert.ok(j.durationMs > 0 && j.requestsPerSecond > 0);
  assert.ok(j.latencyMs !== null && j.latencyMs.p50 <= j.latencyMs.p90 && j.latencyMs.p90 <= j.latencyMs.p99 && j.latencyMs.p99 <= j.latencyMs.max);
  assert.equal(j.connections.opened, 20);
  assert.equal(j.connections.reused, 1980);
  assert.equal(j.connections.transportRequests, 2000);
  assert.equal(j.connections.reuseRatio, 0.99);
  assert.deepEqual(j.closed, {});
  assert.deepEqual(j.server, { connections: 20, requests: 2000 });
  assert.equal(j.pool.maxIdleConnsPerHost, 100);
  const host = Object.values(j.hosts);
  assert.equal(host.length, 1);
  assert.equal(host[0]!.peakConcurrency, 20);
  assert.deepEqual(j.advice, []);
});

test('bench with Go idle pool (-c 50 --max-idle-per-host 2, server delay 2 ms): idle-pool-full closes and advice naming maxIdleConnsPerHost and 50', T, async () => {
  const r = await cli(['-n', '2000', '-c', '50', '--server-delay', '2', '--max-idle-per-host', '2']);
  assert.equal(r.code, 0, r.stderr);
  const idleFull = /idle-pool-full ([\d,]+)/.exec(field(r.stdout, 'closed'));
  assert.ok(idleFull, field(r.stdout, 'closed'));
  assert.ok(num(idleFull[1]!) >= 48, 'at least the 48 connections beyond the 2 slots closed');
  assert.match(r.stdout, /^advice$/m);
  assert.match(r.stdout, /^ {2}- [\d,]+ connections closed because the idle pool for 127\.0\.0\.1:\d+ was full \(maxIdleConnsPerHost=2\) while 50 requests ran at once.*set it to at least 50\.$/m);
  assert.doesNotMatch(r.stdout, /No advice/);
});

test('bench with callers pausing between requests and Go idle pool: connections churn, as in seed 002', T, async () => {
  const r = await cli(['-n', '1000', '--think', '5', '--max-idle-per-host', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as BenchResult;
  assert.equal(j.requests, 1000);
  assert.ok(j.connections.opened > 200, `connections dialed again and again: ${j.connections.opened}`);
  assert.ok((j.closed['idle-pool-full'] ?? 0) > 200);
  assert.equal(j.server?.connections, j.connections.opened, 'the server saw each of them');
  assert.match(j.advice[0]!, /maxIdleConnsPerHost=2\) while 50 requests ran at once/);
});

test('bench --max-conns-per-host below the concurrency: requests wait and the advice names the cap', T, async () => {
  const r = await cli(['-n', '600', '--server-delay', '2', '--max-conns-per-host', '5', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as BenchResult;
  assert.equal(j.connections.opened, 5);
  assert.ok(Object.values(j.hosts)[0]!.peakWaiting >= 40, 'about 45 callers queued behind 5 connections');
  assert.equal(j.advice.length, 1, j.advice.join('\n'));
  assert.match(j.advice[0]!, /because maxConnsPerHost=5 is below the 50 requests that ran at once: raise it to 50/);
});

test('bench --server-close: every response closes its connection and the advice says the server refuses keep-alive', T, async () => {
  const r = await cli(['-n', '300', '-c', '10', '--server-close', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as BenchResult;
  assert.equal(j.closed['connection-close'], 300);
  assert.match(j.advice.join('\n'), /300 of 300 responses from 127\.0\.0\.1:\d+ ended their connection .*refuses keep-alive/);
});

test('bench -d: a duration run stops on time; -n still caps it', T, async () => {
  const timed = JSON.parse((await cli(['-d', '0.3', '-c', '5', '--json'])).stdout) as BenchResult;
  assert.equal(timed.stopped, 'duration');
  assert.equal(timed.plan.durationMs, 300);
  assert.ok(timed.durationMs >= 300 && timed.durationMs < 5_000, `ran ${timed.durationMs} ms`);
  assert.equal(timed.requests, timed.ok);
  const capped = JSON.parse((await cli(['-d', '30', '-n', '100', '-c', '5', '--json'])).stdout) as BenchResult;
  assert.equal(capped.stopped, 'requests');
  assert.equal(capped.requests, 100);
});

test('bench: an unknown flag is exit 2 with a one-line reason and nothing on stdout', T, async () => {
  const r = await cli(['--concurency', '5']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^httpool bench: unknown flag --concurency\nRun 'httpool bench --help' for usage\.\n$/);
});

test('bench --help: the usage on stdout, every flag listed, exit 0', T, async () => {
  const r = await cli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^usage: httpool bench \[URL\] \[options\]/);
  for (const flag of ['--rate', '--warmup', '--body @FILE', '--http2', '--insecure', '--cacert', '--unix-socket', '--concurrency', '--requests', '--duration', '--method', '--header', '--think', '--body-bytes', '--timeout', '--max-conns-per-host', '--max-idle-per-host', '--max-idle ', '--idle-timeout', '--disable-keepalives', '--server-delay', '--server-body-bytes', '--server-close', '--server-idle-timeout', '--json', '--help']) {
    assert.ok(r.stdout.includes(flag), `usage lists ${flag}`);
  }
  assert.match(r.stdout, /Exit status: 0 when the bench ran/);
});

test('bench against a port that refuses every connection: exit 1, ERR_CONNECT counted, one line on stderr, bails out early', T, async () => {
  const port = await closedPort();
  const r = await cli([`http://127.0.0.1:${port}/`, '-n', '5000', '-c', '10']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^httpool bench: no request succeeded \(ERR_CONNECT ×\d+\): .*ECONNREFUSED/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  const requests = num(/^([\d,]+)/.exec(field(r.stdout, 'requests'))![1]!);
  assert.ok(requests < 100, `stopped after ${requests} refused requests, not 5,000`);
  assert.match(field(r.stdout, 'errors'), /^ERR_CONNECT ×/);
});

// ---------------------------------------------------------------------------------------------
// In-process: colors and the progress line need a terminal

test('bench on a terminal: colors and a \\r progress line on stderr; NO_COLOR removes the colors', T, async () => {
  const tty = fakeIo(true, { TERM: 'xterm-256color' });
  assert.equal(await main(['bench', '-n', '3000', '-c', '10', '--think', '1'], tty), 0);
  assert.ok(tty.stdout().includes(ESC), 'a terminal gets colors (so the NO_COLOR check below means something)');
  assert.match(tty.stderr(), /^\r\d[\d,]* \/ 3,000 requests {2}[\d,]+ req\/s {2}0 errors\/s {2}\d+ in flight\u001b\[K/);
  assert.ok(tty.stderr().endsWith('\r\u001b[K'), 'the progress line is cleared at the end');

  const noColor = fakeIo(true, { TERM: 'xterm-256color', NO_COLOR: '1' });
  assert.equal(await main(['bench', '-n', '500', '-c', '10'], noColor), 0);
  assert.ok(!noColor.stdout().includes(ESC), noColor.stdout());
  assert.match(noColor.stdout(), /^No advice: 500 requests/m);

  // The open model's live line: the last second's throughput and errors, then the schedule's books.
  const open = fakeIo(true, { TERM: 'xterm-256color', NO_COLOR: '1' });
  assert.equal(await main(['bench', '--rate', '300', '-d', '1.5', '-c', '10', '--warmup', '0.3'], open), 0);
  assert.match(open.stderr(), /^\rwarm-up \(not counted\): [\d,]+ requests {2}[\d,]+ req\/s {2}0 errors\/s {2}\d+ in flight\u001b\[K/, 'the warm-up shows as such');
  assert.match(open.stderr(), /\r[\d,]+ requests {2}1\.\d\/1\.5 s {2}[\d,]+ req\/s {2}0 errors\/s {2}[\d,]+\/[\d,]+ sent {2}[\d,]+ late {2}\d+ in flight\u001b\[K/);
  assert.match(open.stdout(), /^rate {10}(held|NOT held): /m); // which one is the machine's business, not the test's

  const pipe = fakeIo(false, { TERM: 'xterm-256color' });
  assert.equal(await main(['bench', '-n', '500', '-c', '10'], pipe), 0);
  assert.equal(pipe.stderr(), '', 'no progress line off a terminal');
  assert.ok(!pipe.stdout().includes(ESC));
});

// ---------------------------------------------------------------------------------------------
// runBench, as the report code calls it

test('runBench: onTransport sees the fresh Transport before any traffic; afterwards the transport and the server are closed', T, async () => {
  let seen: Transport | null = null;
  let requestsAtHook = -1;
  const result = await runBench({
    requests: 200,
    concurrency: 4,
    onTransport: (t) => {
      seen = t;
      requestsAtHook = t.stats().totals.requests;
    },
  });
  assert.ok(seen !== null, 'onTransport was called');
  assert.equal(requestsAtHook, 0, 'called before the first request');
  assert.equal(result.requests, 200);
  assert.equal(result.connections.opened, 4);
  assert.equal((seen as Transport).stats().totals.requests, 200, 'the transport it saw carried the run');
  // The transport is closed: another request fails with ERR_TRANSPORT_CLOSED.
  const client = new Client({ transport: seen as Transport });
  await assert.rejects(client.get(result.url), (err: HttpoolError) => err.code === 'ERR_TRANSPORT_CLOSED');
  // The embedded server is gone: a fresh connection is refused.
  await assert.rejects(
    new Promise<void>((resolve, reject) => {
      const s = net.connect(Number(new URL(result.url).port), '127.0.0.1', () => {
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    }),
    /ECONNREFUSED/,
  );
});

test('runBench: an aborted signal stops issuing requests and the result says interrupted', T, async () => {
  const stop = new AbortController();
  const result = await runBench({
    durationMs: 20_000,
    concurrency: 5,
    onProgress: (p) => {
      if (p.done >= 100) stop.abort();
    },
    signal: stop.signal,
  });
  assert.equal(result.stopped, 'interrupted');
  assert.ok(result.requests >= 100 && result.requests < 100_000, `${result.requests} requests`);
  assert.ok(result.durationMs < 10_000);
});

test('bench --report writes one self-contained page with the timeline data, the advice and no network references', async () => {
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'httpool-bench-report-'));
  try {
    const file = join(dir, 'bench.html');
    const r = await cli(['-n', '600', '-c', '20', '--think', '2', '--max-idle-per-host', '2', '--report', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /report written to .*bench\.html/);
    const html = readFileSync(file, 'utf8');
    assert.match(html, /Connection timeline/);
    assert.match(html, /maxIdleConnsPerHost=2/, 'the advice is on the page');
    assert.match(html, /idle-pool-full/);
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=["']?https?:/i, 'nothing is fetched from the network');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
