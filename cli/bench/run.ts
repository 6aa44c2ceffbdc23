// runBench: one bench run, programmatic. A fresh Transport (so its stats describe this run
// only), an embedded server when no URL is given, the load, a stats sampler, the advice, and
// a cleanup that always runs: transport closed, server closed, timers cleared, so the process
// can exit. `httpool bench` is a thin shell over this; the HTML report calls it directly and
// subscribes through onTransport before the first request goes out.

import { Client, Request, Transport, type ClientTrace, type CloseReason, type HostStats, type TransportOptions } from '../../src/index.js';
import { resolveOptions } from '../../src/transport/options.js';
import { PoolKey } from '../../src/transport/key.js';
import { advise, type HostObservation, type PoolSettings } from './advice.js';
import { startLoad, type LoadLive, type LoadOutcome, type StopReason } from './load.js';
import { startEmbeddedServer, type EmbeddedServer, type EmbeddedServerInfo, type EmbeddedServerOptions } from './server.js';
import type { LatencySummary } from './stats.js';

export const DEFAULT_CONCURRENCY = 50;
export const DEFAULT_REQUESTS = 10_000;
/** With a duration, the run also stops at this many requests unless a count was given. */
export const HARD_MAX_REQUESTS = 10_000_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** How often the pool is sampled for `waiting` and progress (the progress line redraws at most every 100 ms). */
const SAMPLE_MS = 20;

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
  /** Each caller pauses this long between its requests. @default 0 */
  thinkMs?: number;
  /** Send a body of this many bytes with each request. @default 0 (none) */
  bodyBytes?: number;
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

export interface BenchResult {
  url: string;
  /** The embedded server's settings, or null when a URL was given. */
  embeddedServer: EmbeddedServerInfo | null;
  method: string;
  concurrency: number;
  plan: { requests: number; durationMs: number | null; thinkMs: number };
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
  /** Latency of the successful calls, body read included; null when none succeeded. */
  latencyMs: LatencySummary | null;
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

  constructor(private readonly transport: Transport) {}

  sample(): void {
    for (const [key, h] of Object.entries(this.transport.stats().hosts)) {
      this.peakWaiting[key] = Math.max(this.peakWaiting[key] ?? 0, h.waiting);
      this.peakBusy[key] = Math.max(this.peakBusy[key] ?? 0, h.active + h.waiting);
    }
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

export async function runBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const durationMs = opts.durationMs ?? null;
  const maxRequests = opts.requests ?? (durationMs === null ? DEFAULT_REQUESTS : HARD_MAX_REQUESTS);
  const thinkMs = opts.thinkMs ?? 0;
  const method = opts.method ?? 'GET';
  const pool = poolSettings(opts.pool ?? {});
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  if (!Number.isSafeInteger(maxRequests) || maxRequests < 1) throw new RangeError(`requests must be a whole number ≥ 1, got ${maxRequests}`);

  let server: EmbeddedServer | null = null;
  const transport = new Transport({ ...opts.pool });
  let sampler: NodeJS.Timeout | undefined;
  try {
    const given = opts.url ?? null;
    const url = given !== null ? given : (server = await startEmbeddedServer(opts.server)).url;
    const targetKey = new PoolKey(new URL(url)).id;
    const body = (opts.bodyBytes ?? 0) > 0 ? Buffer.alloc(opts.bodyBytes ?? 0, 'b') : null;
    const headers = opts.headers ?? [];
    // Built once up front so a bad method or URL fails before any traffic.
    const make = (trace: ClientTrace | null): Request => new Request(method, url, { headers, body, trace });
    make(null);

    await opts.onTransport?.(transport);
    const client = new Client({ transport, timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    const pools = new PoolSampler(transport);
    const load = startLoad(client, (trace) => make(trace), { concurrency, maxRequests, durationMs, thinkMs, signal: opts.signal });
    const report = (live: LoadLive): void =>
      opts.onProgress?.({ done: live.done, ok: live.ok, failed: live.failed, inFlight: live.inFlight, elapsedMs: performance.now() - live.started });
    sampler = setInterval(() => {
      pools.sample();
      report(load.live);
    }, SAMPLE_MS);
    const outcome = await load.done;
    clearInterval(sampler);
    report(outcome.live);

    // The pool as the load left it: what closed during the run, before close() adds its own.
    const stats = transport.stats();
    const { hosts, observed } = perHost(stats.hosts, pools, outcome, targetKey);
    const t = stats.totals;
    const latency = outcome.latency.summary();
    const requests = outcome.live.ok + outcome.live.failed;
    return {
      url,
      embeddedServer: server?.info ?? null,
      method,
      concurrency,
      plan: { requests: maxRequests, durationMs, thinkMs },
      stopped: outcome.stopped,
      requests,
      ok: outcome.live.ok,
      failed: outcome.live.failed,
      errors: outcome.errors,
      statuses: outcome.statuses,
      firstError: outcome.firstError,
      durationMs: round3(outcome.elapsedMs),
      requestsPerSecond: outcome.elapsedMs > 0 ? Math.round((requests * 10_000) / outcome.elapsedMs) / 10 : 0,
      latencyMs: latency === null ? null : { p50: round3(latency.p50), p90: round3(latency.p90), p99: round3(latency.p99), max: round3(latency.max), mean: round3(latency.mean) },
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
      server: server?.counters() ?? null,
      advice: advise({ options: pool, hosts: observed, concurrency, durationMs: outcome.elapsedMs, errors: outcome.errors }),
    };
  } finally {
    clearInterval(sampler);
    await transport.close();
    await server?.close();
  }
}
