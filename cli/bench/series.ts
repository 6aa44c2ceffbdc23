// The per-second series of a bench run: what was sent, answered and failed in each second, and
// the pool's state sampled in it (connections opened, requests waiting for a connection). The
// live line on a terminal reads the last complete second; --json prints every row.
//
// Bounded: rows are made up to `maxSeconds`; anything later is counted in the last row, so a
// run longer than planned (a slow drain) cannot grow it without limit.

export interface SecondRow {
  /** Seconds since the load started: this row covers [second, second + 1). */
  second: number;
  sent: number;
  /** Open model: of those sent, how many went out late (so a stall can be placed in time). */
  late: number;
  ok: number;
  failed: number;
  /** Connections the transport opened in this second. */
  opened: number;
  /** Most requests waiting for a connection at a sample in this second (the pool's `waiting`). */
  peakWaiting: number;
}

export class PerSecond {
  readonly #rows: SecondRow[] = [];

  constructor(
    private readonly start: number,
    private readonly maxSeconds: number,
  ) {}

  /** The row for time `now` (performance.now() units), made (with any skipped ones) on first use. */
  at(now: number): SecondRow {
    const i = Math.min(this.maxSeconds - 1, Math.max(0, Math.floor((now - this.start) / 1000)));
    while (this.#rows.length <= i) this.#rows.push({ second: this.#rows.length, sent: 0, late: 0, ok: 0, failed: 0, opened: 0, peakWaiting: 0 });
    return this.#rows[i]!;
  }

  /** The rows so far, oldest first. */
  rows(): readonly SecondRow[] {
    return this.#rows;
  }

  /** The last row whose second has fully passed at `now`, or null in the first second. */
  lastComplete(now: number): SecondRow | null {
    const i = Math.floor((now - this.start) / 1000) - 1;
    return i >= 0 ? this.at(this.start + i * 1000) : null;
  }
}
