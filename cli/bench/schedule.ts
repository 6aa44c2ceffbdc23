// The open model's clock (`httpool bench --rate R`): request i is due at start + i/R seconds,
// whatever the server does. This class only keeps the books, with the time passed in, so its
// accounting is unit-tested with a fake clock; load.ts drives it with performance.now().
//
// Why intended send times: a closed loop (N callers, each waiting for its answer) stops sending
// while the server stalls, so the stall delays a handful of requests instead of every request
// that should have gone out meanwhile ("coordinated omission", Gil Tene). Here the schedule
// keeps ticking; latency is measured from the intended time, so a stall shows in p99 as it
// would for real users arriving at that rate (wrk2 and oha do the same).
//
// Bounded: at most `maxInFlight` requests are out at once. A request due while every slot is
// busy is not dropped: it stays in the backlog (a count, not a queue of objects, since its
// intended time follows from its index) and goes out when a slot frees, counted late with its
// lag. Nothing becomes due past the duration or the request cap; a backlog left when the run
// stops is reported as `unsent`, never dropped silently.

export interface ScheduleOptions {
  /** Requests per second, > 0. */
  rate: number;
  /** Requests out at once at most (the bench's -c). */
  maxInFlight: number;
  /** Requests in total at most. */
  maxRequests: number;
  /** Nothing becomes due at or after start + durationMs; null = only maxRequests bounds it. */
  durationMs: number | null;
  /** A request sent more than this many ms after its intended time counts as late. */
  lateAfterMs: number;
}

/** One request to send now. */
export interface Ticket {
  /** 0-based position in the schedule. */
  index: number;
  /** When it should have gone out (the clock's units, ms). */
  intendedAt: number;
  /** now − intendedAt, ≥ 0. */
  lagMs: number;
  late: boolean;
}

export interface ScheduleCounts {
  /** Requests whose intended time has come (bounded by the duration and the cap). */
  scheduled: number;
  /** Requests sent. */
  sent: number;
  /** Requests that came back (answered or failed). */
  completed: number;
  /** Sent more than lateAfterMs after their intended time. */
  late: number;
  /** Of the scheduled, how many were due while all maxInFlight slots were busy. */
  waitedForSlot: number;
  /** The largest lag of a sent request, ms. */
  maxLagMs: number;
  /** Summed lag of the sent requests, ms (its mean is what the rate cost, on average). */
  totalLagMs: number;
  inFlight: number;
  peakInFlight: number;
  /** Scheduled but not sent yet (after stop(): never sent). */
  backlog: number;
}

export class OpenSchedule {
  readonly #o: ScheduleOptions;
  readonly #start: number;
  readonly #intervalMs: number;
  /** The most requests the schedule will ever hold: the cap, or the duration's worth. */
  readonly #total: number;
  #sent = 0;
  #completed = 0;
  #late = 0;
  #maxLag = 0;
  #totalLag = 0;
  #inFlight = 0;
  #peakInFlight = 0;
  /** Requests with an index below this were looked at for waiting already. */
  #blockedThrough = 0;
  #waitedForSlot = 0;
  /** Set by stop(): the count of scheduled requests frozen at that moment. */
  #stoppedAt: number | null = null;

  constructor(opts: ScheduleOptions, start: number) {
    if (!(opts.rate > 0) || !Number.isFinite(opts.rate)) throw new RangeError(`rate must be > 0, got ${opts.rate}`);
    if (!Number.isSafeInteger(opts.maxInFlight) || opts.maxInFlight < 1) throw new RangeError(`maxInFlight must be ≥ 1, got ${opts.maxInFlight}`);
    this.#o = opts;
    this.#start = start;
    this.#intervalMs = 1000 / opts.rate;
    // Request i is due at i × interval; within the duration means i × interval < durationMs.
    const byDuration = opts.durationMs === null ? Infinity : Math.ceil((opts.durationMs * opts.rate) / 1000 - 1e-9);
    this.#total = Math.max(0, Math.min(opts.maxRequests, byDuration));
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** Every request of the schedule is due (or the run was stopped): nothing more will be scheduled. */
  exhausted(now: number): boolean {
    return this.#stoppedAt !== null || this.#scheduled(now) >= this.#total;
  }

  /** All scheduled requests were sent and came back, and no more will be scheduled. */
  finished(now: number): boolean {
    return this.exhausted(now) && this.#inFlight === 0 && (this.#sent >= this.#scheduled(now) || this.#stoppedAt !== null);
  }

  #scheduled(now: number): number {
    if (this.#stoppedAt !== null) return this.#stoppedAt;
    if (now < this.#start) return 0;
    // Index i is due when start + i × interval ≤ now, so floor(elapsed / interval) + 1 are due.
    // The epsilon keeps a due time computed as a float from slipping a tick.
    return Math.min(this.#total, Math.floor((now - this.#start) / this.#intervalMs + 1e-9) + 1);
  }

  intendedAt(index: number): number {
    return this.#start + index * this.#intervalMs;
  }

  /**
   * The next request to send at `now`, or null: nothing due, or every slot busy (then the due
   * ones are marked as having waited for a slot). Call until null, then again at nextWakeAt()
   * or when finish() frees a slot.
   */
  take(now: number): Ticket | null {
    const due = this.#scheduled(now);
    if (this.#stoppedAt !== null || this.#sent >= due) return null;
    if (this.#inFlight >= this.#o.maxInFlight) {
      this.#markBlocked(due);
      return null;
    }
    const index = this.#sent++;
    const intendedAt = this.intendedAt(index);
    const lagMs = Math.max(0, now - intendedAt);
    const late = lagMs > this.#o.lateAfterMs;
    if (late) this.#late++;
    this.#totalLag += lagMs;
    if (lagMs > this.#maxLag) this.#maxLag = lagMs;
    this.#inFlight++;
    if (this.#inFlight > this.#peakInFlight) this.#peakInFlight = this.#inFlight;
    return { index, intendedAt, lagMs, late };
  }

  /** The unsent requests due so far (indices sent..due-1) are waiting for a slot; each is counted once. */
  #markBlocked(due: number): void {
    const from = Math.max(this.#blockedThrough, this.#sent);
    if (due > from) this.#waitedForSlot += due - from;
    this.#blockedThrough = Math.max(this.#blockedThrough, due);
  }

  /** A sent request came back: its slot is free. */
  finish(now: number): void {
    if (this.#inFlight <= 0) throw new Error('finish() without a request in flight');
    // Requests due now while every slot was busy waited for this one to come back.
    if (this.#inFlight >= this.#o.maxInFlight) this.#markBlocked(this.#scheduled(now));
    this.#inFlight--;
    this.#completed++;
  }

  /** When the next request becomes due, or null when none will (or one is due already). */
  nextWakeAt(now: number): number | null {
    if (this.#stoppedAt !== null) return null;
    const due = this.#scheduled(now);
    if (due >= this.#total) return null;
    if (this.#sent < due) return now; // a backlog: ready as soon as a slot is
    return this.intendedAt(due);
  }

  /** Stop scheduling (the deadline for the backlog passed, an interrupt): what is unsent stays unsent. */
  stop(now: number): void {
    if (this.#stoppedAt === null) this.#stoppedAt = this.#scheduled(now);
  }

  counts(now: number): ScheduleCounts {
    const scheduled = this.#scheduled(now);
    return {
      scheduled,
      sent: this.#sent,
      completed: this.#completed,
      late: this.#late,
      waitedForSlot: this.#waitedForSlot,
      maxLagMs: this.#maxLag,
      totalLagMs: this.#totalLag,
      inFlight: this.#inFlight,
      peakInFlight: this.#peakInFlight,
      backlog: scheduled - this.#sent,
    };
  }
}
