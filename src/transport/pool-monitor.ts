// A Transport's pool watching itself (issue 15): when the pool reports something a rule reads
// (a dial, an idle-pool-full close, a wait for maxConnsPerHost, a leaked body), the key's
// window moves on and, at most every tuning.checkEveryMs, the bench's rules run over it. What
// gate.ts deems worth it is kept for advice() and warned as HttpoolPoolWarning once per host
// and cause per tuning.repeatMs, unless warnOnPoolMisuse is false. Requests never come here.

import { worthWarning } from '../advice/gate.js';
import type { HostWindow } from '../advice/host-window.js';
import { notePerCall, perCallFindings, transportBorn, transportSettled } from '../advice/per-call.js';
import { RecentFindings } from '../advice/recent.js';
import { advisePool } from '../advice/rules.js';
import { tuning } from '../advice/tuning.js';
import type { PoolAdvice, PoolSettings } from '../advice/types.js';
import type { HostStats } from '../stats.js';

/** What the pool tells its watcher; called off the request path only. */
export interface PoolWatcher {
  /** Something a rule reads changed for `key`; `inFlight` is its requests running or waiting now. */
  signal(key: string, window: HostWindow, stats: HostStats, inFlight: number, now: number): void;
}

export class PoolMonitor implements PoolWatcher {
  readonly #settings: PoolSettings;
  readonly #warn: boolean;
  readonly #recent = new RecentFindings();
  /** The most requests in flight across every key's window (the pool sums them, only when maxIdleConns closed something). */
  readonly #totalPeak: () => number;
  /** Born (first dial) and not yet settled (reused or closed): see per-call.ts. */
  #perCall: 'unborn' | 'born' | 'settled' = 'unborn';

  constructor(settings: PoolSettings, warn: boolean, totalPeak: () => number) {
    this.#settings = settings;
    this.#warn = warn;
    this.#totalPeak = totalPeak;
  }

  signal(key: string, window: HostWindow, stats: HostStats, inFlight: number, now: number): void {
    window.advance(stats, now, tuning.bucketMs, inFlight);
    if (now < window.nextCheck) return;
    window.nextCheck = now + tuning.checkEveryMs;
    const { observation, spanMs, idleFullGlobal } = window.view(stats, now);
    const totalPeak = idleFullGlobal > 0 ? Math.max(this.#totalPeak(), observation.peakConcurrency) : observation.peakConcurrency;
    const found = advisePool({ options: this.#settings, hosts: { [key]: observation }, durationMs: spanMs, errors: {}, totalPeak });
    for (const a of found) {
      if (!worthWarning(a, observation, spanMs, this.#settings, tuning)) continue;
      if (this.#recent.note(a, now, tuning.repeatMs)) this.#emit(a);
    }
  }

  /** This Transport opened its first connection. */
  firstDial(key: string, now: number): void {
    if (this.#perCall !== 'unborn') return;
    this.#perCall = 'born';
    const a = transportBorn(key, now);
    if (a !== null && notePerCall(a, now)) this.#emit(a);
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

  #emit(a: PoolAdvice): void {
    if (!this.#warn) return;
    const span = a.figures['spanMs'] ?? 0;
    const where = a.code === 'HTTPOOL_TRANSPORT_PER_CALL' ? 'process-wide' : `pool ${a.host}`;
    process.emitWarning(`${a.message} (${where}, over the last ${seconds(span)} s; warnOnPoolMisuse: false turns these warnings off)`, {
      type: 'HttpoolPoolWarning',
      code: a.code,
    });
  }
}

/** "14" or, under 10 s, "2.5". */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
}
