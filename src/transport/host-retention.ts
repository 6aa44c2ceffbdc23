// What the pool keeps of a host once it has nothing open, dialing or waiting (pool.ts drops
// its entry then): its counters, for stats(), and a learned idle limit, for the next
// connection. Both bounded, the least recently retired going first, so a Transport that
// reaches a million hosts (a crawler, a webhook sender) holds the same amount as one that
// reached a thousand. Counters pushed out are summed, never lost: stats() reports them as
// `unlisted` and keeps them in its totals.

import { addStats, emptyStats, type HostStats } from '../stats.js';
import type { HostLimits } from './idle-limit.js';

/** Learned idle limits kept for hosts with nothing open (a few numbers each). */
const MAX_LEARNED = 1000;

export class RetiredHosts {
  /** Counters of hosts with nothing open, oldest retired first (Map order). */
  readonly #recent = new Map<string, HostStats>();
  readonly #limits = new Map<string, HostLimits>();
  /** The sum of every host's counters pushed out of #recent. */
  readonly unlisted: HostStats = emptyStats();
  unlistedHosts = 0;

  constructor(private readonly maxStats: number) {}

  retire(key: string, stats: HostStats, limits: HostLimits): void {
    this.#recent.set(key, stats);
    if (this.#recent.size > this.maxStats) {
      const [oldKey, old] = this.#recent.entries().next().value as [string, HostStats];
      this.#recent.delete(oldKey);
      addStats(this.unlisted, old);
      this.unlistedHosts++;
    }
    if (limits.learned > 0) {
      this.#limits.set(key, limits);
      if (this.#limits.size > MAX_LEARNED) this.#limits.delete(this.#limits.keys().next().value!);
    }
  }

  /** A retired host is back: what was kept of it, taken out of retirement. */
  revive(key: string): { stats: HostStats | undefined; limits: HostLimits | undefined } {
    const stats = this.#recent.get(key);
    if (stats !== undefined) this.#recent.delete(key);
    const limits = this.#limits.get(key);
    if (limits !== undefined) this.#limits.delete(key);
    return { stats, limits };
  }

  recent(): IterableIterator<[string, HostStats]> {
    return this.#recent.entries();
  }
}
