// Turns benchmark rows into the printed tables (or JSON): medians over rounds, httpool's
// throughput as a ratio of undici's Pool and of Go's client in the same scenario, the
// protocol each client's responses actually came over, client CPU per request, and the
// memory figures.

import type { ClientName } from './clients.js';
import { formatTable } from '../cli/table.js';
import type { MemoryRow } from './memory.js';
import { IDLE_CONNS, IN_FLIGHT } from './memory.js';
import { H2_IDLE_SESSIONS, H2_STREAMS, type H2MemoryRow } from './memory-h2.js';

export interface Row {
  scenario: string;
  client: ClientName;
  /** Protocols the client's responses came over ('HTTP/1.1', 'HTTP/2.0'; '+'-joined if several), null before any response. */
  protocol: string | null;
  concurrency: number;
  /** Totals over the measured rounds. */
  requests: number;
  errors: number;
  /** Medians over the measured rounds. */
  reqPerSec: number;
  mbPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Client CPU time (user + system) per request, in microseconds. */
  cpuUsPerReq: number;
  /** The server's CPU use during the client's runs, % of its one core (NaN when unknown). */
  serverCpuPct: number;
  /** req/s of each measured round, in order. */
  roundReqPerSec: number[];
  /** (max - min) / median of roundReqPerSec; NaN with one round. */
  spread: number;
  /** Connections the server saw this client open in the scenario, warm-up included. */
  connections: number | null;
  /** Why the row is incomplete or wrong, or null. */
  error: string | null;
}

export interface Ratio {
  scenario: string;
  /** httpool's median req/s divided by the other client's; null when either has no result. */
  vsUndici: number | null;
  vsUndiciClient: number | null;
  vsGo: number | null;
  /** The same for client CPU per request (below 1: httpool spends less CPU per request). */
  cpuVsUndici: number | null;
  cpuVsGo: number | null;
}

/** A scenario (or one client of it) that did not run, and why. */
export interface Skipped {
  scenario: string;
  reason: string;
}

function find(rows: readonly Row[], scenario: string, client: ClientName): Row | null {
  const row = rows.find((r) => r.scenario === scenario && r.client === client);
  return row === undefined || row.requests === 0 ? null : row;
}

function div(a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : a / b;
}

export function ratios(rows: readonly Row[]): Ratio[] {
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  return scenarios.map((scenario) => {
    const mine = find(rows, scenario, 'httpool') ?? undefined;
    const undici = find(rows, scenario, 'undici') ?? undefined;
    const bare = find(rows, scenario, 'undici-client') ?? undefined;
    const go = find(rows, scenario, 'go') ?? undefined;
    return {
      scenario,
      vsUndici: div(mine?.reqPerSec, undici?.reqPerSec),
      vsUndiciClient: div(mine?.reqPerSec, bare?.reqPerSec),
      vsGo: div(mine?.reqPerSec, go?.reqPerSec),
      cpuVsUndici: div(mine?.cpuUsPerReq, undici?.cpuUsPerReq),
      cpuVsGo: div(mine?.cpuUsPerReq, go?.cpuUsPerReq),
    };
  });
}

function fixed(n: number | null, digits: number): string {
  return n === null || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

function ratioText(n: number | null): string {
  return n === null ? '-' : `${n.toFixed(2)}x`;
}

function kib(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / 1024).toFixed(1) : '-';
}

export function renderTable(rows: readonly Row[], skipped: readonly Skipped[] = []): string {
  const rs = ratios(rows);
  const header = ['scenario', 'client', 'proto', 'req/s', 'spread', 'MB/s', 'p50 ms', 'p99 ms', 'CPU us/req', 'srv CPU', 'conns', 'errors', 'httpool/undici', 'httpool/go'];
  const numeric = [false, false, false, true, true, true, true, true, true, true, true, true, true, true];
  const body = rows.map((r) => {
    const ratio = r.client === 'httpool' ? rs.find((x) => x.scenario === r.scenario) : undefined;
    const none = r.requests === 0;
    return [
      r.scenario,
      r.client,
      r.protocol ?? '-',
      none ? '-' : fixed(r.reqPerSec, 0),
      Number.isFinite(r.spread) ? `${(r.spread * 100).toFixed(0)}%` : '-',
      none ? '-' : fixed(r.mbPerSec, 1),
      fixed(r.p50Ms, 3),
      fixed(r.p99Ms, 3),
      none ? '-' : fixed(r.cpuUsPerReq, 1),
      Number.isFinite(r.serverCpuPct) ? `${r.serverCpuPct.toFixed(0)}%` : '-',
      r.connections === null ? '-' : String(r.connections),
      String(r.errors),
      ratio === undefined ? '' : ratioText(ratio.vsUndici),
      ratio === undefined ? '' : ratioText(ratio.vsGo),
    ];
  });
  const notes = [
    ...rows.filter((r) => r.error !== null).map((r) => `! ${r.scenario} ${r.client}: ${r.error ?? ''}`),
    ...skipped.map((k) => `! ${k.scenario} skipped: ${k.reason}`),
  ];
  const legend = [
    '',
    'req/s, MB/s, p50, p99, CPU us/req: medians over the measured rounds (warm-up excluded).',
    "spread: (max - min) / median of the rounds' req/s (needs --rounds 2+).",
    'p50/p99: latency from sending the request to the last body byte, per round; the median round is shown.',
    "CPU us/req: client CPU (user + system) per request, of the client's own process (each client runs",
    '  alone in one: its library, its GC threads, nothing else), Go with GOMAXPROCS=1.',
    "srv CPU: the server process's CPU use while the client ran, % of its one core (near 100%: the",
    '  server, not the client, sets the pace).',
    'conns: connections the server accepted from the client in the scenario, warm-up included',
    "  (undici's Pool and Clients drop connections idle for 4 s, their default keepAliveTimeout, so",
    "  they redial after the other clients' turns; one dial per connection per round, not per request).",
    'proto: the protocol every response came over; any other counts as an error (undici, fetch, axios:',
    '  checked per connection or fixed by construction, since their responses do not say).',
    "httpool/x: httpool's median req/s divided by x's; undici is undici's Pool.request.",
  ];
  return [formatTable(header, body, numeric), ...legend, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

export function renderMemory(rows: readonly MemoryRow[]): string {
  // RSS per connection is in the JSON only: it moves in pages and GC does not hand memory back,
  // so its deltas here are noise around zero (even negative), not a figure to compare.
  const header = ['client', 'idle conns', 'heap+ext KiB/conn', `heap+ext KiB/req (${IN_FLIGHT} in flight)`];
  const body = rows.map((r) => [r.client, String(r.idleConns), kib(r.idleHeapPerConn), kib(r.inFlightHeapPerReq)]);
  const legend = [
    '',
    `Against the Node server (its /slow path holds answers back). idle: ${IDLE_CONNS} keep-alive connections opened by`,
    `${IDLE_CONNS} concurrent requests, growth after a full GC divided by the connections the server saw;`,
    `in flight: ${IN_FLIGHT} requests held by the server on already-open connections, heap + external growth / ${IN_FLIGHT}.`,
    'heap+ext: process.memoryUsage() heapUsed + external (JS heap and Buffers/TLS memory outside it).',
  ];
  const notes = rows.filter((r) => r.error !== null).map((r) => `! memory ${r.client}: ${r.error ?? ''}`);
  return [formatTable(header, body, [false, true, true, true]), ...legend, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

export function renderH2Memory(rows: readonly H2MemoryRow[], goNote: string | null): string {
  const header = ['client', 'idle sessions', 'KiB/idle session', 'stream sessions', `KiB/open stream (${H2_STREAMS} open)`];
  const body = rows.map((r) => [r.client, String(r.idleSessions), kib(r.idleBytesPerSession), String(r.streamSessions), kib(r.streamBytesPerStream)]);
  const legend = [
    '',
    `HTTP/2 over TLS against the Node server. idle: one GET to each of ${H2_IDLE_SESSIONS} HTTP/2 listeners (one session`,
    'per port, each its own pool host), sessions left open, growth after a full GC / the sessions;',
    `open stream: ${H2_STREAMS} GETs on one already-open session (maxConnsPerHost 1) that the server answered with`,
    'headers and holds the body of, growth / the streams.',
    'httpool: heap + external (process.memoryUsage()); go: runtime.MemStats HeapAlloc + StackInuse after',
    'runtime.GC(), in its own process (GOMAXPROCS=1). Same shape, different instruments.',
    ...rows.filter((r) => r.check !== null).map((r) => `check ${r.client}: ${r.check ?? ''}`),
    ...(goNote === null ? [] : [goNote]),
  ];
  const notes = rows.filter((r) => r.error !== null).map((r) => `! h2 memory ${r.client}: ${r.error ?? ''}`);
  return [formatTable(header, body, [false, true, true, true, true]), ...legend, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
