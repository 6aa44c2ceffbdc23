// `httpool bench --report FILE.html`: the bench result as a page, with the run's connection
// timeline. The bench command wires it in three lines:
//
//   const report = cmd.report === null ? null : attachReport();
//   result = await runBench({ ...cmd.bench, onTransport: report?.onTransport, … });
//   if (report !== null) io.err.write(`report: ${await report.write(cmd.report, result)}\n`);
//
// (and `report?.stop()` in its `finally`, so a failed run unsubscribes). Recording starts in
// onTransport, before the first request, and stops in write(), after runBench has closed its
// transport, so connections still open at the end of the load end as transport-closed.

import type { Transport } from '../../src/index.js';
import type { BenchResult } from '../bench/run.js';
import type { ReportBlock, ReportModel } from './html.js';
import { TimelineRecorder, type RecorderOptions, type Timeline } from './timeline.js';
import { writeReport } from './write.js';

export interface ReportAttachment {
  /** runBench's onTransport: starts recording before any traffic. */
  readonly onTransport: (transport: Transport) => void;
  /** Stops recording and writes the page; returns the absolute path written. */
  write(file: string, result: BenchResult): Promise<string>;
  /** Stops recording without writing (a failed run); safe to call more than once. */
  stop(): void;
}

export function attachReport(opts: RecorderOptions = {}): ReportAttachment {
  let recorder: TimelineRecorder | null = null;
  let timeline: Timeline | null = null;
  const stop = (): Timeline | null => {
    timeline ??= recorder?.stop() ?? null;
    return timeline;
  };
  return {
    // The recorder listens on the diagnostics channels, so it needs no handle on the transport:
    // this hook only says when the run's traffic is about to start.
    onTransport: () => {
      recorder ??= new TimelineRecorder(opts).start();
    },
    write: (file, result) => writeReport(file, benchReport(result, stop())),
    stop: () => void stop(),
  };
}

const fixed = (n: number, digits: number): string => n.toFixed(digits);
const counts = (rec: Readonly<Record<string, number | undefined>>): string =>
  Object.entries(rec)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `${k} ${n ?? 0}`)
    .join(', ') || 'none';

/** The page for one bench result: summary, hosts, close reasons, advice, timeline. */
export function benchReport(r: BenchResult, timeline: Timeline | null): ReportModel {
  const l = r.latencyMs;
  const summary: [string, string][] = [
    ['target', r.url + (r.serverProcess === null ? ' (URL given: the server is yours)' : ` (embedded server: child process pid ${r.serverProcess.pid})`)],
    [
      'load',
      `${r.method}, ${r.open === null ? `closed model, ${r.concurrency} concurrent callers` : `open model, ${r.open.rate} req/s, at most ${r.concurrency} in flight`}, ${r.plan.durationMs === null ? `${r.plan.requests} requests` : `${r.plan.durationMs / 1000} s`}`,
    ],
    ['requests', `${r.requests} (${r.ok} ok, ${r.failed} failed)`],
    ['duration', `${fixed(r.durationMs / 1000, 3)} s`],
    ['throughput', `${fixed(r.requestsPerSecond, 0)} req/s`],
    ['latency ms', l === null ? 'none (no request succeeded)' : `p50 ${fixed(l.p50, 2)}, p90 ${fixed(l.p90, 2)}, p99 ${fixed(l.p99, 2)}, p99.9 ${fixed(l.p999, 2)}, max ${fixed(l.max, 2)}${r.open === null ? '' : ' (from the scheduled send)'}`],
    ['statuses', counts(r.statuses)],
    ['errors', counts(r.errors)],
    ['connections', `${r.connections.opened} opened, ${r.connections.idleAtEnd} idle at the end`],
    ['reuse', `${fixed(r.connections.reuseRatio * 100, 1)}% (${r.connections.reused} of ${r.connections.transportRequests} requests)`],
    ['pool', `maxConnsPerHost=${r.pool.maxConnsPerHost} maxIdleConnsPerHost=${r.pool.maxIdleConnsPerHost} maxIdleConns=${r.pool.maxIdleConns} idleConnTimeout=${r.pool.idleConnTimeout}${r.pool.disableKeepAlives ? ' disableKeepAlives' : ''}`],
  ];
  if (r.open !== null) {
    const o = r.open;
    summary.push(['rate', `${o.held ? 'held' : 'NOT held'}: ${fixed(o.achievedRate, 1)} req/s sent for ${o.rate}; ${o.scheduled} scheduled, ${o.sent} sent, ${o.late} late (max lag ${fixed(o.maxLagMs, 2)} ms), ${o.waitedForSlot} waited for a slot, ${o.unsent} never sent`]);
  }
  if (r.server !== null) summary.push(['server saw', `${r.server.connections} connections, ${r.server.requests} requests`]);
  const blocks: ReportBlock[] = [
    { kind: 'table', title: 'Summary', header: ['', ''], rows: summary },
    {
      kind: 'table',
      title: 'Hosts',
      header: ['host', 'requests', 'reused', 'opened', 'peak in flight', 'peak waiting', 'conn wait mean ms', 'conn wait max ms'],
      numeric: [false, true, true, true, true, true, true, true],
      rows: Object.entries(r.hosts).map(([key, h]) => [
        key, String(h.requests), String(h.reused), String(h.opened), String(h.peakConcurrency), String(h.peakWaiting),
        fixed(h.connWaitMeanMs, 2), fixed(h.connWaitMaxMs, 2),
      ]),
    },
    { kind: 'closeReasons', title: 'Why connections closed (during the load)', counts: definedCounts(r.closed) },
    r.advice.length === 0
      ? { kind: 'text', title: 'Advice', paragraphs: ['None: the pool fit the load.'] }
      : { kind: 'list', title: 'Advice', items: r.advice },
  ];
  if (timeline !== null) {
    blocks.push({
      kind: 'timeline',
      title: 'Connection timeline',
      description: 'Recorded from the httpool:* diagnostics channels for the whole run. The bench closes its transport when the load ends, so connections still open then end as transport-closed.',
      timeline,
    });
  }
  return { title: `httpool bench ${r.url}`, meta: [`Node ${process.version}, ${new Date().toISOString()}`], blocks };
}

function definedCounts(rec: Readonly<Record<string, number | undefined>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(rec)) if (v !== undefined && v > 0) out[k] = v;
  return out;
}
