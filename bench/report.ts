// Turns benchmark rows into the printed table (or JSON), with httpool's throughput as a
// ratio of each other client's in the same scenario, and the protocol each client's
// responses actually came over.

import type { ClientName } from './clients.js';
import { formatTable } from '../cli/table.js';

export interface Row {
  scenario: string;
  client: ClientName;
  /** Protocols the client's responses came over ('HTTP/1.1', 'HTTP/2.0'; '+'-joined if several), null before any response. */
  protocol: string | null;
  concurrency: number;
  requests: number;
  errors: number;
  elapsedMs: number;
  reqPerSec: number;
  /** req/s of each measured round, in order. */
  roundReqPerSec: number[];
  /** Body megabytes (10^6 bytes) per second. */
  mbPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Connections the server saw this client open in the scenario, warm-up included. */
  connections: number | null;
  /** Why the row is incomplete or wrong, or null. */
  error: string | null;
}

export interface Ratio {
  scenario: string;
  /** httpool req/s divided by the other client's; null when either row has no result. */
  vsUndici: number | null;
  vsNodeHttp: number | null;
  /** Only in HTTP/2 scenarios, where node:http2 stands in for node:http. */
  vsNodeHttp2: number | null;
}

/** A scenario that did not run, and why (e.g. no openssl for the TLS ones). */
export interface Skipped {
  scenario: string;
  reason: string;
}

function rate(rows: readonly Row[], scenario: string, client: ClientName): number | null {
  const row = rows.find((r) => r.scenario === scenario && r.client === client);
  return row === undefined || row.requests === 0 ? null : row.reqPerSec;
}

export function ratios(rows: readonly Row[]): Ratio[] {
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  return scenarios.map((scenario) => {
    const mine = rate(rows, scenario, 'httpool');
    const undici = rate(rows, scenario, 'undici');
    const node = rate(rows, scenario, 'node:http');
    const node2 = rate(rows, scenario, 'node:http2');
    return {
      scenario,
      vsUndici: mine === null || undici === null ? null : mine / undici,
      vsNodeHttp: mine === null || node === null ? null : mine / node,
      vsNodeHttp2: mine === null || node2 === null ? null : mine / node2,
    };
  });
}

function fixed(n: number | null, digits: number): string {
  return n === null || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

/** (max - min) / mean of the rounds' req/s: how much to trust the row; '-' for one round. */
function spread(r: Row): string {
  const xs = r.roundReqPerSec;
  if (xs.length < 2) return '-';
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return mean > 0 ? `${(((Math.max(...xs) - Math.min(...xs)) / mean) * 100).toFixed(0)}%` : '-';
}

function ratioText(n: number | null): string {
  return n === null ? '-' : `${n.toFixed(2)}x`;
}

export function renderTable(rows: readonly Row[], skipped: readonly Skipped[] = []): string {
  const rs = ratios(rows);
  const header = ['scenario', 'client', 'proto', 'req/s', 'spread', 'MB/s', 'p50 ms', 'p99 ms', 'conns', 'errors', 'httpool/undici', 'httpool/node'];
  const numeric = [false, false, false, true, true, true, true, true, true, true, true, true];
  const body = rows.map((r) => {
    const ratio = r.client === 'httpool' ? rs.find((x) => x.scenario === r.scenario) : undefined;
    return [
      r.scenario,
      r.client,
      r.protocol ?? '-',
      r.requests === 0 ? '-' : fixed(r.reqPerSec, 0),
      spread(r),
      r.requests === 0 ? '-' : fixed(r.mbPerSec, 1),
      fixed(r.p50Ms, 3),
      fixed(r.p99Ms, 3),
      r.connections === null ? '-' : String(r.connections),
      String(r.errors),
      ratio === undefined ? '' : ratioText(ratio.vsUndici),
      ratio === undefined ? '' : ratioText(ratio.vsNodeHttp ?? ratio.vsNodeHttp2),
    ];
  });
  const notes = [
    ...rows.filter((r) => r.error !== null).map((r) => `! ${r.scenario} ${r.client}: ${r.error ?? ''}`),
    ...skipped.map((k) => `! ${k.scenario} skipped: ${k.reason}`),
  ];
  const legend = [
    '',
    'req/s, MB/s: measured rounds only. spread: (max - min) / mean of the rounds\' req/s (--rounds 2+).',
    'p50/p99: latency from sending the request to the last body byte.',
    'conns: connections the server accepted from the client in the scenario, warm-up included',
    "  (undici's Pool drops connections idle for 4 s, its default keepAliveTimeout, so it redials",
    '  after the other clients\' turns; the redial is one dial per connection, not per request).',
    'proto: the protocol every response came over; any other counts as an error (undici: checked per',
    '  connection, from its ALPN result, since its responses do not say).',
    'httpool/x: httpool req/s divided by x req/s in the same scenario; node is node:http, or',
    '  node:http2 in the HTTP/2 scenario.',
  ];
  return [formatTable(header, body, numeric), ...legend, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
