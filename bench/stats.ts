// Medians and spreads over rounds: the median is what the table reports, since one disturbed
// round (a GC storm, a noisy neighbour) moves a mean but not a median.

export function median(xs: readonly number[]): number {
  const finite = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? (finite[mid] ?? Number.NaN) : ((finite[mid - 1] ?? 0) + (finite[mid] ?? 0)) / 2;
}

/** (max - min) / median: how far apart the rounds were; NaN with fewer than two. */
export function spread(xs: readonly number[]): number {
  if (xs.length < 2) return Number.NaN;
  const m = median(xs);
  return m > 0 ? (Math.max(...xs) - Math.min(...xs)) / m : Number.NaN;
}
