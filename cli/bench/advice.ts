// Advice from a bench run: the pool advice rules (src/advice/rules.ts, the same ones a
// Transport's run-time warnings use) over the whole run, then, for an open-model run (--rate),
// what only a fixed rate shows: whether the rate was held and why not, requests queued behind
// maxConnsPerHost at that rate, and connections still being opened once the run was warm.

import { advisePool } from '../../src/advice/rules.js';
import { hostLabel, int, ms, pct } from '../../src/advice/format.js';
import type { AdviceInput as PoolAdviceInput, HostObservation, PoolAdvice, PoolSettings } from '../../src/advice/types.js';
import type { LatencySummary } from './histogram.js';
import type { SecondRow } from './series.js';

export type { HostObservation, PoolSettings };

/** What the open-model rules read (run.ts's OpenResult, the fields they need). */
export interface OpenObservation {
  rate: number;
  scheduled: number;
  sent: number;
  late: number;
  lateAfterMs: number;
  waitedForSlot: number;
  maxLagMs: number;
  unsent: number;
  achievedRate: number;
  held: boolean;
  /** Latency from the actual send (the server's answer time, pool wait included). */
  serviceMs: LatencySummary | null;
}

export interface AdviceInput extends PoolAdviceInput {
  /** Callers the bench ran (-c); in the open model, the most requests in flight. */
  concurrency: number;
  /** Open model only. */
  open?: OpenObservation | null;
  /** The per-second series (open-model rules read connections opened per second). */
  perSecond?: readonly SecondRow[];
  /** The uncounted warm-up that ran first, ms (0: none, so the first second is a cold start). */
  warmupMs?: number;
}

/** Every rule's sentence, in the order a reader should act on them; [] means the pool was healthy. */
export function advise(input: AdviceInput): string[] {
  const pool = advisePool(input);
  const open = input.open ?? null;
  if (open === null) return pool.map((a) => a.message);
  return [...rateNotHeld(open, input.concurrency, coldStart(input)), ...pool.map((a) => a.message), ...openPoolRules(input, open, pool)];
}

/**
 * The rate first: a run that did not send on schedule measured something else than asked.
 * Little's law says how many requests must be in flight to carry the rate at the service time
 * seen; that number against -c tells a too-small -c from a server (or client) that cannot keep up.
 */
function rateNotHeld(o: OpenObservation, concurrency: number, cold: string): string[] {
  if (o.held) return [];
  const service = o.serviceMs?.mean ?? 0;
  const needed = Math.ceil((o.rate * service) / 1000);
  const what = [
    `${int(o.achievedRate)} req/s sent`,
    `${int(o.late)} of ${int(o.sent)} requests sent more than ${int(o.lateAfterMs)} ms late (max lag ${ms(o.maxLagMs)} ms)`,
    o.waitedForSlot > 0 ? `${int(o.waitedForSlot)} waited for one of the -c ${int(concurrency)} slots` : '',
    o.unsent > 0 ? `${int(o.unsent)} scheduled but never sent` : '',
  ].filter((x) => x !== '');
  const why =
    o.waitedForSlot > 0 && needed > concurrency
      ? `at ${ms(service)} ms per answer the rate needs about ${int(needed)} requests in flight (rate × latency), more than -c ${int(concurrency)}: raise -c to ${int(Math.ceil(needed * 1.2))} if the server should take that, or this is the rate it can serve`
      : o.waitedForSlot > 0
        ? `answers slowed down (${ms(service)} ms mean, ${ms(o.serviceMs?.max ?? 0)} ms max) until every -c ${int(concurrency)} slot was busy: the server did not keep up with ${int(o.rate)} req/s`
        : `no slot was short, so the client itself fell behind (a busy event loop or CPU): lower --rate, or run the bench where it has a core of its own`;
  return [`The target rate of ${int(o.rate)} req/s was not held (${what.join('; ')}): ${why}.${cold}`];
}

/**
 * Most late sends in the first second of a run without a warm-up are the client's own cold
 * start (code not compiled yet, every connection still to dial), not the server: say so.
 */
function coldStart(input: AdviceInput): string {
  const rows = input.perSecond ?? [];
  const open = input.open;
  if (open == null || (input.warmupMs ?? 0) > 0 || rows.length < 2 || open.late === 0) return '';
  const first = rows[0]!.late;
  if (first < open.late / 2) return '';
  return ` ${int(first)} of the ${int(open.late)} late sends were in the first second, the client's cold start (compiling, dialing): --warmup 2 leaves it out of the figures.`;
}

function openPoolRules(input: AdviceInput, o: OpenObservation, pool: PoolAdvice[]): string[] {
  const out: string[] = [];
  const named = new Set(pool.filter((a) => a.code === 'HTTPOOL_POOL_WAIT').map((a) => a.host));
  for (const [key, h] of Object.entries(input.hosts).sort(([a], [b]) => a.localeCompare(b))) {
    const cap = input.options.maxConnsPerHost;
    // The closed-model rule speaks when the cap is below the concurrency seen; at a fixed rate,
    // any sustained wait is the cap deciding the latency, so it is said here when that rule did not.
    const meanWait = h.stats.requests > 0 ? h.connWaitMs / h.stats.requests : 0;
    if (cap > 0 && h.peakWaiting > 0 && meanWait >= 1 && !named.has(key)) {
      const service = o.serviceMs?.mean ?? 0;
      const carries = service > 0 ? `; ${int(cap)} connections at ${ms(service)} ms an answer carry about ${int((cap * 1000) / service)} req/s` : '';
      out.push(
        `At ${int(o.rate)} req/s, requests to ${hostLabel(key)} waited ${ms(meanWait)} ms on average for a connection (up to ${int(h.peakWaiting)} waiting at once) because maxConnsPerHost=${int(cap)}${carries}: that wait is part of the latency; raise maxConnsPerHost, or keep it and expect the wait.`,
      );
    }
  }
  // After the first second the pool should be warm: connections opened later at a steady rate
  // are handshakes inside the latency (the close reasons above, or in the report, say why).
  const rows = (input.perSecond ?? []).slice(1);
  const opened = rows.reduce((n, r) => n + r.opened, 0);
  const perSecond = rows.length > 0 ? opened / rows.length : 0;
  if (perSecond >= 1 && perSecond >= o.rate * 0.01) {
    const total = Object.values(input.hosts).reduce((n, h) => ({ requests: n.requests + h.stats.requests, reused: n.reused + h.stats.reused }), { requests: 0, reused: 0 });
    out.push(
      `${int(perSecond)} connections a second were still opened after the first second at ${int(o.rate)} req/s (reuse ${pct(total.requests > 0 ? total.reused / total.requests : 0)}): each one is a handshake inside a request's latency; a steady rate should settle on a fixed set of connections.`,
    );
  }
  return out;
}
