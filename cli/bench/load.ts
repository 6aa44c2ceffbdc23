// The load loops of `httpool bench`, reading every body to the end (so a connection goes back
// to the pool the way a well-behaved caller gives it back):
//
//   closed model (default)  N callers, each sending one request at a time, as fast as answers
//                           come back; latency from the actual send.
//   open model (--rate R)   R requests a second on a schedule (schedule.ts), at most N out at
//                           once; latency from each request's intended send time, so a server
//                           stall costs every request that should have gone out during it.
//
// Both count what a caller sees (statuses, error codes, latency, a per-second series, how many
// requests were in flight at once) and, through two trace hooks, how long each request waited
// to get a connection. The pool's own view comes from transport.stats(), sampled in run.ts.
//
// Every loop is bounded: a request count, an optional deadline, an abort signal, and a bail-out
// when nothing has succeeded after `concurrency` failures (a URL that refuses every connection
// would otherwise be hammered thousands of times to say the same thing).

import { setTimeout as sleep } from 'node:timers/promises';
import { HttpoolError, type Client, type ClientTrace, type Request } from '../../src/index.js';
import { LatencyHistogram } from './histogram.js';
import { OpenSchedule, type ScheduleCounts } from './schedule.js';
import { PerSecond } from './series.js';

export type StopReason = 'requests' | 'duration' | 'interrupted' | 'failing';

/** A request sent later than this after its intended time counts as late (timer jitter is ~1 ms). */
export const LATE_AFTER_MS = 5;
/** After the schedule ends, a backlog still waiting for a slot is sent for at most this long. */
export const MAX_DRAIN_MS = 10_000;

export interface LoadPlan {
  /** Closed model: callers. Open model: requests in flight at most. */
  concurrency: number;
  /** Requests in total; with a duration, the hard cap. */
  maxRequests: number;
  /** Stop issuing requests after this long; null = run until maxRequests. */
  durationMs: number | null;
  /** Each caller pauses this long between its requests (work between calls); 0 = none. Closed model only. */
  thinkMs: number;
  /** Open model: requests per second; null = closed model. */
  rate?: number | null;
  /** Open model: how long a backlog may still be sent once the schedule has ended. @default MAX_DRAIN_MS */
  drainMs?: number;
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
  /** Open model: the schedule's books (null in the closed model). */
  schedule: (() => ScheduleCounts) | null;
  series: PerSecond;
}

export interface OpenOutcome extends ScheduleCounts {
  rate: number;
  lateAfterMs: number;
  /** Requests sent per second, from the first intended time to the last send. */
  achievedRate: number;
  /** Latency from the actual send (what the closed model measures): set beside `latency`, it shows what the schedule added. */
  service: LatencyHistogram;
}

export interface LoadOutcome {
  live: LoadLive;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  /** Responses by protocol (HTTP/1.1, HTTP/2.0). */
  protocols: Record<string, number>;
  /** The first failure's one-line message (for "no request succeeded"). */
  firstError: string | null;
  /** Closed model: from the send. Open model: from the intended send time. */
  latency: LatencyHistogram;
  connWait: Record<string, ConnWait>;
  elapsedMs: number;
  stopped: StopReason;
  open: OpenOutcome | null;
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

/** What both models share: one exchange, counted. */
class Exchanges {
  readonly statuses: Record<string, number> = {};
  readonly errors: Record<string, number> = {};
  readonly protocols: Record<string, number> = {};
  readonly latency = new LatencyHistogram();
  readonly service = new LatencyHistogram();
  readonly connWait: Record<string, ConnWait> = {};
  firstError: string | null = null;

  constructor(
    private readonly client: Client,
    private readonly make: MakeRequest,
    readonly live: LoadLive,
  ) {}

  /** A trace recording connection waits; one per request in flight at a time. */
  trace(): ClientTrace {
    let hostPort = '';
    let askedAt = 0;
    return {
      getConn: (hp) => {
        hostPort = hp;
        askedAt = performance.now();
      },
      gotConn: () => {
        const waited = performance.now() - askedAt;
        const w = (this.connWait[hostPort] ??= { count: 0, totalMs: 0, maxMs: 0 });
        w.count++;
        w.totalMs += waited;
        if (waited > w.maxMs) w.maxMs = waited;
      },
    };
  }

  /** Sends one request and reads its body; latency counts from `from` (the send, or the intended send). */
  async run(trace: ClientTrace, from: number): Promise<void> {
    const live = this.live;
    live.inFlight++;
    if (live.inFlight > live.peakInFlight) live.peakInFlight = live.inFlight;
    const sent = performance.now();
    try {
      const res = await this.client.do(this.make(trace));
      // Read to the end: this is what hands the connection back for reuse.
      for await (const _chunk of res.body) void _chunk;
      const end = performance.now();
      const code = String(res.statusCode);
      this.statuses[code] = (this.statuses[code] ?? 0) + 1;
      this.protocols[res.proto] = (this.protocols[res.proto] ?? 0) + 1;
      this.latency.record(end - from);
      this.service.record(end - sent);
      live.ok++;
      live.series.at(end).ok++;
    } catch (err) {
      const code = errorCode(err);
      this.errors[code] = (this.errors[code] ?? 0) + 1;
      this.firstError ??= err instanceof Error ? err.message : String(err);
      live.failed++;
      live.series.at(performance.now()).failed++;
    } finally {
      live.inFlight--;
      live.done++;
    }
  }

  outcome(stopped: StopReason, open: OpenOutcome | null): LoadOutcome {
    return {
      live: this.live,
      statuses: this.statuses,
      errors: this.errors,
      protocols: this.protocols,
      firstError: this.firstError,
      latency: this.latency,
      connWait: this.connWait,
      elapsedMs: performance.now() - this.live.started,
      stopped,
      open,
    };
  }
}

/** Starts the load; `live` is readable at once, the promise settles when every request came back. */
export function startLoad(client: Client, make: MakeRequest, plan: LoadPlan): { live: LoadLive; done: Promise<LoadOutcome> } {
  const started = performance.now();
  // One row a second for the planned duration (a day at most); a count-bounded run gets an hour
  // of rows and later seconds fold into the last one.
  const seconds = plan.durationMs === null ? 3_600 : Math.ceil(plan.durationMs / 1000) + 30;
  const live: LoadLive = { started, done: 0, ok: 0, failed: 0, inFlight: 0, peakInFlight: 0, schedule: null, series: new PerSecond(started, seconds) };
  const ex = new Exchanges(client, make, live);
  const done = plan.rate === undefined || plan.rate === null ? closedLoop(ex, plan) : openLoop(ex, plan, plan.rate);
  return { live, done };
}

function closedLoop(ex: Exchanges, plan: LoadPlan): Promise<LoadOutcome> {
  const live = ex.live;
  const deadline = plan.durationMs === null ? Infinity : live.started + plan.durationMs;
  const bailAfter = Math.max(plan.concurrency, 10);
  let issued = 0;
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
    // flight at a time.
    const trace = ex.trace();
    while (claim()) {
      const now = performance.now();
      live.series.at(now).sent++;
      await ex.run(trace, now);
      // Between calls the connection sits in the idle pool, as it does in a service that does
      // work between requests: this is where a small idle pool closes connections.
      if (plan.thinkMs > 0) await sleep(plan.thinkMs);
    }
  };

  return Promise.all(Array.from({ length: plan.concurrency }, caller)).then(() => ex.outcome(stopped ?? 'requests', null));
}

function openLoop(ex: Exchanges, plan: LoadPlan, rate: number): Promise<LoadOutcome> {
  const live = ex.live;
  const sched = new OpenSchedule(
    { rate, maxInFlight: plan.concurrency, maxRequests: plan.maxRequests, durationMs: plan.durationMs, lateAfterMs: LATE_AFTER_MS },
    live.started,
  );
  live.schedule = () => sched.counts(performance.now());
  const bailAfter = Math.max(plan.concurrency, 10);
  const drainMs = plan.drainMs ?? MAX_DRAIN_MS;
  let stopped: StopReason | null = null;
  let lastSendAt = live.started;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  // Set once the schedule has nothing more to make due: the backlog may drain until then.
  let drainDeadline = Infinity;

  return new Promise<LoadOutcome>((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      plan.signal?.removeEventListener('abort', pump);
      const now = performance.now();
      const c = sched.counts(now);
      const span = lastSendAt - live.started + sched.intervalMs;
      resolve(
        ex.outcome(stopped ?? (sched.counts(now).scheduled >= plan.maxRequests ? 'requests' : 'duration'), {
          ...c,
          rate,
          lateAfterMs: LATE_AFTER_MS,
          achievedRate: c.sent > 0 && span > 0 ? (c.sent * 1000) / span : 0,
          service: ex.service,
        }),
      );
    };
    const arm = (at: number, now: number): void => {
      // One timer, moved only earlier: completions call pump() thousands of times a second.
      if (at >= timerAt) return;
      clearTimeout(timer);
      timerAt = at;
      timer = setTimeout(
        () => {
          timerAt = Infinity;
          pump();
        },
        Math.max(0, at - now),
      );
    };
    function pump(): void {
      const now = performance.now();
      if (stopped === null) {
        if (plan.signal?.aborted === true) stopped = 'interrupted';
        else if (live.ok === 0 && live.failed >= bailAfter) stopped = 'failing';
        else if (now >= drainDeadline) stopped = sched.counts(now).scheduled >= plan.maxRequests ? 'requests' : 'duration';
        // What is unsent now stays unsent, and is reported as such.
        if (stopped !== null) sched.stop(now);
      }
      for (let t = sched.take(now); t !== null; t = sched.take(now)) {
        lastSendAt = now;
        const row = live.series.at(now);
        row.sent++;
        if (t.late) row.late++;
        void ex.run(ex.trace(), t.intendedAt).then(() => {
          sched.finish(performance.now());
          pump();
        });
      }
      if (sched.finished(now)) return finish();
      if (sched.exhausted(now) && drainDeadline === Infinity) drainDeadline = now + drainMs;
      const wake = sched.nextWakeAt(now);
      // A backlog (wake === now) waits for a completion, which pumps; only a future due time,
      // or the drain deadline while a backlog waits, needs the timer.
      if (wake !== null && wake > now) arm(wake, now);
      else if (stopped === null && drainDeadline !== Infinity && sched.counts(now).backlog > 0) arm(drainDeadline, now);
    }
    plan.signal?.addEventListener('abort', pump, { once: true });
    pump();
  });
}
