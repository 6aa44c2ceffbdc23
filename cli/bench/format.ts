// How a bench result reads: an aligned "label  value" block a person scans and a test parses,
// then the advice (or the one line saying there is none). Colors come only through paint(),
// which is a no-op off a terminal and under NO_COLOR.

import type { Paint } from '../io.js';
import { hostLabel, int, ms, pct } from '../../src/advice/format.js';
import { foldBuckets } from './histogram.js';
import type { BenchProgress, BenchResult, OpenResult } from './run.js';

const LABEL = 14;

function line(label: string, value: string): string {
  return `${label.padEnd(LABEL)}${value}`;
}

function counts(rec: Record<string, number | undefined>, sep: string): string {
  const parts = Object.entries(rec)
    .filter(([, n]) => (n ?? 0) > 0)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([k, n]) => `${k}${sep}${int(n ?? 0)}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function target(r: BenchResult): string {
  const s = r.embeddedServer;
  if (s === null) return r.url;
  const how = [`delay ${int(s.delayMs)} ms`, `${int(s.bodyBytes)}-byte body`, s.close ? 'Connection: close' : s.idleTimeoutMs === null ? 'keep-alive' : `closes idle after ${int(s.idleTimeoutMs)} ms`];
  if (s.http2) how.unshift('h2c');
  return `${r.url} (embedded server: ${how.join(', ')})`;
}

/** Where the server ran: said every time, since an in-process server would share the client's CPU. */
function serverWhere(r: BenchResult): string {
  return r.serverProcess === null ? 'URL given: the server is yours' : `embedded server: child process pid ${r.serverProcess.pid}`;
}

/** The open model's books in two lines: was the rate held, and the counts behind the answer. */
function openLines(o: OpenResult, p: Paint): [string, string] {
  const verdict = o.held
    ? p.green(`held: ${int(o.achievedRate)} of ${int(o.rate)} req/s sent on schedule`)
    : p.red(`NOT held: ${int(o.achievedRate)} req/s sent for a target of ${int(o.rate)} req/s`);
  const books = [
    `${int(o.scheduled)} scheduled`,
    `${int(o.sent)} sent`,
    `${int(o.completed)} completed`,
    `${int(o.late)} late (> ${int(o.lateAfterMs)} ms; lag ${ms(o.meanLagMs)} ms mean, ${ms(o.maxLagMs)} ms max)`,
    `${int(o.waitedForSlot)} waited for a slot`,
  ];
  if (o.unsent > 0) books.push(p.red(`${int(o.unsent)} never sent`));
  return [verdict, books.join(', ')];
}

function percentiles(l: NonNullable<BenchResult['latencyMs']>): string {
  return `p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  p99.9 ${ms(l.p999)}  max ${ms(l.max)}`;
}

const BAR = 30;

/** The latency histogram as a few log-scaled rows: range, bar, count, share. */
function histogramLines(r: BenchResult): string[] {
  const rows = foldBuckets(r.histogram.buckets, 8);
  const total = rows.reduce((n, b) => n + b.count, 0);
  const most = Math.max(1, ...rows.map((b) => b.count));
  const width = Math.max(...rows.map((b) => ms(b.fromMs).length));
  return rows.map((b) => {
    const bar = '█'.repeat(Math.round((b.count / most) * BAR)) || (b.count > 0 ? '▏' : '');
    return `  ${ms(b.fromMs).padStart(width)} ms  ${bar.padEnd(BAR)} ${int(b.count).padStart(8)}  ${pct(total > 0 ? b.count / total : 0).padStart(6)}`;
  });
}

/** The per-second series in one line: completions a second (lowest, mean, highest) and seconds with errors. */
function perSecondLine(r: BenchResult): string {
  // A second the run did not cover whole (its tail) would read as a dip: leave it out of
  // min/max, unless it is all there is. 5 ms of slack: a 10 s run ends at 9.999 s or 10.001 s.
  const rows = r.perSecond.filter((x) => (x.second + 1) * 1000 <= r.durationMs + 5);
  if (rows.length === 0) return 'none: the run was shorter than a second';
  const done = rows.map((x) => x.ok + x.failed);
  const mean = done.reduce((a, b) => a + b, 0) / done.length;
  const failing = r.perSecond.filter((x) => x.failed > 0).length;
  return `${int(Math.min(...done))} min, ${int(mean)} mean, ${int(Math.max(...done))} max req/s over ${int(rows.length)} full second${rows.length === 1 ? '' : 's'}; ${failing === 0 ? 'no second had errors' : `errors in ${int(failing)} of them`} (--json has every second)`;
}

/** The sentence a healthy run gets instead of advice. */
export function noAdvice(r: BenchResult): string {
  // After a warm-up the connections were opened before the counted run: say how many more were.
  const over = r.plan.warmupMs > 0 ? `, ${int(r.connections.opened)} connections opened after the warm-up` : ` over ${int(r.connections.opened)} connections`;
  return `No advice: ${int(r.requests)} requests${over}, reuse ${pct(r.connections.reuseRatio)}.`;
}

export function formatResult(r: BenchResult, p: Paint): string {
  const out: string[] = [];
  const warm = r.plan.warmupMs > 0 ? ` after an uncounted ${(r.plan.warmupMs / 1000).toString()} s warm-up` : '';
  const plan = r.plan.durationMs === null ? `${int(r.plan.requests)} requests` : `${(r.plan.durationMs / 1000).toString()} s (at most ${int(r.plan.requests)} requests)`;
  out.push(p.bold(`httpool bench ${target(r)}`));
  const think = r.plan.thinkMs > 0 ? `, ${int(r.plan.thinkMs)} ms between calls` : '';
  const protocols = Object.keys(r.protocols).sort().join(' + ') || 'no response';
  const model =
    r.open === null
      ? `closed model: ${int(r.concurrency)} concurrent callers${think}`
      : `open model: ${int(r.open.rate)} req/s on a schedule, at most ${int(r.concurrency)} in flight`;
  out.push(`${plan}${warm}, ${model}, ${r.method}, ${protocols}`);
  out.push(line('server', serverWhere(r)));
  out.push('');
  out.push(line('requests', `${int(r.requests)} (${int(r.ok)} ok, ${int(r.failed)} failed)`));
  if (r.open !== null) {
    const [verdict, books] = openLines(r.open, p);
    // A run that gave up on a failing URL ran too briefly for a rate to mean anything.
    out.push(line('rate', r.stopped === 'failing' ? 'not judged: the run stopped as nothing succeeded' : verdict));
    out.push(line('schedule', books));
  }
  if (r.stopped === 'interrupted') out.push(line('stopped', p.yellow('interrupted: the figures cover the requests that ran')));
  if (r.stopped === 'failing') out.push(line('stopped', p.red(`no request succeeded after ${int(r.failed)} attempts`)));
  out.push(line('duration', `${(r.durationMs / 1000).toFixed(3)} s`));
  out.push(line('throughput', `${int(r.requestsPerSecond)} req/s`));
  const l = r.latencyMs;
  out.push(line('latency ms', l === null ? 'none (no request succeeded)' : percentiles(l)));
  if (r.open !== null && r.open.serviceMs !== null) {
    // The two side by side are the point of the open model: what the schedule's users saw
    // (from the intended send) against what a closed loop would have reported (from the send).
    out.push(line('', `(from the scheduled send; from the actual send: ${percentiles(r.open.serviceMs)})`));
  }
  if (l !== null) out.push(...histogramLines(r));
  out.push(line('per second', perSecondLine(r)));
  out.push(line('statuses', counts(r.statuses, ' ×')));
  out.push(line('errors', r.failed > 0 ? p.red(counts(r.errors, ' ×')) : 'none'));
  const afterWarmup = r.plan.warmupMs > 0 ? ' after the warm-up' : '';
  out.push(line('connections', `${int(r.connections.opened)} opened${afterWarmup}, ${int(r.connections.idleAtEnd)} idle at the end`));
  out.push(
    line('reuse', `${pct(r.connections.reuseRatio)} (${int(r.connections.reused)} of ${int(r.connections.transportRequests)} requests on a reused connection)`),
  );
  out.push(line('closed', counts(r.closed, ' ')));
  const o = r.pool;
  out.push(
    line(
      'pool',
      `maxConnsPerHost=${o.maxConnsPerHost} maxIdleConnsPerHost=${o.maxIdleConnsPerHost} maxIdleConns=${o.maxIdleConns} idleConnTimeout=${o.idleConnTimeout}${o.disableKeepAlives ? ' disableKeepAlives' : ''}`,
    ),
  );
  const hosts = Object.entries(r.hosts);
  for (const [key, h] of hosts) {
    out.push(
      line(
        hosts.length > 1 ? `  ${hostLabel(key)}` : 'concurrency',
        `${int(h.peakConcurrency)} at most in flight, ${int(h.peakWaiting)} at most waiting, connection wait ${ms(h.connWaitMeanMs)} ms mean, ${ms(h.connWaitMaxMs)} ms max`,
      ),
    );
  }
  if (r.server !== null) out.push(line('server saw', `${int(r.server.connections)} connections, ${int(r.server.requests)} requests`));
  // With nothing succeeding there is no pool behaviour to judge; main says why on stderr.
  if (r.ok === 0 && r.advice.length === 0) return `${out.join('\n')}\n`;
  out.push('');
  if (r.advice.length === 0) {
    out.push(p.green(noAdvice(r)));
  } else {
    out.push(p.bold('advice'));
    for (const a of r.advice) out.push(`  - ${p.yellow(a)}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * The live line (no newline; the caller rewrites it with \r): the last complete second's
 * throughput and errors (the running average in the first second), then the totals.
 */
export function formatProgress(pr: BenchProgress, r: { requests: number; durationMs: number | null }): string {
  const s = pr.lastSecond;
  const rate = s !== null ? s.ok + s.failed : pr.elapsedMs > 0 ? (pr.done * 1000) / pr.elapsedMs : 0;
  const errors = s !== null ? s.failed : pr.failed;
  const of = r.durationMs === null ? ` / ${int(r.requests)}` : '';
  const time = r.durationMs === null ? '' : `  ${(pr.elapsedMs / 1000).toFixed(1)}/${(r.durationMs / 1000).toString()} s`;
  const sched = pr.schedule === null ? '' : `  ${int(pr.schedule.sent)}/${int(pr.schedule.scheduled)} sent  ${int(pr.schedule.late)} late`;
  if (pr.warmingUp) return `warm-up (not counted): ${int(pr.done)} requests  ${int(rate)} req/s  ${int(errors)} errors/s  ${int(pr.inFlight)} in flight`;
  return `${int(pr.done)}${of} requests${time}  ${int(rate)} req/s  ${int(errors)} errors/s${sched}  ${int(pr.inFlight)} in flight`;
}
