// runBench: one bench run, programmatic. A fresh Transport (so its stats describe this run
// only), an embedded server in a child process when no URL is given, an optional uncounted
// warm-up, the load (closed model, or open with a rate), a stats sampler, the advice, and a
// cleanup that always runs: transport closed, server process stopped, timers cleared, so the
// process can exit. `httpool bench` is a thin shell over this; the HTML report calls it
// directly and subscribes through onTransport before the first request goes out.

import { Client, Request, Transport, type ClientTrace, type CloseReason, type HostStats, type TransportOptions, type TransportStats } from '../../src/index.js';
import { resolveOptions } from '../../src/transport/options.js';
import { PoolKey } from '../../src/transport/key.js';
import { advise, type HostObservation, type PoolSettings } from './advice.js';
import { MAX_DRAIN_MS, startLoad, type LoadLive, type LoadOutcome, type StopReason } from './load.js';
import type { EmbeddedServerInfo, EmbeddedServerOptions } from './server.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { RELATIVE_ERROR, type HistogramBucket, type LatencyHistogram, type LatencySummary } from './histogram.js';
import type { SecondRow } from './series.js';
import type { ScheduleCounts } from './schedule.js';
import { statsSince } from './stats-since.js';

export const DEFAULT_CONCURRENCY = 50;
export const DEFAULT_REQUESTS = 10_000;
/** With a duration, the run also stops at this many requests unless a count was given. */
export const HARD_MAX_REQUESTS = 10_000_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** How often the pool is sampled for `waiting` and progress (the progress line redraws at most every 100 ms). */
const SAMPLE_MS = 20;
/** How long the end of a run waits for the embedded server to count the connections still in its accept queue. */
const SERVER_SETTLE_MS = 1000;

/** The Transport knobs the bench exposes as flags. */
export type BenchPoolOptions = Pick<
  TransportOptions,
  'maxConnsPerHost' | 'maxIdleConnsPerHost' | 'maxIdleConns' | 'idleConnTimeout' | 'disableKeepAlives'
>;

export interface BenchProgress {
  done: number;
  ok: number;
  failed: number;
  inFlight: number;
  elapsedMs: number;
  /** The last complete second (null in the first one): what the live line shows as "now". */
  lastSecond: SecondRow | null;
  /** Open model: the schedule's books so far; null in the closed model. */
  schedule: ScheduleCounts | null;
  /** The uncounted warm-up is running (these figures are its own, and will not be reported). */
  warmingUp: boolean;
}

export interface BenchOptions {
  /** The URL to load; null or absent starts the embedded server. */
  url?: string | null;
  /** Concurrent callers. @default 50 */
  concurrency?: number;
  /** Requests in total; with durationMs, the cap. @default 10000, or HARD_MAX_REQUESTS with a duration */
  requests?: number;
  /** Run this long instead of a fixed count. */
  durationMs?: number | null;
  method?: string;
  headers?: [string, string][];
  /** Each caller pauses this long between its requests (closed model). @default 0 */
  thinkMs?: number;
  /**
   * Open model: send this many requests a second on a schedule, latency measured from each one's
   * intended send time; `concurrency` is then the most in flight at once. null = closed model.
   */
  rate?: number | null;
  /** Send a body of this many bytes with each request. @default 0 (none) */
  bodyBytes?: number;
  /** Send this body with each request (--body @file); wins over bodyBytes. */
  body?: Buffer | null;
  /** HTTP/2: ALPN h2 for https, prior-knowledge h2c for http (and an h2c embedded server). @default false (HTTP/1.1) */
  http2?: boolean;
  /** Do not verify the server's certificate (-k). */
  insecure?: boolean;
  /** Trust these CA certificates (PEM) instead of the system's (--cacert). */
  ca?: Buffer | null;
  /** Every connection goes to this Unix socket; the URL gives the scheme and Host. */
  socketPath?: string | null;
  /**
   * Run the same load this long first, on the same Transport, and count none of it: the client's
   * cold start (JIT, the first dials) is then out of the figures. @default 0
   */
  warmupMs?: number;
  /** Client timeout per request, ms; 0 = none. @default 30000 */
  timeoutMs?: number;
  pool?: BenchPoolOptions;
  /** The embedded server's behaviour (ignored with a URL). */
  server?: EmbeddedServerOptions;
  /** Stops issuing requests; those in flight finish and the result covers what ran. */
  signal?: AbortSignal;
  /** Called with the run's Transport before any traffic (a timeline recorder subscribes here). */
  onTransport?: (transport: Transport) => void | Promise<void>;
  /** Called about every 20 ms while the load runs. */
  onProgress?: (p: BenchProgress) => void;
}

export interface BenchHost extends HostStats {
  /** Most requests in flight to this host at once. */
  peakConcurrency: number;
  /** Most requests waiting for a connection at once (sampled). */
  peakWaiting: number;
  /** Mean ms between asking for a connection and getting one (dials included). */
  connWaitMeanMs: number;
  connWaitMaxMs: number;
}

/** The open model's books: was the rate held? */
export interface OpenResult {
  /** Target requests per second. */
  rate: number;
  /** Requests whose intended send time came within the run. */
  scheduled: number;
  sent: number;
  completed: number;
  /** Sent more than lateAfterMs after their intended time. */
  late: number;
  lateAfterMs: number;
  /** Due while all -c slots were busy, so sent when one freed. */
  waitedForSlot: number;
  maxLagMs: number;
  meanLagMs: number;
  /** Scheduled but never sent: the run stopped (interrupt, or the backlog outlived its drain time). */
  unsent: number;
  /** Requests sent per second, from the first intended time to the last send. */
  achievedRate: number;
  /** Sent on schedule: nothing unsent, at least 95% of the target rate, no more than 5% late. */
  held: boolean;
  peakInFlight: number;
  /** Latency from the actual send, for comparison with latencyMs (from the intended send). */
  serviceMs: LatencySummary | null;
}

export interface BenchResult {
  url: string;
  /** Closed: -c callers as fast as answers come. Open: --rate requests a second on a schedule. */
  model: 'closed' | 'open';
  /** The embedded server's settings, or null when a URL was given. */
  embeddedServer: EmbeddedServerInfo | null;
  /** Where the server ran: the embedded server's child process, or a URL (the server is the user's). */
  serverProcess: { pid: number } | null;
  method: string;
  /** Closed model: callers. Open model: requests in flight at most. */
  concurrency: number;
  plan: { requests: number; durationMs: number | null; thinkMs: number; rate: number | null; warmupMs: number };
  /** Responses by protocol (HTTP/1.1, HTTP/2.0). */
  protocols: Record<string, number>;
  /** Why the load stopped: the count, the duration, an interrupt, or nothing succeeding. */
  stopped: StopReason;
  /** Calls completed (ok + failed); equals plan.requests when the count ended the run. */
  requests: number;
  ok: number;
  failed: number;
  /** Failed calls by error code (ERR_CONNECT, ERR_TIMEOUT, …). */
  errors: Record<string, number>;
  /** Responses by status code. */
  statuses: Record<string, number>;
  firstError: string | null;
  durationMs: number;
  requestsPerSecond: number;
  /**
   * Latency of the successful calls, body read included; null when none succeeded. Closed
   * model: from the send. Open model: from the intended send time (coordinated-omission free).
   */
  latencyMs: LatencySummary | null;
  /** The same latencies as HDR buckets (each within relativeError of its values). */
  histogram: { relativeError: number; buckets: HistogramBucket[] };
  /** One row a second: sent, ok, failed, connections opened, most waiting for a connection. */
  perSecond: SecondRow[];
  /** Open model's books, or null in the closed model. */
  open: OpenResult | null;
  pool: PoolSettings;
  connections: {
    opened: number;
    /** Requests sent on a connection that had served one before. */
    reused: number;
    /** Requests the transport sent (retries included): the reuse ratio's denominator. */
    transportRequests: number;
    reuseRatio: number;
    /** Connections still idle when the load ended (the bench then closes them). */
    idleAtEnd: number;
  };
  /** Why connections closed during the run (transport.stats().totals.closed at the end of the load). */
  closed: Partial<Record<CloseReason, number>>;
  hosts: Record<string, BenchHost>;
  /** What the embedded server saw, or null with a URL. */
  server: { connections: number; requests: number } | null;
  advice: string[];
}

/**
 * A rate counts as held when nothing scheduled was left unsent, at least this share of it went
 * out (achieved over target), and at most this share left late: a few late sends are timer
 * jitter and the odd pause of a shared machine, many are a client or server that fell behind.
 */
const HELD_MIN_SENT_SHARE = 0.95;
const HELD_MAX_LATE_SHARE = 0.05;

/** JSON-friendly figures: microseconds are plenty for milliseconds, 0.1 for a rate. */
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

function poolSettings(pool: BenchPoolOptions): PoolSettings {
  const r = resolveOptions(pool);
  return {
    maxIdleConns: r.maxIdleConns,
    maxIdleConnsPerHost: r.maxIdleConnsPerHost,
    maxConnsPerHost: r.maxConnsPerHost,
    idleConnTimeout: r.idleConnTimeout,
    disableKeepAlives: r.disableKeepAlives,
    maxDrainBytes: r.maxDrainBytes,
    drainTimeout: r.drainTimeout,
  };
}

/** Samples the pool: the peak of waiting and of in-flight (active + waiting) per host. */
class PoolSampler {
  readonly peakWaiting: Record<string, number> = {};
  readonly peakBusy: Record<string, number> = {};

  #opened = 0;

  constructor(private readonly transport: Transport) {
    // After a warm-up the transport has opened connections already: count from here.
    this.#opened = transport.stats().totals.opened;
  }

  /** Also fills the second's row: connections opened since the last sample, most waiting. */
  sample(row: SecondRow): void {
    const stats = this.transport.stats();
    let waiting = 0;
    for (const [key, h] of Object.entries(stats.hosts)) {
      this.peakWaiting[key] = Math.max(this.peakWaiting[key] ?? 0, h.waiting);
      this.peakBusy[key] = Math.max(this.peakBusy[key] ?? 0, h.active + h.waiting);
      waiting += h.waiting;
    }
    row.opened += stats.totals.opened - this.#opened;
    this.#opened = stats.totals.opened;
    row.peakWaiting = Math.max(row.peakWaiting, waiting);
  }
}

/** Each pool key's counters joined with what the load and the sampler saw for it. */
function perHost(
  stats: Record<string, HostStats>,
  pools: PoolSampler,
  outcome: LoadOutcome,
  targetKey: string,
): { hosts: Record<string, BenchHost>; observed: Record<string, HostObservation> } {
  const hosts: Record<string, BenchHost> = {};
  const observed: Record<string, HostObservation> = {};
  for (const [key, h] of Object.entries(stats)) {
    // Every request starts at the target, so the load's own in-flight count is exact there;
    // a host reached by redirect has only the sampled active + waiting.
    const peak = Math.max(pools.peakBusy[key] ?? 0, key === targetKey ? outcome.live.peakInFlight : 0);
    // Connection waits are keyed "host:port" by the trace; the pool key adds the scheme.
    const wait = Object.entries(outcome.connWait).find(([hp]) => key.endsWith(`://${hp}`))?.[1];
    const peakWaiting = pools.peakWaiting[key] ?? 0;
    hosts[key] = {
      ...h,
      peakConcurrency: peak,
      peakWaiting,
      connWaitMeanMs: round3(wait !== undefined && wait.count > 0 ? wait.totalMs / wait.count : 0),
      connWaitMaxMs: round3(wait?.maxMs ?? 0),
    };
    observed[key] = { stats: h, peakConcurrency: peak, peakWaiting, connWaitMs: wait?.totalMs ?? 0 };
  }
  return { hosts, observed };
}

const since = (now: { connections: number; requests: number }, before: { connections: number; requests: number }) => ({
  connections: now.connections - before.connections,
  requests: now.requests - before.requests,
});

/**
 * The embedded server's counts for the run, once it has accepted every connection the client
 * opened: a connection dialed and closed at once (a dial that lost the race for a waiting
 * request, closed as idle-pool-full) can still sit in the server's accept queue when the run
 * ends. Waits at most SERVER_SETTLE_MS; a server that saw fewer by then is reported as it is.
 */
async function serverCounters(server: ServerProcess, before: { connections: number; requests: number }, opened: number): Promise<{ connections: number; requests: number }> {
  const deadline = performance.now() + SERVER_SETTLE_MS;
  for (;;) {
    const now = since(await server.counters(), before);
    if (now.connections >= opened || performance.now() >= deadline) return now;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const summary = (h: LatencyHistogram): LatencySummary | null => {
  const l = h.summary();
  return l === null ? null : { min: round3(l.min), p50: round3(l.p50), p90: round3(l.p90), p99: round3(l.p99), p999: round3(l.p999), max: round3(l.max), mean: round3(l.mean) };
};

function openResult(o: NonNullable<LoadOutcome['open']>): OpenResult {
  const unsent = o.scheduled - o.sent;
  const achievedRate = Math.round(o.achievedRate * 10) / 10;
  return {
    rate: o.rate,
    scheduled: o.scheduled,
    sent: o.sent,
    completed: o.completed,
    late: o.late,
    lateAfterMs: o.lateAfterMs,
    waitedForSlot: o.waitedForSlot,
    maxLagMs: round3(o.maxLagMs),
    meanLagMs: round3(o.sent > 0 ? o.totalLagMs / o.sent : 0),
    unsent,
    achievedRate,
    held: unsent === 0 && o.late <= o.sent * HELD_MAX_LATE_SHARE && achievedRate >= o.rate * HELD_MIN_SENT_SHARE,
    peakInFlight: o.peakInFlight,
    serviceMs: summary(o.service),
  };
}

export async function runBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const durationMs = opts.durationMs ?? null;
  const maxRequests = opts.requests ?? (durationMs === null ? DEFAULT_REQUESTS : HARD_MAX_REQUESTS);
  const thinkMs = opts.thinkMs ?? 0;
  const rate = opts.rate ?? null;
  const method = opts.method ?? 'GET';
  const http2 = opts.http2 ?? false;
  const poolOpts: TransportOptions = {
    ...opts.pool,
    // HTTP/1.1 unless asked: a load test should say which protocol it measured.
    forceAttemptHTTP2: http2,
    unencryptedHTTP2: http2,
    // The bench says the same at the end, with the whole run's figures, as its advice; the
    // run-time warning would print mid-run on stderr (and into --json's pipe's neighbour).
    warnOnPoolMisuse: false,
    ...(opts.socketPath != null ? { socketPath: opts.socketPath } : {}),
    tls: { ...(opts.insecure === true ? { rejectUnauthorized: false } : {}), ...(opts.ca != null ? { ca: opts.ca } : {}) },
  };
  const pool = poolSettings(opts.pool ?? {});
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  if (!Number.isSafeInteger(maxRequests) || maxRequests < 1) throw new RangeError(`requests must be a whole number ≥ 1, got ${maxRequests}`);
  if (rate !== null && !(rate > 0 && Number.isFinite(rate))) throw new RangeError(`rate must be a number > 0, got ${rate}`);

  let server: ServerProcess | null = null;
  const transport = new Transport(poolOpts);
  let sampler: NodeJS.Timeout | undefined;
  try {
    const given = opts.url ?? null;
    const url = given !== null ? given : (server = await startServerProcess({ ...opts.server, http2 })).url;
    const targetKey = new PoolKey(new URL(url)).id;
    const body = opts.body ?? ((opts.bodyBytes ?? 0) > 0 ? Buffer.alloc(opts.bodyBytes ?? 0, 'b') : null);
    const headers = opts.headers ?? [];
    // Built once up front so a bad method or URL fails before any traffic.
    const make = (trace: ClientTrace | null): Request => new Request(method, url, { headers, body, trace });
    make(null);

    await opts.onTransport?.(transport);
    const client = new Client({ transport, timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    const drainMs = Math.min(MAX_DRAIN_MS, (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) || MAX_DRAIN_MS);
    const warmupMs = opts.warmupMs ?? 0;
    const report = (live: LoadLive, warmingUp: boolean): void => {
      const now = performance.now();
      opts.onProgress?.({
        done: live.done,
        ok: live.ok,
        failed: live.failed,
        inFlight: live.inFlight,
        elapsedMs: now - live.started,
        lastSecond: live.series.lastComplete(now),
        schedule: live.schedule?.() ?? null,
        warmingUp,
      });
    };
    let before: TransportStats | null = null;
    let serverBefore = { connections: 0, requests: 0 };
    if (warmupMs > 0) {
      // The same load, uncounted: its outcome is dropped, the pool's counters and the server's
      // are read now and subtracted at the end. The live line shows it as the warm-up.
      const warm = startLoad(client, (trace) => make(trace), { concurrency, maxRequests, durationMs: warmupMs, thinkMs, rate, drainMs, signal: opts.signal });
      sampler = setInterval(() => report(warm.live, true), SAMPLE_MS);
      await warm.done;
      clearInterval(sampler);
      before = transport.stats();
      serverBefore = (await server?.counters()) ?? serverBefore;
    }
    const pools = new PoolSampler(transport);
    const load = startLoad(client, (trace) => make(trace), { concurrency, maxRequests, durationMs, thinkMs, rate, drainMs, signal: opts.signal });
    sampler = setInterval(() => {
      pools.sample(load.live.series.at(performance.now()));
      report(load.live, false);
    }, SAMPLE_MS);
    const outcome = await load.done;
    clearInterval(sampler);
    pools.sample(outcome.live.series.at(performance.now()));
    report(outcome.live, false);

    // The pool as the load left it: what closed during the run, before close() adds its own.
    const stats = statsSince(transport.stats(), before);
    const { hosts, observed } = perHost(stats.hosts, pools, outcome, targetKey);
    const t = stats.totals;
    const requests = outcome.live.ok + outcome.live.failed;
    const open = outcome.open === null ? null : openResult(outcome.open);
    const perSecond = outcome.live.series.rows().map((r) => ({ ...r }));
    return {
      url,
      model: open === null ? 'closed' : 'open',
      embeddedServer: server?.info ?? null,
      serverProcess: server === null ? null : { pid: server.pid },
      method,
      concurrency,
      plan: { requests: maxRequests, durationMs, thinkMs, rate, warmupMs },
      protocols: outcome.protocols,
      stopped: outcome.stopped,
      requests,
      ok: outcome.live.ok,
      failed: outcome.live.failed,
      errors: outcome.errors,
      statuses: outcome.statuses,
      firstError: outcome.firstError,
      durationMs: round3(outcome.elapsedMs),
      requestsPerSecond: outcome.elapsedMs > 0 ? Math.round((requests * 10_000) / outcome.elapsedMs) / 10 : 0,
      latencyMs: summary(outcome.latency),
      histogram: { relativeError: RELATIVE_ERROR, buckets: outcome.latency.buckets() },
      perSecond,
      open,
      pool,
      connections: {
        opened: t.opened,
        reused: t.reused,
        transportRequests: t.requests,
        reuseRatio: t.requests > 0 ? Math.round((t.reused / t.requests) * 10_000) / 10_000 : 0,
        idleAtEnd: t.idle,
      },
      closed: t.closed,
      hosts,
      server: server === null ? null : await serverCounters(server, serverBefore, t.opened),
      advice: advise({ options: pool, hosts: observed, concurrency, durationMs: outcome.elapsedMs, errors: outcome.errors, open, perSecond, warmupMs }),
    };
  } finally {
    clearInterval(sampler);
    await transport.close();
    await server?.close();
  }
}
