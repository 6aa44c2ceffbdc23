// One pool key's sliding window: what its cumulative counters (stats.ts) read at the start of
// each of two buckets, so the window's figures are a subtraction, and the most requests in
// flight in each bucket. It lives in the pool's per-key entry and is a fixed size: no list of
// events, no timer. The pool bumps `peak` when a request finds no idle connection (one
// compare); everything else moves only when a rule is about to read it (advance(), from
// pool-monitor.ts).

import type { CloseReason, HostStats } from '../stats.js';
import type { HostObservation } from './types.js';

interface Mark {
  at: number;
  requests: number;
  reused: number;
  opened: number;
  closed: Partial<Record<CloseReason, number>>;
  waitMs: number;
  idleFullGlobal: number;
}

export interface WindowView {
  observation: HostObservation;
  spanMs: number;
  /** idle-pool-full closes in the window caused by maxIdleConns, not the per-host cap. */
  idleFullGlobal: number;
}

export class HostWindow {
  /** Most requests in flight in the current bucket, seen when one had to dial or wait (the pool bumps it). */
  peak = 0;
  /** Most requests queued for maxConnsPerHost in the current bucket (the pool bumps it). */
  peakWaiting = 0;
  /** Cumulative ms requests spent queued for maxConnsPerHost. */
  waitMs = 0;
  /** Cumulative idle-pool-full closes of this key's connections by maxIdleConns (LRU eviction). */
  idleFullGlobal = 0;
  /** The rules for this key run again no earlier than this. */
  nextCheck = 0;
  #prev: Mark | null = null;
  #prevPeak = 0;
  #prevPeakWaiting = 0;
  #cur: Mark;

  constructor(now: number) {
    this.#cur = { at: now, requests: 0, reused: 0, opened: 0, closed: {}, waitMs: 0, idleFullGlobal: 0 };
  }

  /**
   * Starts a new bucket when the current one is full, so the window covers one to two buckets;
   * after a quiet stretch of two buckets or more, starts afresh. `inFlight` seeds the new
   * bucket's peak: requests already running are still running.
   */
  advance(stats: HostStats, now: number, bucketMs: number, inFlight: number): void {
    const age = now - this.#cur.at;
    if (age < bucketMs) return;
    if (age >= 2 * bucketMs) {
      this.#prev = null;
      this.#prevPeak = 0;
      this.#prevPeakWaiting = 0;
    } else {
      this.#prev = this.#cur;
      this.#prevPeak = this.peak;
      this.#prevPeakWaiting = this.peakWaiting;
    }
    this.#cur = this.#mark(stats, now);
    this.peak = inFlight;
    this.peakWaiting = 0;
  }

  /** The window's figures as the rules read them. */
  view(stats: HostStats, now: number): WindowView {
    const from = this.#prev ?? this.#cur;
    const closed: Partial<Record<CloseReason, number>> = {};
    for (const r of Object.keys(stats.closed) as CloseReason[]) {
      const n = (stats.closed[r] ?? 0) - (from.closed[r] ?? 0);
      if (n > 0) closed[r] = n;
    }
    return {
      observation: {
        stats: {
          ...stats,
          requests: stats.requests - from.requests,
          reused: stats.reused - from.reused,
          opened: stats.opened - from.opened,
          closed,
        },
        peakConcurrency: Math.max(this.peak, this.#prevPeak),
        peakWaiting: Math.max(this.peakWaiting, this.#prevPeakWaiting),
        connWaitMs: this.waitMs - from.waitMs,
      },
      spanMs: now - from.at,
      idleFullGlobal: this.idleFullGlobal - from.idleFullGlobal,
    };
  }

  /**
   * The most requests in flight in the window as it would be at `now` (for the peak across
   * keys): a key not signalled for a while has not moved its buckets on, and its old peak must
   * not count.
   */
  peakAt(now: number, bucketMs: number): number {
    const age = now - this.#cur.at;
    if (age >= 2 * bucketMs) return 0;
    if (age >= bucketMs) return this.peak;
    return Math.max(this.peak, this.#prevPeak);
  }

  #mark(stats: HostStats, now: number): Mark {
    return {
      at: now,
      requests: stats.requests,
      reused: stats.reused,
      opened: stats.opened,
      closed: { ...stats.closed },
      waitMs: this.waitMs,
      idleFullGlobal: this.idleFullGlobal,
    };
  }
}
