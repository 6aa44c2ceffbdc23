// The latest finding per host and cause, and when it was last warned: what advice() returns
// and what keeps a warning to once per repeat interval. Bounded: past CAPACITY causes the one
// not seen for longest is forgotten (at worst it may warn again), so a process that talks to
// 20,000 hosts keeps a few hundred entries here, not one per host.

import type { PoolAdvice } from './types.js';

const CAPACITY = 256;

interface Entry {
  advice: PoolAdvice;
  seenAt: number;
  warnedAt: number;
}

export class RecentFindings {
  readonly #entries = new Map<string, Entry>();

  /**
   * Records a finding; true when it has not been warned within `repeatMs` (so warn now). The
   * cause is its code, option and host unless `id` names it otherwise.
   */
  note(advice: PoolAdvice, now: number, repeatMs: number, id = `${advice.code} ${advice.option ?? '-'} ${advice.host}`): boolean {
    const old = this.#entries.get(id);
    const warn = old === undefined || now - old.warnedAt >= repeatMs;
    // Re-inserted so the Map's order is least recently seen first.
    this.#entries.delete(id);
    this.#entries.set(id, { advice, seenAt: now, warnedAt: warn ? now : old.warnedAt });
    if (this.#entries.size > CAPACITY) this.#entries.delete(this.#entries.keys().next().value!);
    return warn;
  }

  /** Findings seen within `maxAgeMs`, oldest first. */
  list(now: number, maxAgeMs: number): PoolAdvice[] {
    const out: PoolAdvice[] = [];
    for (const e of this.#entries.values()) if (now - e.seenAt < maxAgeMs) out.push(e.advice);
    return out;
  }

  clear(): void {
    this.#entries.clear();
  }
}
