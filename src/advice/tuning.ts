// The thresholds of the run-time pool warnings, in one place, each with the reason for its
// value. The rules themselves (rules.ts) are the bench's; these decide when a finding is worth
// a process warning, and must never be met by a healthy pool: one whose connections are opened
// once and then reused, whatever its concurrency. Internal: tests shorten the window through
// setTuning(); nothing here is public API.

export interface PoolWatchTuning {
  /**
   * The sliding window is two buckets of this length, so it covers the last 10 to 20 s. Long
   * enough that a start-up burst (every connection dialed at once) is diluted by what follows,
   * short enough that a service churning connections is named within seconds.
   */
  bucketMs: number;
  /**
   * A host's rules run at most this often, and only when something a rule reads happens (a
   * dial, an idle-pool-full close, a capped wait, a leaked body): never per request.
   */
  checkEveryMs: number;
  /**
   * A warning repeats for the same Transport, host and cause at most this often. One line per
   * 10 minutes tells a log reader the cause is still there without flooding the log of a
   * service that churns thousands of connections a minute; a process warning once for all time
   * would hide a regression after a fix or a change of traffic.
   */
  repeatMs: number;
  /**
   * A Transport emits at most this many warnings per repeatMs, whatever the number of hosts: a
   * process talking to thousands of mis-sized hosts gets a few lines and advice() for the rest,
   * not a line per host.
   */
  maxWarnings: number;
  /**
   * HTTPOOL_POOL_CHURN needs at least this many idle-pool-full closes and as many dials in the
   * window, and at least twice the surplus of one burst (peak − cap): one burst above the cap
   * closes its surplus once, churn closes and dials it again and again.
   */
  churnMinCloses: number;
  /**
   * HTTPOOL_POOL_LOW_REUSE needs this many dials in the window, more than twice the most
   * requests in flight, with under half the requests reused. A healthy pool dials at most its
   * peak concurrency (once, at start), so it never gets there; 50 dials in 10-20 s is several
   * new connections a second, sustained.
   */
  lowReuseMinOpened: number;
  /**
   * HTTPOOL_POOL_WAIT needs the window to span this long: the bench's rule (on average a tenth
   * of the requests in flight queued for maxConnsPerHost) over a sustained stretch, not a
   * start-up burst queued behind its first dials.
   */
  waitMinSpanMs: number;
  /** HTTPOOL_POOL_LEAKS needs this many leaked bodies in the window: one is HttpoolLeakWarning's, ten is a habit. */
  leakMin: number;
  /**
   * HTTPOOL_TRANSPORT_PER_CALL needs this many Transports in the window (process-wide) to have
   * dialed for their first request and then neither reused a connection nor been closed. A
   * program with a Transport per tenant or per upstream makes a few, and each is soon reused;
   * a Transport per call makes one per request, so 50 is reached in seconds at a few requests
   * a second.
   */
  perCallMin: number;
}

export const DEFAULT_TUNING: Readonly<PoolWatchTuning> = Object.freeze({
  bucketMs: 10_000,
  checkEveryMs: 250,
  repeatMs: 10 * 60_000,
  maxWarnings: 10,
  churnMinCloses: 20,
  lowReuseMinOpened: 50,
  waitMinSpanMs: 1_000,
  leakMin: 10,
  perCallMin: 50,
});

/** Read at each use, so a test's setTuning() applies to Transports already made. */
export const tuning: PoolWatchTuning = { ...DEFAULT_TUNING };

/** Tests only: shorter windows and lower thresholds; setTuning() with no argument restores the defaults. */
export function setTuning(over: Partial<PoolWatchTuning> = {}): void {
  Object.assign(tuning, DEFAULT_TUNING, over);
}
