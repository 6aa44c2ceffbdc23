// Latency recording for `httpool bench`: a log-linear histogram over microseconds (the idea of
// HdrHistogram). A -d run can make millions of requests; keeping every sample would grow
// without bound, while this keeps 3,200 counters and answers any percentile within 0.4%.
//
//   below 128 µs                exact, one bucket per µs
//   from 128 µs up              128 buckets per power of two: a bucket is < 1/128 of its value wide
//
// A percentile is reported as the middle of its bucket, so its error is at most half a bucket:
// under 1/256 of the value (and within [min, max], which are kept exactly).

const SUB_BITS = 7;
const SUB = 1 << SUB_BITS; // 128 linear buckets per octave
const MAX_US = 2 ** 31 - 1; // ~36 minutes: a latency beyond that is clamped, never lost
const BUCKETS = SUB + (31 - SUB_BITS) * SUB;

/** The worst relative error of a reported percentile (half a bucket's width over its value). */
export const RELATIVE_ERROR = 1 / (2 * SUB);

function bucketOf(us: number): number {
  if (us < SUB) return us;
  const exp = 31 - Math.clz32(us); // position of the top bit, ≥ SUB_BITS
  const shift = exp - SUB_BITS;
  return SUB + shift * SUB + ((us >>> shift) - SUB);
}

/** The smallest and largest µs values that land in bucket `i`. */
function boundsOf(i: number): [number, number] {
  if (i < SUB) return [i, i];
  const shift = Math.floor((i - SUB) / SUB);
  const mantissa = SUB + ((i - SUB) % SUB);
  return [mantissa * 2 ** shift, (mantissa + 1) * 2 ** shift - 1];
}

export interface LatencySummary {
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** One non-empty bucket: latencies from `fromMs` to `toMs` (inclusive, at µs resolution). */
export interface HistogramBucket {
  fromMs: number;
  toMs: number;
  count: number;
}

export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS);
  #count = 0;
  #sumMs = 0;
  #maxMs = 0;
  #minMs = Infinity;

  /** Records one latency in milliseconds (negative or NaN counts as 0: never lost). */
  record(ms: number): void {
    const clean = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const us = Math.min(MAX_US, Math.round(clean * 1000));
    this.#counts[bucketOf(us)]!++;
    this.#count++;
    this.#sumMs += clean;
    if (clean > this.#maxMs) this.#maxMs = clean;
    if (clean < this.#minMs) this.#minMs = clean;
  }

  get count(): number {
    return this.#count;
  }

  get sumMs(): number {
    return this.#sumMs;
  }

  /** The p-th percentile in ms (p from 0 to 100): the middle of its bucket, kept within [min, max]. */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) {
        const [lo, hi] = boundsOf(i);
        const mid = (lo + hi) / 2 / 1000;
        return Math.min(this.#maxMs, Math.max(this.#minMs, mid));
      }
    }
    return this.#maxMs;
  }

  /** min/p50/p90/p99/p99.9/max/mean in ms, or null when nothing was recorded. */
  summary(): LatencySummary | null {
    if (this.#count === 0) return null;
    return {
      min: this.#minMs,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.#maxMs,
      mean: this.#sumMs / this.#count,
    };
  }

  /** The non-empty buckets, smallest first (what --json prints: enough to redraw any view). */
  buckets(): HistogramBucket[] {
    const out: HistogramBucket[] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const n = this.#counts[i]!;
      if (n === 0) continue;
      const [lo, hi] = boundsOf(i);
      out.push({ fromMs: lo / 1000, toMs: hi / 1000, count: n });
    }
    return out;
  }

  /** The distribution folded into at most `rows` ranges (see foldBuckets). */
  coarse(rows: number): HistogramBucket[] {
    return foldBuckets(this.buckets(), rows);
  }
}

/**
 * Fine buckets folded into at most `rows` ranges of equal width on a log scale, from the first
 * bucket to the last (a terminal view: the fine buckets are too many to print). Each fine
 * bucket lands in the range holding its middle; ranges are [fromMs, toMs).
 */
export function foldBuckets(fine: readonly HistogramBucket[], rows: number): HistogramBucket[] {
  if (fine.length === 0) return [];
  const mid = (b: HistogramBucket): number => Math.max(0.001, (b.fromMs + b.toMs) / 2);
  const lo = mid(fine[0]!);
  const hi = Math.max(mid(fine[fine.length - 1]!), lo * 1.001);
  const n = Math.max(1, Math.min(Math.floor(rows), 100));
  const step = Math.log(hi / lo) / n;
  const out: HistogramBucket[] = Array.from({ length: n }, (_, k) => ({ fromMs: lo * Math.exp(step * k), toMs: k === n - 1 ? hi : lo * Math.exp(step * (k + 1)), count: 0 }));
  for (const b of fine) {
    const k = Math.min(n - 1, Math.max(0, Math.floor(Math.log(mid(b) / lo) / step)));
    out[k]!.count += b.count;
  }
  return out;
}
