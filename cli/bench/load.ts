// The load loop of `httpool bench`: N callers, each sending one request at a time and reading
// every body to the end (so a connection goes back to the pool the way a well-behaved caller
// gives it back). It counts what a caller sees (statuses, error codes, latency, how many
// requests were in flight at once) and, through two trace hooks, how long each request waited
// to get a connection. The pool's own view comes from transport.stats(), sampled in run.ts.
//
// Every loop is bounded: a request count, an optional deadline, an abort signal, and a bail-out
// when nothing has succeeded after `concurrency` failures (a URL that refuses every connection
// would otherwise be hammered thousands of times to say the same thing).

import { setTimeout as sleep } from 'node:timers/promises';
import { HttpoolError, type Client, type ClientTrace, type Request } from '../../src/index.js';
import { LatencyHistogram } from './stats.js';

export type StopReason = 'requests' | 'duration' | 'interrupted' | 'failing';

export interface LoadPlan {
  concurrency: number;
  /** Requests in total; with a duration, the hard cap. */
  maxRequests: number;
  /** Stop issuing requests after this long; null = run until maxRequests. */
  durationMs: number | null;
  /** Each caller pauses this long between its requests (work between calls); 0 = none. */
  thinkMs: number;
  /** Stop issuing requests when this fires; the ones in flight finish. */
  signal?: AbortSignal;
}

/** Time spent between asking for a connection and getting one, per "host:port". */
export interface ConnWait {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** Counters the progress line and the stats sampler read while the load runs. */
export interface LoadLive {
  readonly started: number;
  done: number;
  ok: number;
  failed: number;
  inFlight: number;
  peakInFlight: number;
}

export interface LoadOutcome {
  live: LoadLive;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  /** The first failure's one-line message (for "no request succeeded"). */
  firstError: string | null;
  latency: LatencyHistogram;
  connWait: Record<string, ConnWait>;
  elapsedMs: number;
  stopped: StopReason;
}

/** Builds the request for one call; `trace` must go into its init. */
export type MakeRequest = (trace: ClientTrace) => Request;

export function errorCode(err: unknown): string {
  if (err instanceof HttpoolError) return err.code;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? code : err.name;
  }
  return 'ERR_UNKNOWN';
}

/** Starts the load; `live` is readable at once, the promise settles when every caller stopped. */
export function startLoad(client: Client, make: MakeRequest, plan: LoadPlan): { live: LoadLive; done: Promise<LoadOutcome> } {
  const live: LoadLive = { started: performance.now(), done: 0, ok: 0, failed: 0, inFlight: 0, peakInFlight: 0 };
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const latency = new LatencyHistogram();
  const connWait: Record<string, ConnWait> = {};
  const deadline = plan.durationMs === null ? Infinity : live.started + plan.durationMs;
  const bailAfter = Math.max(plan.concurrency, 10);
  let issued = 0;
  let firstError: string | null = null;
  let stopped: StopReason | null = null;

  // Decides, before each request, whether another one goes out; the first reason to stop wins.
  const claim = (): boolean => {
    if (stopped !== null) return false;
    if (plan.signal?.aborted === true) stopped = 'interrupted';
    else if (live.ok === 0 && live.failed >= bailAfter) stopped = 'failing';
    else if (issued >= plan.maxRequests) stopped = 'requests';
    else if (performance.now() >= deadline) stopped = 'duration';
    if (stopped !== null) return false;
    issued++;
    return true;
  };

  const caller = async (): Promise<void> => {
    // One trace per caller, reused for each of its requests: a caller has one request in
    // flight at a time, so these two fields are enough and the hot path allocates nothing.
    let hostPort = '';
    let askedAt = 0;
    const trace: ClientTrace = {
      getConn: (hp) => {
        hostPort = hp;
        askedAt = performance.now();
      },
      gotConn: () => {
        const waited = performance.now() - askedAt;
        const w = (connWait[hostPort] ??= { count: 0, totalMs: 0, maxMs: 0 });
        w.count++;
        w.totalMs += waited;
        if (waited > w.maxMs) w.maxMs = waited;
      },
    };
    while (claim()) {
      live.inFlight++;
      if (live.inFlight > live.peakInFlight) live.peakInFlight = live.inFlight;
      const started = performance.now();
      try {
        const res = await client.do(make(trace));
        // Read to the end: this is what hands the connection back for reuse.
        for await (const _chunk of res.body) void _chunk;
        const code = String(res.statusCode);
        statuses[code] = (statuses[code] ?? 0) + 1;
        latency.record(performance.now() - started);
        live.ok++;
      } catch (err) {
        const code = errorCode(err);
        errors[code] = (errors[code] ?? 0) + 1;
        firstError ??= err instanceof Error ? err.message : String(err);
        live.failed++;
      } finally {
        live.inFlight--;
        live.done++;
      }
      // Between calls the connection sits in the idle pool, as it does in a service that does
      // work between requests: this is where a small idle pool closes connections.
      if (plan.thinkMs > 0) await sleep(plan.thinkMs);
    }
  };

  const done = Promise.all(Array.from({ length: plan.concurrency }, caller)).then(
    (): LoadOutcome => ({
      live,
      statuses,
      errors,
      firstError,
      latency,
      connWait,
      elapsedMs: performance.now() - live.started,
      stopped: stopped ?? 'requests',
    }),
  );
  return { live, done };
}
