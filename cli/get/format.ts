// Small text helpers for the get/head/post output: durations people can read at a glance,
// and the one-line reuse summary that `--repeat` ends with.

import type { HostStats } from '../../src/index.js';

/** Milliseconds with the precision that matters at that size: "0.31 ms", "12.4 ms", "340 ms". */
export function formatMs(ms: number): string {
  const digits = ms < 10 ? 2 : ms < 100 ? 1 : 0;
  return `${ms.toFixed(digits)} ms`;
}

/** How long a connection sat idle: ms below a second, else seconds ("1.2 s", as curl users expect). */
export function formatIdle(ms: number): string {
  return ms < 1000 ? formatMs(ms) : `${(ms / 1000).toFixed(1)} s`;
}

/** A URL for messages, its password masked as the library's errors mask it (stderr ends up in CI logs). */
export function shownUrl(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/**
 * "3 requests, 1 connection opened, 2 reused" from the transport's totals, plus why connections
 * closed so far (the question a user of --repeat is asking when the reuse count is low).
 */
export function summaryLine(totals: HostStats): string {
  let line = `${plural(totals.requests, 'request', 'requests')}, ${plural(totals.opened, 'connection opened', 'connections opened')}, ${totals.reused} reused`;
  const closed = Object.entries(totals.closed).filter(([, n]) => n !== undefined && n > 0);
  if (closed.length > 0) line += `; closed: ${closed.map(([reason, n]) => `${reason} ${n}`).join(', ')}`;
  return line;
}
