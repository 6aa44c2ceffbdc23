// The soak report as text: the figures first, then each check with its verdict, then the
// problems verbatim (each one names the seed's request id, so it can be replayed).

import { mib, type SoakReport } from './run.js';

function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
}

function counts(rec: Record<string, number>): string {
  return Object.entries(rec)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

export function formatReport(r: SoakReport): string {
  const o = r.options;
  const errorRows = Object.entries(r.errors).map(([code, t]): [string, string] => [code, `${t.deserved} deserved, ${t.undeserved} undeserved`]);
  const causeRows = Object.entries(r.causes).map(([cause, t]): [string, string] => [cause, `${t.deserved} deserved, ${t.undeserved} undeserved`]);
  const lines = [
    `httpool soak: seed ${o.seed}, ${o.concurrency} workers, maxConnsPerHost ${o.maxConnsPerHost}, maxIdleConnsPerHost ${o.maxIdleConnsPerHost}, client timeout ${o.timeoutMs} ms`,
    '',
    table([
      ['duration', `${r.seconds.toFixed(1)} s`],
      ['requests', `${r.requests} (${r.reqPerSec.toFixed(0)} req/s): ${r.succeeded} ok, ${r.failed} failed, ${r.retriedOk} ok after a retry`],
      ['by kind', counts(r.byKind)],
      ['by read', counts(r.byRead)],
      ['faults injected', `${counts(r.faults)}${r.stallsDeferred > 0 ? ` (${r.stallsDeferred} stalls deferred: 2 at a time)` : ''}`],
      ['close reasons', counts(r.closeReasons as Record<string, number>)],
      ['connections', `${r.connsOpened} opened (server accepted ${r.server.accepted}), reuse ${(r.reuse * 100).toFixed(1)}%`],
      ['max connections', `client ${r.maxConnsClient}, server ${r.server.maxOpen} (cap ${o.maxConnsPerHost})`],
      ['fds', `baseline ${r.fds.baseline}, end ${r.fds.end}, max ${r.fds.max}, after close ${r.fds.afterClose}`],
      ['heapUsed', `start ${mib(r.heapUsed.start)}, end ${mib(r.heapUsed.end)}, max ${mib(r.heapUsed.max)}`],
      ['arrayBuffers', `start ${mib(r.arrayBuffers.start)}, end ${mib(r.arrayBuffers.end)}, max ${mib(r.arrayBuffers.max)}`],
    ]),
  ];
  if (errorRows.length > 0) lines.push('', 'client errors by code', table(errorRows), '', 'client errors by cause', table(causeRows));
  lines.push('', 'checks', table(r.checks.map((c): [string, string] => [`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}`, c.detail])));
  if (r.problems.length > 0) {
    lines.push('', `problems (replay with --seed ${o.seed}; first ${r.problems.length} shown)`);
    for (const p of r.problems) lines.push(`  - ${p}`);
  }
  lines.push('', r.ok ? 'PASS' : 'FAIL');
  return lines.join('\n');
}
