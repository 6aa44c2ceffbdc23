// One soak run: the faulty server child, one capped Transport and its Client, the traffic, the
// samplers and the judge, then the final checks. Returns a report; the CLI and the test decide
// what to do with it. Everything started here is stopped here, on failure too.

import { Client, Transport, type CloseReason } from '../src/index.js';
import { Ledger } from './ledger.js';
import { FAULTS, type FaultKind, type ServerCounters } from './protocol.js';
import { startFaultyServer, type FaultyServer } from './spawn.js';
import { Traffic } from './traffic.js';
import { connsToAsk, judge } from './verify.js';
import { fdCount, fdsSettle, gcFunction, growth, sample, type Growth, type Sample } from './watch.js';

export interface SoakOptions {
  seed: number;
  durationS: number;
  concurrency: number;
  maxConnsPerHost: number;
  maxIdleConnsPerHost: number;
  /** Client timeout, ms: the only thing that ends a stalled response. */
  timeoutMs: number;
  maxRequests: number;
}

export const DEFAULT_OPTIONS: SoakOptions = {
  seed: 1,
  durationS: 60,
  concurrency: 12,
  maxConnsPerHost: 8,
  maxIdleConnsPerHost: 4,
  timeoutMs: 2_000,
  maxRequests: 10_000_000,
};

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SoakReport {
  ok: boolean;
  options: SoakOptions;
  seconds: number;
  requests: number;
  succeeded: number;
  failed: number;
  retriedOk: number;
  reqPerSec: number;
  byKind: Record<string, number>;
  byRead: Record<string, number>;
  faults: Record<FaultKind, number>;
  stallsDeferred: number;
  errors: Record<string, { deserved: number; undeserved: number }>;
  causes: Record<string, { deserved: number; undeserved: number }>;
  closeReasons: Partial<Record<CloseReason, number>>;
  connsOpened: number;
  reuse: number;
  fds: { baseline: number; end: number; max: number; afterClose: number };
  heapUsed: { start: number; end: number; max: number; growth: Growth };
  arrayBuffers: { start: number; end: number; max: number };
  maxConnsClient: number;
  server: { accepted: number; maxOpen: number; requests: number };
  problems: string[];
  checks: Check[];
}

const JUDGE_EVERY_MS = 200;
/** Beyond the client timeout: a drain after an early close may take drainTimeout (1 s) more. */
const DEADLINE_SLACK_MS = 4_000;

export async function runSoak(opts: SoakOptions, onProgress?: (line: string) => void): Promise<SoakReport> {
  const gc = gcFunction();
  const server = await startFaultyServer(opts.seed);
  let transport: Transport | null = null;
  const timers: NodeJS.Timeout[] = [];
  try {
    return await soak(opts, server, gc, timers, (t) => (transport = t), onProgress);
  } finally {
    for (const t of timers) clearInterval(t);
    await (transport as Transport | null)?.close();
    await server.stop();
  }
}

async function soak(
  opts: SoakOptions,
  server: FaultyServer,
  gc: () => void,
  timers: NodeJS.Timeout[],
  own: (t: Transport) => void,
  onProgress?: (line: string) => void,
): Promise<SoakReport> {
  const ledger = new Ledger();
  gc();
  const fdBaseline = fdCount();
  const transport = new Transport({
    maxConnsPerHost: opts.maxConnsPerHost,
    maxIdleConnsPerHost: opts.maxIdleConnsPerHost,
    idleConnTimeout: 3_000,
  });
  own(transport);
  const client = new Client({ transport, timeout: opts.timeoutMs });

  let maxConns = 0;
  const checkCaps = (): void => {
    const t = transport.stats().totals;
    const n = t.active + t.idle + t.dialing;
    if (n > maxConns) maxConns = n;
    if (n > opts.maxConnsPerHost) ledger.problem('cap', `${n} connections (active ${t.active}, idle ${t.idle}, dialing ${t.dialing}) over maxConnsPerHost ${opts.maxConnsPerHost}`);
    if (t.idle > opts.maxIdleConnsPerHost) ledger.problem('cap', `${t.idle} idle connections over maxIdleConnsPerHost ${opts.maxIdleConnsPerHost}`);
  };

  let gcSoon: NodeJS.Timeout | null = null;
  const started = performance.now();
  const traffic = new Traffic({
    seed: opts.seed,
    origin: server.origin,
    client,
    concurrency: opts.concurrency,
    until: started + opts.durationS * 1000,
    maxRequests: opts.maxRequests,
    deadlineMs: opts.timeoutMs + DEADLINE_SLACK_MS,
    ledger,
    onGotConn: checkCaps,
    requestGc: () => {
      gcSoon ??= setTimeout(() => {
        gcSoon = null;
        gc();
      }, 20);
    },
  });

  // Judging runs alongside the traffic so failures never pile up (the soak's heap is watched).
  let judging: Promise<void> = Promise.resolve();
  const judgeNow = (): Promise<void> =>
    (judging = judging.then(async () => {
      const batch = ledger.pending;
      if (batch.length === 0) return;
      ledger.pending = [];
      try {
        const answer = await server.query(batch.map((f) => f.plan.id), [...new Set(batch.flatMap(connsToAsk))]);
        for (const f of batch) ledger.judged(f, judge(f, answer.records.get(f.plan.id) ?? [], answer.ends));
      } catch (err) {
        ledger.problem('verifier', `could not ask the server about ${batch.length} failure(s): ${String(err)}`);
      }
    }));
  timers.push(
    setInterval(() => {
      checkCaps();
      void judgeNow().then(() => server.forget(traffic.lowestOpenId()));
    }, JUDGE_EVERY_MS),
  );

  const samples: Sample[] = [];
  const every = Math.max(200, Math.min(1000, (opts.durationS * 1000) / 30));
  samples.push(sample(gc, 0));
  timers.push(
    setInterval(() => {
      const s = sample(gc, (performance.now() - started) / 1000);
      samples.push(s);
      if (onProgress !== undefined && samples.length % Math.round(10_000 / every) === 0) {
        onProgress(`${s.t.toFixed(0)} s: ${ledger.started} requests, ${ledger.failed} failed, ${ledger.problemCounts.undeserved + ledger.problemCounts.wrong + ledger.problemCounts.hang} problems, fds ${s.fds}, heap ${(s.heapUsed / 2 ** 20).toFixed(1)} MiB`);
      }
    }, every),
  );

  await traffic.run();
  const seconds = (performance.now() - started) / 1000;
  for (const t of timers.splice(0)) clearInterval(t);
  if (gcSoon !== null) clearTimeout(gcSoon);
  // Requests still in flight are hung ones (each worker awaited its own up to the deadline).
  await judgeNow();
  await judgeNow();
  checkCaps();
  const end = sample(gc, seconds);
  samples.push(end);
  const stats = transport.stats().totals;
  const counters: ServerCounters = await server.counters();

  await transport.close();
  gc();
  const afterClose = await fdsSettle(fdBaseline, 3_000);

  const heap = growth(samples.map((s) => s.heapUsed), 8 * 2 ** 20, 0.25);
  const fdGrowth = growth(samples.map((s) => s.fds), 3, 0);
  const fdMax = Math.max(...samples.map((s) => s.fds));
  const fdCeiling = fdBaseline + opts.maxConnsPerHost + 4;
  const pc = ledger.problemCounts;
  const missingFaults = [...FAULTS, 'idle-close' as const].filter((f: FaultKind) => counters.faults[f] === 0);
  const failed = ledger.failed;

  const checks: Check[] = [
    { name: 'traffic flowed', ok: ledger.ok > 0, detail: `${ledger.ok} of ${ledger.started} requests succeeded` },
    { name: 'every byte right', ok: pc.wrong === 0, detail: `${pc.wrong} wrong response(s)` },
    { name: 'every request settled', ok: pc.hang === 0, detail: `${pc.hang} request(s) unsettled after ${opts.timeoutMs + DEADLINE_SLACK_MS} ms` },
    { name: 'every error typed', ok: pc.untyped === 0, detail: `${pc.untyped} error(s) not an HttpoolError with a code` },
    { name: 'every error deserved', ok: pc.undeserved === 0 && pc.verifier === 0, detail: `${pc.undeserved} undeserved of ${failed} error(s)${pc.verifier > 0 ? `, ${pc.verifier} unjudged` : ''}` },
    {
      name: 'connections within caps',
      ok: pc.cap === 0 && counters.maxOpen <= opts.maxConnsPerHost,
      detail: `client max ${maxConns}, server max ${counters.maxOpen}, cap ${opts.maxConnsPerHost}${pc.cap > 0 ? `, ${pc.cap} client sample(s) over` : ''}`,
    },
    {
      name: 'fds flat',
      ok: !fdGrowth.grew && fdMax <= fdCeiling,
      detail: `median first third ${fdGrowth.first}, last third ${fdGrowth.last} (limit ${fdGrowth.limit}); max ${fdMax} (ceiling baseline ${fdBaseline} + cap + 4 = ${fdCeiling})`,
    },
    {
      name: 'heap flat',
      ok: !heap.grew,
      detail: `median first third ${mib(heap.first)}, last third ${mib(heap.last)} (limit ${mib(heap.limit)})`,
    },
    { name: 'fds back to baseline after close', ok: afterClose <= fdBaseline, detail: `baseline ${fdBaseline}, after transport.close() ${afterClose}` },
    { name: 'every fault injected', ok: missingFaults.length === 0, detail: missingFaults.length === 0 ? 'all kinds' : `never: ${missingFaults.join(', ')}` },
  ];

  return {
    ok: checks.every((c) => c.ok),
    options: opts,
    seconds,
    requests: ledger.started,
    succeeded: ledger.ok,
    failed,
    retriedOk: ledger.retriedOk,
    reqPerSec: ledger.started / seconds,
    byKind: { ...ledger.byKind },
    byRead: { ...ledger.byRead },
    faults: counters.faults,
    stallsDeferred: counters.stallsDeferred,
    errors: Object.fromEntries(ledger.errors),
    causes: Object.fromEntries(ledger.causes),
    closeReasons: stats.closed,
    connsOpened: stats.opened,
    reuse: stats.requests === 0 ? 0 : stats.reused / stats.requests,
    fds: { baseline: fdBaseline, end: end.fds, max: fdMax, afterClose },
    heapUsed: { start: samples[0]!.heapUsed, end: end.heapUsed, max: Math.max(...samples.map((s) => s.heapUsed)), growth: heap },
    arrayBuffers: { start: samples[0]!.arrayBuffers, end: end.arrayBuffers, max: Math.max(...samples.map((s) => s.arrayBuffers)) },
    maxConnsClient: maxConns,
    server: { accepted: counters.accepted, maxOpen: counters.maxOpen, requests: counters.requests },
    problems: ledger.problems,
    checks,
  };
}

export function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}
