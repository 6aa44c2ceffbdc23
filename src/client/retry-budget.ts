// The retry budget: policy (src/client), beside retry-policy.ts. A retry policy alone turns a
// failing host into a retry storm: every caller multiplies its load by (1 + limit) exactly when
// it can least take it. Finagle's RetryBudget (com.twitter.finagle.service.RetryBudget, a
// TokenBucket.newLeakyBucket) and Envoy's retry budgets cap retries to a share of the traffic:
// each request deposits `percent`, each retry withdraws 1, deposits and withdrawals leave the
// window after 10 s, and a reserve (the floor) lets a quiet client retry at all. Over any 10 s
// a host so sees at most `floor + percent × requests` retries from one Client.
//
// No timers: time comes in as `now` (ms, any monotonic clock), so tests pass literal times.

/** The window deposits and withdrawals live in (Finagle's default ttl). */
export const BUDGET_WINDOW_MS = 10_000;
/** Retries always allowed per window, whatever the traffic (Finagle's minRetriesPerSec × ttl). */
export const BUDGET_FLOOR = 10;
/** Hosts whose budgets are kept; the least recently used is dropped past this. */
export const BUDGET_MAX_HOSTS = 1000;

// Finagle's WindowedAdder: the window in 10 slices of 1 s, so a deposit is counted for 9–10 s
// and a host costs 10 numbers, whatever its rate. Amounts in thousandths (Finagle's scale), so
// 0.2 adds up without floating-point drift.
const SLICES = 10;
const SLICE_MS = BUDGET_WINDOW_MS / SLICES;
const SCALE = 1000;

function mod(slice: number): number {
  return ((slice % SLICES) + SLICES) % SLICES;
}

/** One host's balance over the window. */
export class RetryBudget {
  readonly #deposit: number;
  readonly #slots = new Array<number>(SLICES).fill(0);
  /** The absolute slice number the slots end at. */
  #slice = -Infinity;
  /** When the budget was last touched (for dropping idle hosts). */
  lastUsed = 0;

  /** `percent`: what each request deposits, in retries (0.2 = one retry per five requests). */
  constructor(percent: number) {
    this.#deposit = Math.round(percent * SCALE);
  }

  /** A request went out. */
  deposit(now: number): void {
    this.#add(now, this.#deposit);
  }

  /** Takes one retry if the window holds one (floor included); false: the budget refuses. */
  tryWithdraw(now: number): boolean {
    this.#advance(now);
    let sum = BUDGET_FLOOR * SCALE;
    for (let i = 0; i < SLICES; i++) sum += this.#slots[i]!;
    if (sum < SCALE) return false;
    this.#slots[mod(this.#slice)]! -= SCALE;
    return true;
  }

  /** Retries the window allows now (floor included), for tests and diagnostics. */
  balance(now: number): number {
    this.#advance(now);
    let sum = BUDGET_FLOOR * SCALE;
    for (let i = 0; i < SLICES; i++) sum += this.#slots[i]!;
    return sum / SCALE;
  }

  #add(now: number, amount: number): void {
    this.#advance(now);
    this.#slots[mod(this.#slice)]! += amount;
  }

  /** Empties the slices that left the window since the last call. */
  #advance(now: number): void {
    this.lastUsed = now;
    const slice = Math.floor(now / SLICE_MS);
    if (slice <= this.#slice) return;
    if (slice - this.#slice >= SLICES) this.#slots.fill(0);
    else for (let s = this.#slice + 1; s <= slice; s++) this.#slots[mod(s)] = 0;
    this.#slice = slice;
  }
}

/**
 * One Client's budgets by host (URL origin). Memory stays bounded: past `maxHosts`, the least
 * recently used host's budget is dropped. Nothing is lost by dropping an idle one: a budget not
 * touched for a window is the same as a new one.
 */
export class RetryBudgets {
  readonly #percent: number;
  readonly #maxHosts: number;
  readonly #byHost = new Map<string, RetryBudget>();

  constructor(percent: number, maxHosts = BUDGET_MAX_HOSTS) {
    this.#percent = percent;
    this.#maxHosts = maxHosts;
  }

  /** The host's budget, made when new; it becomes the most recently used. */
  for(host: string): RetryBudget {
    const m = this.#byHost;
    let b = m.get(host);
    if (b !== undefined) {
      // Map keeps insertion order: re-inserting makes it the most recent, so the first is the LRU.
      m.delete(host);
    } else {
      b = new RetryBudget(this.#percent);
      if (m.size >= this.#maxHosts) m.delete(m.keys().next().value!);
    }
    m.set(host, b);
    return b;
  }

  get size(): number {
    return this.#byHost.size;
  }

  has(host: string): boolean {
    return this.#byHost.has(host);
  }
}
