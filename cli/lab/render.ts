// The lab's printed output: one table of rows (the evidence), then what each column means,
// then each pattern and each client's row in one sentence. The HTML report reuses the cells.

import type { Pattern } from './pattern.js';
import type { Row } from './runner.js';
import { formatTable } from '../table.js';

function counts(rec: Record<string, number>): string {
  return Object.entries(rec)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

/** Errors by code, short bodies, httpool's close reasons: what the numbers alone don't say. */
export function rowNotes(r: Row): string {
  const parts: string[] = [];
  if (r.failure !== null) parts.push(`FAILED: ${r.failure}`);
  const errs = counts(r.errorCodes);
  if (errs !== '') parts.push(`errors: ${errs}`);
  if (r.uploads > 0) parts.push(`short bodies at server: ${r.shortBodies}`);
  if (r.closeReasons !== null) parts.push(`closed: ${counts(r.closeReasons) || 'none'}`);
  return parts.join('; ');
}

const num = (n: number | null): string => (n === null ? '-' : String(n));

export const TABLE_HEADER = ['pattern', 'client', 'reqs', 'served', 'conns', 'errors', 'open', 'CLOSE_WAIT', 'TIME_WAIT', 'ms', 'notes'] as const;
export const TABLE_NUMERIC = [false, false, true, true, true, true, true, true, true, true, false] as const;

export function tableCells(r: Row): string[] {
  return [
    r.pattern, r.client, num(r.requests), num(r.served), num(r.connections), num(r.errors),
    num(r.open), num(r.closeWait), num(r.timeWait), r.ms.toFixed(0), rowNotes(r),
  ];
}

export const COLUMN_NOTES: readonly string[] = [
  'conns: connections the server accepted. open: client sockets still connected when the run ended.',
  'CLOSE_WAIT: sockets still in CLOSE_WAIT 200 ms after the server closed its idle connections.',
  'TIME_WAIT: sockets in TIME_WAIT when the run ended (each a connection closed during the run).',
  'closed: httpool close reasons, transport.stats().totals.closed.',
];


/** Each pattern's sentence, then one indented sentence per client row that ran. */
export function explanations(patterns: readonly Pattern[], rows: readonly Row[]): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    const mine = rows.filter((r) => r.pattern === p.id);
    if (mine.length === 0) continue;
    out.push(`${p.id} (seed ${p.seed}): ${p.explains}`);
    const width = Math.max(...mine.map((r) => r.client.length));
    for (const r of mine) out.push(`    ${r.client.padEnd(width)}  ${r.explains}`);
  }
  return out;
}

export function renderText(patterns: readonly Pattern[], rows: readonly Row[], skipped: readonly string[]): string {
  const table = formatTable(TABLE_HEADER, rows.map(tableCells), TABLE_NUMERIC);
  const skippedLines = skipped.length === 0 ? [] : ['', ...skipped];
  return [table, ...skippedLines, '', ...COLUMN_NOTES, '', ...explanations(patterns, rows)].join('\n');
}
