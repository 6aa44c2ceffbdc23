// A Transport's pool watching itself (issue 15): when the pool reports something a rule reads
// (a dial, an idle-pool-full close, a wait for maxConnsPerHost, a leaked body), the key's
// window moves on and, at most every tuning.checkEveryMs, the bench's rules run over it. What
// gate.ts deems worth it is kept for advice() and warned as HttpoolPoolWarning once per host
// and cause per tuning.repeatMs, unless warnOnPoolMisuse is false. Requests never come here,
// but for a Transport's first reuse (per-call.ts), once.

import { worthWarning } from '../advice/gate.js';
import type { HostWindow } from '../advice/host-window.js';
import { notePerCall, perCallFindings, transportBorn, transportSettled } from '../advice/per-call.js';
import { RecentFindings } from '../advice/recent.js';
import { advisePool, idleCapAcrossHosts } from '../advice/rules.js';
import { tuning } from '../advice/tuning.js';
import type { HostObservation, PoolAdvice, PoolSettings } from '../advice/types.js';
import type { HostStats } from '../stats.js';
import type { Clock, PoolWatcher, Scheduler } from './pool.js';

export class PoolMonitor implements PoolWatcher {
  readonly #settings: PoolSettings;
  readonly #warn: boolean;
  readonly #recent = new RecentFindings();
  /** The most requests in flight across every key's window (the pool sums them: only when maxIdleConns closed something, at most every checkEveryMs). */
  readonly #totalPeak: (now: number, bucketMs: number) => number;
  /** Born (first dial) and not yet settled (reused or closed): see per-call.ts. */
  #perCall: 'unborn' | 'born' | 'settled' = 'unborn';
  readonly #now: Clock;
  readonly #schedule: Scheduler;
  /** Windows signalled during their quiet time, checked once it ends: the last of a burst is not lost. */
  readonly #pending = new Map<HostWindow, (now: number) => void>();
  #timer: { cancel(): void } | null = null;
  /** Warnings emitted since #warnedSince (tuning.maxWarnings per tuning.repeatMs). */
  #warned = 0;
  #warnedSince = -Infinity;

  constructor(settings: PoolSettings, warn: boolean, totalPeak: (now: number, bucketMs: number) => number, now: Clock, schedule: Scheduler) {
    this.#settings = settings;
    this.#warn = warn;
    this.#totalPeak = totalPeak;
    this.#now = now;
    this.#schedule = schedule;
  }

  signal(key: string, window: HostWindow, stats: HostStats, inFlight: number, now: number): void {
    // A capped pool signals every queued request: one that finds a check already due costs a lookup.
    if (now < window.nextCheck && this.#pending.has(window)) return;
    this.#due(window, now, (at) => this.#checkKey(key, window, stats, inFlight, at));
  }

  signalAcross(window: HostWindow, stats: HostStats, now: number): void {
    if (now < window.nextCheck && this.#pending.has(window)) return;
    this.#due(window, now, (at) => this.#checkAcross(window, stats, at));
  }

  /**
   * Runs `check` now when the window's quiet time (tuning.checkEveryMs) is over, else once it is,
   * from one unref'd timer for the whole Transport: a burst of signals is one check, and its last
   * signal is still read.
   */
  #due(window: HostWindow, now: number, check: (now: number) => void): void {
    if (now >= window.nextCheck) {
      window.nextCheck = now + tuning.checkEveryMs;
      check(now);
      return;
    }
    this.#pending.set(window, check);
    this.#timer ??= this.#schedule(window.nextCheck - now, () => this.#checkPending());
  }

  #checkPending(): void {
    this.#timer = null;
    const now = this.#now();
    const due = [...this.#pending];
    this.#pending.clear();
    for (const [window, check] of due) {
      window.nextCheck = now + tuning.checkEveryMs;
      check(now);
    }
  }

  #checkKey(key: string, window: HostWindow, stats: HostStats, inFlight: number, now: number): void {
    window.advance(stats, now, tuning.bucketMs, inFlight);
    const { observation, spanMs, idleFullGlobal } = window.view(stats, now);
    // maxIdleConns's evictions are #checkAcross's to judge, across keys: here they would read as
    // this key's dial races.
    const closed = observation.stats.closed;
    const own = (closed['idle-pool-full'] ?? 0) - idleFullGlobal;
    if (own > 0) closed['idle-pool-full'] = own;
    else delete closed['idle-pool-full'];
    const found = advisePool({ options: this.#settings, hosts: { [key]: observation }, durationMs: spanMs, errors: {} });
    for (const a of found) {
      // Dials that replaced evicted connections are not low reuse of this key's making either.
      if (a.code === 'HTTPOOL_POOL_LOW_REUSE' && idleFullGlobal >= observation.stats.opened / 2) continue;
      this.#consider(a, observation, spanMs, now);
    }
  }

  #checkAcross(window: HostWindow, stats: HostStats, now: number): void {
    window.advance(stats, now, tuning.bucketMs, 0);
    const { observation, spanMs } = window.view(stats, now);
    observation.peakConcurrency = this.#totalPeak(now, tuning.bucketMs);
    const idleFull = observation.stats.closed['idle-pool-full'] ?? 0;
    const a = idleCapAcrossHosts(this.#settings, idleFull, observation.peakConcurrency, false, spanMs);
    if (a !== null && this.#settings.maxIdleConns < observation.peakConcurrency) this.#consider(a, observation, spanMs, now);
  }

  /** The Transport closed: checks still pending are dropped. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.#pending.clear();
  }

  #consider(a: PoolAdvice, observation: HostObservation, spanMs: number, now: number): void {
    if (!worthWarning(a, observation, spanMs, this.#settings, tuning)) return;
    if (this.#recent.note(a, now, tuning.repeatMs)) this.#emit(a, now);
  }

  /** This Transport opened its first connection. */
  firstDial(key: string, now: number): void {
    if (this.#perCall !== 'unborn') return;
    this.#perCall = 'born';
    const a = transportBorn(key, now);
    if (a !== null && notePerCall(a, now)) this.#emit(a, now);
  }

  /** Whether settled() still has something to do (a boolean the request path can afford to read). */
  get unsettled(): boolean {
    return this.#perCall === 'born';
  }

  /** This Transport reused a connection or was closed: it is not a per-call one. */
  settled(now: number): void {
    if (this.#perCall !== 'born') return;
    this.#perCall = 'settled';
    transportSettled(now);
  }

  /** This Transport's findings lately, and the process's per-call ones. */
  advice(now: number): PoolAdvice[] {
    return [...this.#recent.list(now, tuning.repeatMs), ...perCallFindings(now)];
  }

  #emit(a: PoolAdvice, now: number): void {
    if (!this.#warn) return;
    if (now - this.#warnedSince >= tuning.repeatMs) {
      this.#warned = 0;
      this.#warnedSince = now;
    }
    if (this.#warned >= tuning.maxWarnings) return;
    const last = ++this.#warned === tuning.maxWarnings ? ` This Transport's further pool warnings are held back for ${seconds(tuning.repeatMs)} s; transport.advice() lists them.` : '';
    const span = a.figures['spanMs'] ?? 0;
    const where = a.code === 'HTTPOOL_TRANSPORT_PER_CALL' ? 'process-wide' : a.host === '*' ? 'every pool key' : `pool ${a.host}`;
    process.emitWarning(`${a.message} (${where}, over the last ${seconds(span)} s; warnOnPoolMisuse: false turns these warnings off)${last}`, {
      type: 'HttpoolPoolWarning',
      code: a.code,
    });
  }
}

/** "14" or, under 10 s, "2.5". */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
}
