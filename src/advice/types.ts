// What pool advice is made of: the findings `transport.advice()` returns and the warnings
// carry, and what the rules read. The bench (whole run) and a Transport (a sliding window)
// fill the same observations, so both get the same sentences from rules.ts.

import type { HostStats } from '../stats.js';

/**
 * Stable codes, one per cause; a warning's `code` and a finding's `code` are the same string.
 * - HTTPOOL_POOL_CHURN: connections closed because the idle pool was full, while others were dialed (seed 002).
 * - HTTPOOL_POOL_LOW_REUSE: most requests dialed a new connection, for a reason other than the idle cap.
 * - HTTPOOL_POOL_WAIT: requests waited for a connection because of maxConnsPerHost.
 * - HTTPOOL_POOL_LEAKS: response bodies were dropped unread and unclosed again and again.
 * - HTTPOOL_TRANSPORT_PER_CALL: Transports made for a call or two and dropped (seed 004).
 */
export type PoolAdviceCode =
  | 'HTTPOOL_POOL_CHURN'
  | 'HTTPOOL_POOL_LOW_REUSE'
  | 'HTTPOOL_POOL_WAIT'
  | 'HTTPOOL_POOL_LEAKS'
  | 'HTTPOOL_TRANSPORT_PER_CALL';

/** The Transport option a finding says to change. */
export type PoolAdviceOption =
  | 'maxIdleConnsPerHost'
  | 'maxIdleConns'
  | 'maxConnsPerHost'
  | 'idleConnTimeout'
  | 'disableKeepAlives'
  | 'maxDrainBytes';

/** One piece of advice about one pool key. */
export interface PoolAdvice {
  readonly code: PoolAdviceCode;
  /**
   * The pool key ("http://127.0.0.1:8080", as in stats().hosts; proxy credentials are never in
   * it), or '*' for a finding about every host at once (the maxIdleConns cap).
   */
  readonly host: string;
  /** The sentence: what was seen, with the numbers, and what to do. */
  readonly message: string;
  /** The option to set, or null when the fix is elsewhere (the server, the calling code). */
  readonly option: PoolAdviceOption | null;
  /** The value to give it (at least this much), or null when only a direction can be said. */
  readonly suggested: number | boolean | null;
  /**
   * The figures behind it, over `spanMs`: requests, reused, opened, peakConcurrency, and per
   * code idlePoolFull, peakWaiting, waitMs, leaked, transports…
   */
  readonly figures: Readonly<Record<string, number>>;
}

/** The Transport options the rules read, resolved (defaults filled in). */
export interface PoolSettings {
  maxIdleConns: number;
  maxIdleConnsPerHost: number;
  maxConnsPerHost: number;
  idleConnTimeout: number;
  disableKeepAlives: boolean;
  maxDrainBytes: number;
  drainTimeout: number;
}

/** What was seen for one pool key ("http://127.0.0.1:8080") over a run or a window. */
export interface HostObservation {
  /** Counters over the span (a bench: the whole run; a Transport: its window). */
  stats: HostStats;
  /** Most requests in flight to this host at once. */
  peakConcurrency: number;
  /** Most requests queued for a connection at once. */
  peakWaiting: number;
  /** Total ms requests spent waiting for a connection (the bench counts dials in it too). */
  connWaitMs: number;
}

export interface AdviceInput {
  options: PoolSettings;
  hosts: Record<string, HostObservation>;
  /** How long the observations cover, ms. */
  durationMs: number;
  /** Failed requests by error code, when known. */
  errors: Record<string, number>;
  /** Requests in flight across all hosts at most; the sum of the hosts' peaks when absent. */
  totalPeak?: number;
}
