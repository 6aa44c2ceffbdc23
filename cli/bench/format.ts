// How a bench result reads: an aligned "label  value" block a person scans and a test parses,
// then the advice (or the one line saying there is none). Colors come only through paint(),
// which is a no-op off a terminal and under NO_COLOR.

import type { Paint } from '../io.js';
import { hostLabel, int, ms, pct } from '../../src/advice/format.js';
import type { BenchProgress, BenchResult } from './run.js';

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
  return `${r.url} (embedded server: ${how.join(', ')})`;
}

/** The sentence a healthy run gets instead of advice. */
export function noAdvice(r: BenchResult): string {
  return `No advice: ${int(r.requests)} requests over ${int(r.connections.opened)} connections, reuse ${pct(r.connections.reuseRatio)}.`;
}

export function formatResult(r: BenchResult, p: Paint): string {
  const out: string[] = [];
  const plan = r.plan.durationMs === null ? `${int(r.plan.requests)} requests` : `${(r.plan.durationMs / 1000).toString()} s (at most ${int(r.plan.requests)} requests)`;
  out.push(p.bold(`httpool bench ${target(r)}`));
  const think = r.plan.thinkMs > 0 ? `, ${int(r.plan.thinkMs)} ms between calls` : '';
  out.push(`${plan}, ${int(r.concurrency)} concurrent callers${think}, ${r.method}`);
  out.push('');
  out.push(line('requests', `${int(r.requests)} (${int(r.ok)} ok, ${int(r.failed)} failed)`));
  if (r.stopped === 'interrupted') out.push(line('stopped', p.yellow('interrupted: the figures cover the requests that ran')));
  if (r.stopped === 'failing') out.push(line('stopped', p.red(`no request succeeded after ${int(r.failed)} attempts`)));
  out.push(line('duration', `${(r.durationMs / 1000).toFixed(3)} s`));
  out.push(line('throughput', `${int(r.requestsPerSecond)} req/s`));
  const l = r.latencyMs;
  out.push(line('latency ms', l === null ? 'none (no request succeeded)' : `p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  max ${ms(l.max)}`));
  out.push(line('statuses', counts(r.statuses, ' ×')));
  out.push(line('errors', r.failed > 0 ? p.red(counts(r.errors, ' ×')) : 'none'));
  out.push(line('connections', `${int(r.connections.opened)} opened, ${int(r.connections.idleAtEnd)} idle at the end`));
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

/** The live progress line (no newline; the caller rewrites it with \r). */
export function formatProgress(pr: BenchProgress, r: { requests: number; durationMs: number | null }): string {
  const rate = pr.elapsedMs > 0 ? (pr.done * 1000) / pr.elapsedMs : 0;
  const of = r.durationMs === null ? ` / ${int(r.requests)}` : '';
  const time = r.durationMs === null ? '' : `  ${(pr.elapsedMs / 1000).toFixed(1)}/${(r.durationMs / 1000).toString()} s`;
  return `${int(pr.done)}${of} requests${time}  ${int(rate)} req/s  ${int(pr.failed)} errors  ${int(pr.inFlight)} in flight`;
}
