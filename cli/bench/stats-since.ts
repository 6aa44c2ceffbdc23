// A Transport's counters since a snapshot: what `--warmup` needs, since a warm-up runs on the
// same Transport (that is its point: connections open, code compiled) but must not count.
// Counters (requests, opened, close reasons…) are subtracted; gauges (active, idle, waiting,
// dialing) are what they are now.

import type { CloseReason, HostStats, TransportStats } from '../../src/index.js';

export function hostSince(now: HostStats, before: HostStats | undefined): HostStats {
  if (before === undefined) return now;
  const closed: Partial<Record<CloseReason, number>> = {};
  for (const [k, n] of Object.entries(now.closed) as [CloseReason, number][]) {
    const d = n - (before.closed[k] ?? 0);
    if (d > 0) closed[k] = d;
  }
  return {
    ...now,
    requests: now.requests - before.requests,
    reused: now.reused - before.reused,
    opened: now.opened - before.opened,
    retries: now.retries - before.retries,
    retriesRefused: now.retriesRefused - before.retriesRefused,
    closed,
  };
}

/** `now` with every host's counters and the totals taken from `before`; null before = `now` as it is. */
export function statsSince(now: TransportStats, before: TransportStats | null): TransportStats {
  if (before === null) return now;
  const hosts: Record<string, HostStats> = {};
  for (const [key, h] of Object.entries(now.hosts)) hosts[key] = hostSince(h, before.hosts[key]);
  return { ...now, hosts, totals: hostSince(now.totals, before.totals) };
}
