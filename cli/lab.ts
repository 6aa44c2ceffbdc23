// `npm start`: the seed incidents replayed against a local server, through Node's global
// fetch and through httpool, with the evidence the seed authors needed tcpdump, ss and lsof
// for: connections the server accepted, errors the caller saw, sockets left in CLOSE_WAIT
// and TIME_WAIT, and httpool's own record of why each connection closed.
// Flags: --json for machine-readable rows. Exit code 1 when a row could not run.

import { PATTERNS } from './lab/patterns.js';
import type { Httpool } from './lab/outcome.js';
import { runRow, type Row } from './lab/runner.js';

/** The whole lab stays well under a minute; past this something hangs. */
const WATCHDOG_MS = 58_000;

let httpoolModule: Promise<Httpool> | null = null;
/** Loaded once, on first use: a library that fails to load fails its rows, not the lab. */
function loadHttpool(): Promise<Httpool> {
  httpoolModule ??= import('../src/index.js');
  return httpoolModule;
}

function counts(rec: Record<string, number>): string {
  return Object.entries(rec)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

function notes(r: Row): string {
  const parts: string[] = [];
  if (r.failure !== null) parts.push(`FAILED: ${r.failure}`);
  const errs = counts(r.errorCodes);
  if (errs !== '') parts.push(`errors: ${errs}`);
  if (r.uploads > 0) parts.push(`short bodies at server: ${r.shortBodies}`);
  if (r.closeReasons !== null) parts.push(`closed: ${counts(r.closeReasons) || 'none'}`);
  return parts.join('; ');
}

function formatTable(header: readonly string[], body: readonly (readonly string[])[], numeric: readonly boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric[i] === true ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

const num = (n: number | null): string => (n === null ? '-' : String(n));

function render(rows: readonly Row[]): string {
  const header = ['pattern', 'client', 'reqs', 'served', 'conns', 'errors', 'open', 'CLOSE_WAIT', 'TIME_WAIT', 'ms', 'notes'];
  const numeric = [false, false, true, true, true, true, true, true, true, true, false];
  const body = rows.map((r) => [
    r.pattern, r.client, num(r.requests), num(r.served), num(r.connections), num(r.errors),
    num(r.open), num(r.closeWait), num(r.timeWait), r.ms.toFixed(0), notes(r),
  ]);
  const legend = [
    '',
    'conns: connections the server accepted. open: client sockets still connected when the run ended.',
    'CLOSE_WAIT: sockets still in CLOSE_WAIT 200 ms after the server closed its idle connections.',
    'TIME_WAIT: sockets in TIME_WAIT when the run ended (each a connection closed during the run).',
    'closed: httpool close reasons, transport.stats().totals.closed.',
    '',
    ...PATTERNS.map((p) => `${p.id} (seed ${p.seed}): ${p.explains}`),
  ];
  return [formatTable(header, body, numeric), ...legend].join('\n');
}

async function main(): Promise<number> {
  const json = process.argv.includes('--json');
  const unknown = process.argv.slice(2).filter((a) => a !== '--json');
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(' ')} (usage: lab.js [--json])`);
  const rows: Row[] = [];
  for (const pattern of PATTERNS) {
    for (const run of pattern.runs) {
      process.stderr.write(`lab: ${pattern.id} / ${run.client}\n`);
      rows.push(await runRow(pattern, run, loadHttpool));
    }
  }
  if (json) {
    const patterns = PATTERNS.map((p) => ({ id: p.id, seed: p.seed, explains: p.explains }));
    console.log(JSON.stringify({ node: process.version, patterns, rows }, null, 2));
  } else {
    console.log(render(rows));
  }
  return rows.some((r) => r.failure !== null) ? 1 : 0;
}

const watchdog = setTimeout(() => {
  console.error(`lab: still running after ${WATCHDOG_MS} ms, giving up`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

// Pooled keep-alive sockets (the default transport's, fetch's global dispatcher's) must not
// keep the process up once the work is done: the unref'd timer only fires if one does.
main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 2_000).unref();
  },
);
